// The store: lowdb documents on the real disk, shared safely by several apdesk processes.
// Reads need no lock and re-read only files another process has replaced. Every mutation is a
// transaction: take the data-dir lock, re-read what changed, apply, write the changed files
// atomically (keeping the previous generation as NAME.prev), release. A file that does not parse
// is moved aside, never overwritten, and its previous generation takes its place, reported.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { UserError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { manualInvoiceId, type InvoiceId } from '../domain/ids.js';
import { CorruptFileError, JsonFile, sameVersion, versionOf, type FileVersion } from '../disk/json-file.js';
import { acquireLock } from './lock.js';
import { layout, shardOf } from './layout.js';
import {
  SCHEMA_VERSION,
  emptySecrets,
  emptySettings,
  type InvoiceShard,
  type Secrets,
  type Settings,
} from './schema.js';
import { runMigrations } from './migrations.js';

export interface StoreOptions {
  /** Who is acting: recorded in the lock (so a waiting process can say who holds it) and audits. */
  user: string;
  /** What is running, e.g. `apdesk queue add-document`: shown to processes that wait for the lock. */
  command: string;
  lockTimeoutMs?: number;
  /** Called once per problem found (a quarantined file); the CLI prints these as warnings. */
  onProblem?: (message: string) => void;
}

export interface CommitStats {
  files: number;
  bytes: number;
}

export interface LoadOptions {
  /** The file's mode, also given to a generation put back in its place (0600 for secrets). */
  mode?: number;
  /** Keep what was read out of the cache (a scan of a whole vault). */
  cache?: boolean;
  /** Runs before a recovery changes the file on disk (the index notes the shard to re-read). */
  beforeRecovery?: () => Promise<void>;
}

interface Cached {
  version: FileVersion | null;
  data: unknown;
}

const DEFAULT_LOCK_TIMEOUT_MS = 15_000;

function lockTimeout(options: StoreOptions): number {
  if (options.lockTimeoutMs !== undefined) return options.lockTimeoutMs;
  const fromEnv = Number(process.env.APDESK_LOCK_TIMEOUT_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_LOCK_TIMEOUT_MS;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export class Store {
  readonly problems: string[] = [];
  /** What the last transaction wrote: benchmarks and tests read it. */
  lastCommit: CommitStats = { files: 0, bytes: 0 };
  private readonly cache = new Map<string, Cached>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    readonly options: StoreOptions,
  ) {}

  /** Opens a data dir (which need not exist yet) and brings its schema up to date. */
  static async open(dataDir: string, options: StoreOptions): Promise<Store> {
    await checkDataDir(dataDir);
    const store = new Store(dataDir, options);
    await store.ensureSchema();
    return store;
  }

  get user(): string {
    return this.options.user;
  }

  async initialized(): Promise<boolean> {
    try {
      await stat(layout.settings(this.dataDir));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async settings(): Promise<Settings> {
    return this.load(layout.settings(this.dataDir), emptySettings);
  }

  /** Tokens and client secrets, read-only: never print or log what this returns. */
  async secrets(): Promise<Secrets> {
    return this.load(layout.secrets(this.dataDir), emptySecrets, { mode: 0o600 });
  }

  async invoices(vaultId: string): Promise<Invoice[]> {
    const dir = layout.invoicesDir(this.dataDir, vaultId);
    let names: string[];
    try {
      // A shard whose file was lost but whose previous generation is there is read (and recovered) too.
      names = [...new Set((await readdir(dir)).flatMap((name) => /^[0-9a-f]{3}\.json(?=(\.prev)?$)/.exec(name) ?? []))].sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const shards = await Promise.all(
      names.map((name) => this.load<InvoiceShard>(`${dir}/${name}`, () => ({ invoices: {} }))),
    );
    return shards.flatMap((shard) => Object.values(shard.invoices));
  }

  async invoice(vaultId: string, id: string): Promise<Invoice | undefined> {
    const shard = await this.load<InvoiceShard>(layout.shard(this.dataDir, vaultId, shardOf(id)), () => ({
      invoices: {},
    }));
    return shard.invoices[id];
  }

  /** Finds an invoice by id in whichever vault holds it. */
  async findInvoice(id: string): Promise<Invoice | undefined> {
    const settings = await this.settings();
    for (const vault of settings.vaults) {
      const found = await this.invoice(vault.id, id.trim().toUpperCase());
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Runs `apply` under the data-dir lock against fresh copies of what it touches, then writes
   * the files it changed. If `apply` throws, nothing is written.
   */
  transact<T>(apply: (tx: Transaction) => Promise<T> | T): Promise<T> {
    // Transactions of one process queue behind each other; the file lock orders processes.
    const run = this.chain.then(() => this.runTransaction(apply));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async runTransaction<T>(apply: (tx: Transaction) => Promise<T> | T): Promise<T> {
    await mkdir(this.dataDir, { recursive: true });
    const lock = await acquireLock(this.dataDir, {
      user: this.options.user,
      command: this.options.command,
      timeoutMs: lockTimeout(this.options),
    });
    try {
      const settingsText = JSON.stringify(await this.settings());
      const tx = new Transaction(this, JSON.parse(settingsText) as Settings, settingsText);
      const result = await apply(tx);
      this.lastCommit = await tx.commit();
      return result;
    } finally {
      await lock.release();
    }
  }

  /**
   * Reads a file, or returns the copy in memory if no one has replaced it since. A store file
   * that does not parse is moved aside and its previous generation (NAME.prev) takes its place;
   * one that is missing while its previous generation is there (a write that died between its
   * renames, a file deleted by hand) is recovered the same way. Both are reported.
   */
  async load<T>(path: string, fallback: () => T, options: LoadOptions = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let version: FileVersion | null = null;
      try {
        version = versionOf(await stat(path));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      const file = new JsonFile<T | null>(path, { mode: options.mode });
      if (version === null) {
        this.cache.delete(path);
        // Another process racing to recover the same file: after a few rounds, take what is there.
        if (attempt < 3 && (await this.recoverMissing(file, options))) continue;
        return fallback();
      }
      const cached = this.cache.get(path);
      if (cached && sameVersion(cached.version, version)) return cached.data as T;
      const db = new Low<T | null>(file, null);
      try {
        await db.read();
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        if (attempt < 3 && (await this.recoverDamaged(file, error.reason, options))) continue;
        return fallback();
      }
      if (db.data === null) return fallback();
      if (options.cache !== false) this.cache.set(path, { version: file.version, data: db.data });
      return db.data;
    }
  }

  /** Fresh, private copy of a file for a transaction to change. */
  async loadForUpdate<T>(path: string, fallback: () => T, options: LoadOptions = {}): Promise<T> {
    return structuredClone(await this.load(path, fallback, options));
  }

  async save<T>(path: string, data: T, mode?: number): Promise<number> {
    await mkdir(dirname(path), { recursive: true });
    const file = new JsonFile<T>(path, { mode, keepPrevious: true });
    const db = new Low<T>(file, data);
    await db.write();
    this.cache.set(path, { version: file.version, data });
    return file.bytesWritten;
  }

  /** True when the file should be read again: its previous generation was put back in its place. */
  private async recoverMissing<T>(file: JsonFile<T>, options: LoadOptions): Promise<boolean> {
    const previous = await file.readPrevious();
    if (!previous) return false;
    await options.beforeRecovery?.();
    if (await file.restorePrevious()) {
      this.report(`${file.path} was missing; recovered the previous version from ${previous.writtenAt.toISOString()}`);
    }
    return true;
  }

  /**
   * Moves a damaged file aside and puts its previous generation in its place. True when the file
   * should be read again (recovered, or replaced by another process meanwhile).
   */
  private async recoverDamaged<T>(file: JsonFile<T>, reason: string, options: LoadOptions): Promise<boolean> {
    await options.beforeRecovery?.();
    const aside = await file.quarantine();
    // Another process moved or replaced it first; its report stands.
    if (aside === null) return true;
    this.cache.delete(file.path);
    const previous = await file.readPrevious();
    if (previous) {
      if (await file.restorePrevious()) {
        this.report(
          `${file.path} was damaged (${reason}); recovered the previous version from ${previous.writtenAt.toISOString()}; ` +
            `the damaged file is at ${aside} — look at it, then remove it`,
        );
      }
      return true;
    }
    this.report(
      `${file.path} could not be read (${reason}) and no earlier good version of it exists; it was moved to ${aside} and ` +
        `apdesk carries on without it — restore a good copy of it, or remove the .corrupt file once you have looked at it`,
    );
    return false;
  }

  /** A problem for the person at the keyboard: kept in `problems` and passed to onProblem. */
  report(message: string): void {
    this.problems.push(message);
    this.options.onProblem?.(message);
  }

  /**
   * True only when the data dir holds nothing of the store: no settings or secrets file in any
   * generation (current, .prev, .corrupt-*, a temp file) and no vaults folder. A data dir that
   * is not empty is never treated as new, even when nothing in it could be read.
   */
  async isEmpty(): Promise<boolean> {
    let names: string[];
    try {
      names = await readdir(this.dataDir);
    } catch (error) {
      if (isMissing(error)) return true;
      throw error;
    }
    return !names.some((name) => name === 'vaults' || /^\.?(settings|secrets)\.json/.test(name));
  }

  private async ensureSchema(): Promise<void> {
    // Schema 1 files may not carry a version at all.
    const version = (await this.settings()).schemaVersion ?? 1;
    if (version > SCHEMA_VERSION) {
      throw new UserError(
        `the data dir ${this.dataDir} was written by a newer apdesk (schema ${version}; this one knows ${SCHEMA_VERSION}) — upgrade apdesk`,
      );
    }
    if (version < SCHEMA_VERSION && (await this.initialized())) {
      await this.transact((tx) => runMigrations(tx));
    }
  }
}

export class Transaction {
  readonly now = new Date().toISOString();
  private readonly shards = new Map<string, { data: InvoiceShard; own: Set<string>; dirty: boolean }>();
  private secretsDraft: { data: Secrets; original: string } | null = null;
  private readonly afterCommitHooks: (() => Promise<void>)[] = [];

  constructor(
    readonly store: Store,
    /** This transaction's copy of the settings; change it freely. */
    readonly settings: Settings,
    private readonly settingsOriginal: string,
  ) {
    // A new data dir: whoever first writes to it is its admin.
    if (settings.createdAt === null && settings.users.length === 0) {
      settings.users.push({ name: store.user, roles: ['admin', 'processor', 'reviewer'] });
    }
  }

  get user(): string {
    return this.store.user;
  }

  get dataDir(): string {
    return this.store.dataDir;
  }

  /**
   * The transaction's view of one shard: a shallow copy of the stored record, so an edit never
   * clones the other invoices of the shard; each invoice is cloned only when it is read here.
   */
  private async shard(vaultId: string, invoiceId: string) {
    const path = layout.shard(this.dataDir, vaultId, shardOf(invoiceId));
    let entry = this.shards.get(path);
    if (!entry) {
      const stored = await this.store.load<InvoiceShard>(path, () => ({ invoices: {} }));
      entry = { data: { invoices: { ...stored.invoices } }, own: new Set<string>(), dirty: false };
      this.shards.set(path, entry);
    }
    return entry;
  }

  async getInvoice(vaultId: string, invoiceId: string): Promise<Invoice | undefined> {
    const entry = await this.shard(vaultId, invoiceId);
    const found = entry.data.invoices[invoiceId];
    if (!found || entry.own.has(invoiceId)) return found;
    const copy = structuredClone(found);
    entry.data.invoices[invoiceId] = copy;
    entry.own.add(invoiceId);
    return copy;
  }

  async putInvoice(invoice: Invoice): Promise<void> {
    const entry = await this.shard(invoice.vaultId, invoice.id);
    entry.data.invoices[invoice.id] = invoice;
    entry.own.add(invoice.id);
    entry.dirty = true;
  }

  /** Issues the next free manual invoice id (never one already on disk, even after a crash). */
  async nextInvoiceId(vaultId: string): Promise<InvoiceId> {
    for (;;) {
      this.settings.counters.invoice += 1;
      const id = manualInvoiceId(this.settings.counters.invoice);
      if (!(await this.getInvoice(vaultId, id))) return id;
    }
  }

  /** Work that must happen only once this transaction is on disk (still under the lock). */
  afterCommit(hook: () => Promise<void>): void {
    this.afterCommitHooks.push(hook);
  }

  async secrets(): Promise<Secrets> {
    if (!this.secretsDraft) {
      const data = await this.store.loadForUpdate(layout.secrets(this.dataDir), emptySecrets, { mode: 0o600 });
      this.secretsDraft = { data, original: JSON.stringify(data) };
    }
    return this.secretsDraft.data;
  }

  /** Writes what changed: settings first (counters), then secrets, then invoice shards. */
  async commit(): Promise<CommitStats> {
    const stats: CommitStats = { files: 0, bytes: 0 };
    const add = (bytes: number) => {
      stats.files += 1;
      stats.bytes += bytes;
    };
    const firstWrite = this.settings.createdAt === null;
    if (firstWrite) this.settings.createdAt = this.now;
    const settingsText = JSON.stringify(this.settings);
    if (firstWrite || settingsText !== this.settingsOriginal) {
      add(await this.store.save(layout.settings(this.dataDir), this.settings));
    }
    if (firstWrite) await this.secrets();
    if (this.secretsDraft && (firstWrite || JSON.stringify(this.secretsDraft.data) !== this.secretsDraft.original)) {
      add(await this.store.save(layout.secrets(this.dataDir), this.secretsDraft.data, 0o600));
    }
    for (const [path, entry] of this.shards) {
      if (entry.dirty) add(await this.store.save(path, entry.data));
    }
    for (const hook of this.afterCommitHooks) await hook();
    return stats;
  }
}

/** A data dir that cannot be one says so before anything reads or writes (a missing one is made). */
async function checkDataDir(dataDir: string): Promise<void> {
  try {
    if (!(await stat(dataDir)).isDirectory()) {
      throw new UserError(`data dir ${dataDir} is a file, not a directory — give --data-dir a directory (a missing one is created)`);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UserError(`data dir ${dataDir} cannot be a directory: part of its path is a file — give --data-dir another directory`);
    if (code === 'EACCES') throw new UserError(`data dir ${dataDir} cannot be reached: permission denied — give --data-dir a directory you may read and write`);
    throw error;
  }
}
