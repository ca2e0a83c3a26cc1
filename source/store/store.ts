// The store: lowdb documents on the real disk, shared safely by several apdesk processes.
// Reads need no lock and re-read only files another process has replaced. Every mutation is a
// transaction: take the data-dir lock, re-read what changed, apply, write the changed files
// atomically (keeping the previous generation as NAME.prev), release. A file that does not parse
// is moved aside, never overwritten, and its previous generation takes its place, reported.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Low } from 'lowdb';
import { UserError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { emptySyncState, type SyncState } from '../domain/sync.js';
import { manualInvoiceId, type InvoiceId, type VaultId } from '../domain/ids.js';
import { CorruptFileError, JsonFile, sameVersion, versionOf, type FileVersion } from '../disk/json-file.js';
import { acquireLock } from './lock.js';
import { LOCK_FILE } from '../disk/lock.js';
import { layout, shardOf } from './layout.js';
import {
  addToCounts,
  countsOf,
  duplicateKey,
  keysOf,
  pageOfUnsorted,
  plainRow,
  requisitionKey,
  fileHashKey,
  rowOf,
  type IndexRow,
  type InvoiceCounts,
  type InvoicePage,
  type InvoiceQuery,
} from './index-rows.js';
import {
  emptyHead,
  IndexDamage,
  IndexWriter,
  noteRecoveredShard,
  VaultIndexFiles,
  type IndexChanges,
  type IndexHead,
  type RebuildResult,
} from './vault-index.js';
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

/**
 * What the index answers, the same on the Store (committed data, no lock) and in a Transaction
 * (which also sees its own uncommitted puts). Rows are shared: treat them as read-only.
 */
export interface InvoiceIndexView {
  /** Invoices per status, per queue, per queue and status, and in all. */
  invoiceCounts(vaultId: string): Promise<InvoiceCounts>;
  /** Rows matching a filter, sorted, one page of them, and how many match in all. */
  invoicePage(vaultId: string, query: InvoiceQuery): Promise<InvoicePage>;
  /**
   * The invoices of a vendor with an invoice number, compared as validation compares them
   * (trimmed, any case), sorted by id. All statuses: validation leaves out rejected ones and the
   * invoice it checks.
   */
  invoicesByNumber(vaultId: string, vendor: string | null, invoiceNumber: string | null): Promise<IndexRow[]>;
  /** The invoice imported from a Procore requisition, if any. */
  invoiceForRequisition(vaultId: string, companyId: string, requisitionId: string): Promise<InvoiceId | undefined>;
  /** One invoice's row. */
  indexRow(vaultId: string, invoiceId: string): Promise<IndexRow | undefined>;
}

/** Transactions of this process, so a read made inside one repairs the index under its lock. */
const currentTransaction = new AsyncLocalStorage<Transaction>();

/** Runs `work` as the transaction's; once it is over, work it started that is still running no longer counts as holding the lock. */
async function holding<T>(tx: Transaction, work: () => Promise<T>): Promise<T> {
  try {
    return await currentTransaction.run(tx, work);
  } finally {
    tx.lockHeld = false;
  }
}

const emptyShard = (): InvoiceShard => ({ invoices: {} });
const byId = (a: IndexRow, b: IndexRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rows of the invoices with a lookup key, from the committed index. */
async function lookupRows(files: VaultIndexFiles, head: IndexHead, key: string, skip?: ReadonlyMap<string, unknown>): Promise<IndexRow[]> {
  const rows: IndexRow[] = [];
  for (const id of await files.lookup(key, head)) {
    if (skip?.has(id)) continue;
    const row = await files.row(shardOf(id), id, head);
    if (row) rows.push(plainRow(row));
  }
  return rows;
}

/** A page as the store hands it out: plain rows (see plainRow). */
function plainPage(page: InvoicePage): InvoicePage {
  return { total: page.total, rows: page.rows.map(plainRow) };
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

/**
 * What a data dir may hold and still count as holding nothing: the README the repository ships in
 * its own data/ (a fresh clone's `npm start` makes the demo there), the log of an earlier start,
 * the lock.
 */
const SHIPPED_OR_HARMLESS = new Set(['README.md', '.gitignore', '.gitkeep', 'logs', LOCK_FILE]);

export class Store implements InvoiceIndexView {
  readonly problems: string[] = [];
  /** What the last transaction wrote: benchmarks and tests read it. */
  lastCommit: CommitStats = { files: 0, bytes: 0 };
  private readonly cache = new Map<string, Cached>();
  private readonly indexes = new Map<string, VaultIndexFiles>();
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

  /**
   * Removes the document folders of transactions that died before their commit (their notes in
   * documents-pending/), for invoices that never reached the disk. Costs one small readdir when
   * there is nothing to do; takes the lock only when there is.
   */
  async clearUnfinishedDocuments(vaultId: string): Promise<void> {
    const names = await readdir(layout.documentNotes(this.dataDir, vaultId)).catch(() => [] as string[]);
    if (!names.length) return;
    await this.transact((tx) => tx.clearDeadDocumentNotes(vaultId));
  }

  /** A vault's sync state (watermarks, waiting and failed imports, job runs), read-only. */
  async syncState(vaultId: string): Promise<SyncState> {
    return this.load(layout.syncState(this.dataDir, vaultId), emptySyncState);
  }

  async invoices(vaultId: string): Promise<Invoice[]> {
    const shards = await Promise.all((await this.shardsOnDisk(vaultId)).map((shard) => this.readShard(vaultId, shard)));
    return shards.flatMap((shard) => Object.values(shard.invoices));
  }

  async invoice(vaultId: string, id: string): Promise<Invoice | undefined> {
    return (await this.readShard(vaultId, shardOf(id))).invoices[id];
  }

  /**
   * Every invoice of a vault, shard by shard, without keeping them in this store's memory: for
   * streaming a whole vault out. Shards already in memory are used as they are.
   */
  async *scanInvoices(vaultId: string): AsyncGenerator<Invoice> {
    const shards = await this.shardsOnDisk(vaultId);
    // A few shards are read ahead, so the disk and the parser keep busy while the consumer works.
    const AHEAD = 4;
    const read = (i: number) => {
      const pending = this.readShard(vaultId, shards[i]!, { cache: false });
      // A consumer that stops early must not leave a rejection unheard.
      pending.catch(() => undefined);
      return pending;
    };
    const queue = shards.slice(0, AHEAD).map((_, i) => read(i));
    for (let i = 0; i < shards.length; i++) {
      const current = await queue.shift()!;
      if (i + AHEAD < shards.length) queue.push(read(i + AHEAD));
      yield* Object.values(current.invoices);
    }
  }


  /** Shard numbers of a vault on disk, counting one whose file was lost but whose previous generation is there. */
  async shardsOnDisk(vaultId: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(layout.invoicesDir(this.dataDir, vaultId));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const shards = new Set<number>();
    for (const name of names) {
      const match = /^([0-9a-f]{3})\.json(\.prev)?$/.exec(name);
      if (match) shards.add(parseInt(match[1]!, 16));
    }
    return [...shards].sort((a, b) => a - b);
  }

  /** A shard as stored. A recovery from its previous generation first notes the shard for the index. */
  readShard(vaultId: string, shard: number, options: LoadOptions = {}): Promise<InvoiceShard> {
    return this.load<InvoiceShard>(layout.shard(this.dataDir, vaultId, shard), emptyShard, {
      beforeRecovery: () => noteRecoveredShard(this.indexFiles(vaultId), shard),
      ...options,
    });
  }

  // ---- the invoice index (see vault-index.ts for how it stays in step with the shards) ----

  /** This process's view of a vault's index files. For the store and its transactions only. */
  indexFiles(vaultId: string): VaultIndexFiles {
    let files = this.indexes.get(vaultId);
    if (!files) {
      files = new VaultIndexFiles(this.dataDir, vaultId as VaultId);
      this.indexes.set(vaultId, files);
    }
    return files;
  }

  async invoiceCounts(vaultId: string): Promise<InvoiceCounts> {
    return this.readIndex(vaultId, async (_files, head) => countsOf(head.counts));
  }

  async invoicePage(vaultId: string, query: InvoiceQuery): Promise<InvoicePage> {
    return this.readIndex(vaultId, async (files, head) => plainPage((await files.allRows(head)).page(query)));
  }

  async invoicesByNumber(vaultId: string, vendor: string | null, invoiceNumber: string | null): Promise<IndexRow[]> {
    const key = duplicateKey(vendor, invoiceNumber);
    if (key === null) return [];
    return this.readIndex(vaultId, async (files, head) => (await lookupRows(files, head, key)).sort(byId));
  }

  /** The invoices whose document was made from a file with this sha256 (the same file added again). */
  async invoicesByFileHash(vaultId: string, sha256: string): Promise<IndexRow[]> {
    const key = fileHashKey(sha256);
    return this.readIndex(vaultId, async (files, head) => (await lookupRows(files, head, key)).sort(byId));
  }

  async invoiceForRequisition(vaultId: string, companyId: string, requisitionId: string): Promise<InvoiceId | undefined> {
    const key = requisitionKey(companyId, requisitionId);
    return this.readIndex(vaultId, async (files, head) => (await lookupRows(files, head, key)).sort(byId)[0]?.id);
  }

  async indexRow(vaultId: string, invoiceId: string): Promise<IndexRow | undefined> {
    return this.readIndex(vaultId, async (files, head) => {
      const row = await files.row(shardOf(invoiceId), invoiceId, head);
      return row && plainRow(row);
    });
  }

  /** Rebuilds a vault's index from its invoice files, under the lock. */
  rebuildIndex(vaultId: string): Promise<RebuildResult> {
    return this.underLock(vaultId, (writer) => writer.rebuild('all', null));
  }

  /**
   * Reads the index without the lock, and trusts the result only if no write overlapped it: no
   * pending note before or after, and the same head file. Notes, a missing index and damage are
   * settled under the lock, then the read starts again.
   */
  private async readIndex<T>(vaultId: string, read: (files: VaultIndexFiles, head: IndexHead) => Promise<T>): Promise<T> {
    const files = this.indexFiles(vaultId);
    for (let attempt = 0; ; attempt++) {
      // Writes kept overlapping the read: read under the lock instead.
      if (attempt >= 5) return this.underLock(vaultId, (writer) => writer.guarded((head) => read(files, head)));
      if (files.pendingNotes().length > 0) {
        await this.underLock(vaultId, (writer) => writer.settle());
        continue;
      }
      let found: Awaited<ReturnType<VaultIndexFiles['readHead']>>;
      try {
        found = await files.readHead();
      } catch (error) {
        if (!(error instanceof IndexDamage)) throw error;
        await this.underLock(vaultId, (writer) => writer.settle());
        continue;
      }
      if (found === null && (await this.shardsOnDisk(vaultId)).length > 0) {
        await this.underLock(vaultId, (writer) => writer.settle());
        continue;
      }
      let result: T;
      try {
        result = await read(files, found?.head ?? emptyHead());
      } catch (error) {
        if (!(error instanceof IndexDamage)) throw error;
        // Damage seen while a writer was at work is no damage: read again. Otherwise read under
        // the lock, which repairs what is still damaged there.
        if (this.indexMoved(files, found)) continue;
        return this.underLock(vaultId, (writer) => writer.guarded((head) => read(files, head)));
      }
      if (!this.indexMoved(files, found)) return result;
    }
  }

  private indexMoved(files: VaultIndexFiles, found: { version: FileVersion } | null): boolean {
    if (files.pendingNotes().length > 0) return true;
    const now = files.headVersion();
    return found === null ? now !== null : !sameVersion(found.version, now);
  }

  /**
   * Index work under the lock: inside a transaction of this store, under its lock; otherwise
   * under a lock of its own, queued with the transactions, committing nothing else (a data dir
   * whose settings are gone must not get new ones from a read).
   */
  private underLock<T>(vaultId: string, work: (writer: IndexWriter) => Promise<T>): Promise<T> {
    const inside = currentTransaction.getStore();
    if (inside && inside.store === this && inside.lockHeld) return work(inside.indexWriter(vaultId));
    return this.locked(async (token) => {
      const settings = await this.settings();
      const tx = new Transaction(this, structuredClone(settings), JSON.stringify(settings), token);
      return holding(tx, () => work(tx.indexWriter(vaultId)));
    });
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
    return this.locked(async (token) => {
      const settingsText = JSON.stringify(await this.settings());
      const tx = new Transaction(this, JSON.parse(settingsText) as Settings, settingsText, token);
      return holding(tx, async () => {
        const result = await apply(tx);
        this.lastCommit = await tx.commit();
        return result;
      });
    });
  }

  /** Runs `work` holding the data-dir lock (its token given), after this process's earlier work. */
  private locked<T>(work: (token: string) => Promise<T>): Promise<T> {
    // Work of one process queues behind each other; the file lock orders processes.
    const run = this.chain.then(async () => {
      await mkdir(this.dataDir, { recursive: true });
      const lock = await acquireLock(this.dataDir, {
        user: this.options.user,
        command: this.options.command,
        timeoutMs: lockTimeout(this.options),
      });
      try {
        return await work(lock.holder.token);
      } finally {
        await lock.release();
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
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

  /** Something apdesk derived and may reuse (a parsed ledger); undefined when absent or unreadable. */
  async readCache<T>(name: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(layout.cache(this.dataDir, name), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /** Saves a derived value whole; a cache that cannot be written is only a slower next start. */
  async writeCache(name: string, data: unknown): Promise<void> {
    const path = layout.cache(this.dataDir, name);
    try {
      await mkdir(dirname(path), { recursive: true });
      await new JsonFile(path, { durable: false }).write(data);
    } catch {
      /* the next reader parses again */
    }
  }

  /**
   * True only when the data dir holds nothing: a settings file in any generation (.prev,
   * .corrupt-*), a vaults folder or a stranger's file all make it not new, even when nothing in
   * it could be read.
   */
  async isEmpty(): Promise<boolean> {
    return (await this.contents()).length === 0;
  }

  /**
   * What the data dir holds, by name, besides what a start leaves behind without writing any data
   * (the log, the data-dir lock): anyone's files count, not only the store's.
   */
  async contents(): Promise<string[]> {
    try {
      return (await readdir(this.dataDir)).filter((name) => !SHIPPED_OR_HARMLESS.has(name)).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
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

/** The rows of the invoices a transaction has put, and their lookup keys. */
class PutRows {
  readonly rows = new Map<string, IndexRow>();
  readonly keys = new Map<string, Set<string>>();

  put(row: IndexRow): void {
    const before = this.rows.get(row.id);
    if (before) for (const key of keysOf(before)) this.keys.get(key)?.delete(row.id);
    this.rows.set(row.id, row);
    for (const key of keysOf(row)) {
      const ids = this.keys.get(key) ?? new Set<string>();
      ids.add(row.id);
      this.keys.set(key, ids);
    }
  }
}

interface ShardEntry {
  vaultId: string;
  shard: number;
  data: InvoiceShard;
  own: Set<string>;
  dirty: boolean;
}

export class Transaction implements InvoiceIndexView {
  readonly now = new Date().toISOString();
  /** Whether the transaction still holds the data-dir lock (false once it is over). */
  lockHeld = true;
  private readonly shards = new Map<string, ShardEntry>();
  private readonly writers = new Map<string, IndexWriter>();
  /** Per vault: rows as of each putInvoice, so index reads in the transaction see its own writes. */
  private readonly puts = new Map<string, PutRows>();
  private secretsDraft: { data: Secrets; original: string } | null = null;
  private readonly syncDrafts = new Map<string, { data: SyncState; original: string }>();
  /** Per vault: the document folders this transaction wrote, noted on disk until it commits. */
  private readonly documentNotes = new Map<string, Set<string>>();
  private readonly afterCommitHooks: (() => Promise<void>)[] = [];

  constructor(
    readonly store: Store,
    /** This transaction's copy of the settings; change it freely. */
    readonly settings: Settings,
    private readonly settingsOriginal: string,
    /** The lock's token: names this transaction's pending notes. */
    private readonly lockToken: string,
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
  private async shard(vaultId: string, invoiceId: string): Promise<ShardEntry> {
    const shard = shardOf(invoiceId);
    const path = layout.shard(this.dataDir, vaultId, shard);
    let entry = this.shards.get(path);
    if (!entry) {
      const stored = await this.store.readShard(vaultId, shard);
      entry = { vaultId, shard, data: { invoices: { ...stored.invoices } }, own: new Set<string>(), dirty: false };
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

  /**
   * Records an invoice. Index reads in this transaction see it as it is now; the index written
   * at commit describes it as it is then.
   */
  async putInvoice(invoice: Invoice): Promise<void> {
    const entry = await this.shard(invoice.vaultId, invoice.id);
    entry.data.invoices[invoice.id] = invoice;
    entry.own.add(invoice.id);
    entry.dirty = true;
    const puts = this.puts.get(invoice.vaultId) ?? new PutRows();
    puts.put(rowOf(invoice, this.store.indexFiles(invoice.vaultId).intern));
    this.puts.set(invoice.vaultId, puts);
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

  /** The vault's sync state for this transaction to change; written at commit if it changed. */
  async syncState(vaultId: string): Promise<SyncState> {
    let draft = this.syncDrafts.get(vaultId);
    if (!draft) {
      const data = await this.store.loadForUpdate(layout.syncState(this.dataDir, vaultId), emptySyncState);
      draft = { data, original: JSON.stringify(data) };
      this.syncDrafts.set(vaultId, draft);
    }
    return draft.data;
  }

  /**
   * Notes (durably) that this transaction is writing an invoice's document folder. The first note
   * in a vault first clears the notes of transactions that died before their commit — under the
   * data-dir lock, any note but this one's is such — removing the folders they wrote for invoices
   * that never reached the disk.
   */
  async noteDocumentFolder(vaultId: string, invoiceId: string): Promise<void> {
    const dir = layout.documentNotes(this.dataDir, vaultId);
    let ids = this.documentNotes.get(vaultId);
    if (!ids) {
      await this.clearDeadDocumentNotes(vaultId);
      ids = new Set();
      this.documentNotes.set(vaultId, ids);
      this.afterCommit(async () => {
        await rm(join(dir, `${this.lockToken}.json`), { force: true });
      });
    }
    ids.add(invoiceId);
    await mkdir(dir, { recursive: true });
    await new JsonFile<string[]>(join(dir, `${this.lockToken}.json`), { keepPrevious: false }).write([...ids]);
  }

  /** Clears the notes of transactions that died before their commit (see noteDocumentFolder). */
  async clearDeadDocumentNotes(vaultId: string): Promise<void> {
    const dir = layout.documentNotes(this.dataDir, vaultId);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === `${this.lockToken}.json`) continue;
      const path = join(dir, name);
      let ids: string[] = [];
      try {
        ids = JSON.parse(await readFile(path, 'utf8')) as string[];
      } catch {
        // A note torn by the crash itself names nothing for certain: its folders stay.
      }
      for (const id of Array.isArray(ids) ? ids : []) {
        if (typeof id === 'string' && !(await this.getInvoice(vaultId, id))) {
          await rm(join(this.dataDir, layout.documentsRel(vaultId, id)), { recursive: true, force: true });
          await rm(join(this.dataDir, `${layout.documentsRel(vaultId, id)}.tmp`), { recursive: true, force: true });
        }
      }
      await rm(path, { force: true });
    }
  }

  // ---- the invoice index, as this transaction sees it ----

  /** The index of a vault under this transaction's lock. For the store and migrations only. */
  indexWriter(vaultId: string): IndexWriter {
    let writer = this.writers.get(vaultId);
    if (!writer) {
      const store = this.store;
      writer = new IndexWriter(
        store.indexFiles(vaultId),
        {
          onDisk: () => store.shardsOnDisk(vaultId),
          // A rebuild reads the recovered shard itself: no note needed.
          read: async (shard) => Object.values((await store.readShard(vaultId, shard, { cache: false, beforeRecovery: async () => undefined })).invoices),
        },
        (message) => store.report(message),
        `${this.lockToken}.json`,
      );
      this.writers.set(vaultId, writer);
    }
    return writer;
  }

  async invoiceCounts(vaultId: string): Promise<InvoiceCounts> {
    const writer = this.indexWriter(vaultId);
    return writer.guarded(async (head) => {
      const matrix = structuredClone(head.counts);
      for (const row of this.puts.get(vaultId)?.rows.values() ?? []) {
        const before = await writer.files.row(shardOf(row.id), row.id, head);
        if (before) addToCounts(matrix, before, -1);
        addToCounts(matrix, row, 1);
      }
      return countsOf(matrix);
    });
  }

  async invoicePage(vaultId: string, query: InvoiceQuery): Promise<InvoicePage> {
    const writer = this.indexWriter(vaultId);
    return writer.guarded(async (head) => {
      const committed = await writer.files.allRows(head);
      const puts = this.puts.get(vaultId);
      if (!puts || puts.rows.size === 0) return plainPage(committed.page(query));
      const merged = committed.rows().filter((row) => !puts.rows.has(row.id));
      merged.push(...puts.rows.values());
      return plainPage(pageOfUnsorted(merged, query));
    });
  }

  async invoicesByNumber(vaultId: string, vendor: string | null, invoiceNumber: string | null): Promise<IndexRow[]> {
    const key = duplicateKey(vendor, invoiceNumber);
    return key === null ? [] : this.lookup(vaultId, key);
  }

  async invoiceForRequisition(vaultId: string, companyId: string, requisitionId: string): Promise<InvoiceId | undefined> {
    return (await this.lookup(vaultId, requisitionKey(companyId, requisitionId)))[0]?.id;
  }

  async indexRow(vaultId: string, invoiceId: string): Promise<IndexRow | undefined> {
    const put = this.puts.get(vaultId)?.rows.get(invoiceId);
    if (put) return put;
    const writer = this.indexWriter(vaultId);
    return writer.guarded(async (head) => {
      const row = await writer.files.row(shardOf(invoiceId), invoiceId, head);
      return row && plainRow(row);
    });
  }

  /** Rebuilds a vault's index from the invoice files on disk (what this transaction put is added at commit). */
  rebuildIndex(vaultId: string): Promise<RebuildResult> {
    return this.indexWriter(vaultId).rebuild('all', null);
  }

  private async lookup(vaultId: string, key: string): Promise<IndexRow[]> {
    const writer = this.indexWriter(vaultId);
    const puts = this.puts.get(vaultId);
    return writer.guarded(async (head) => {
      const rows = await lookupRows(writer.files, head, key, puts?.rows);
      for (const id of puts?.keys.get(key) ?? []) rows.push(puts!.rows.get(id)!);
      return rows.sort(byId);
    });
  }

  /**
   * Writes what changed: settings first (counters), then secrets, then for each vault a pending
   * note, then its invoice shards and index files; the notes go once all is written.
   */
  async commit(): Promise<CommitStats> {
    const stats: CommitStats = { files: 0, bytes: 0 };
    const add = (bytes: number) => {
      stats.files += 1;
      stats.bytes += bytes;
    };
    // The index changes are worked out before anything is written: damage found in the index is
    // repaired now, and a failure here writes nothing.
    const changedShards = new Map<string, Map<number, Invoice[]>>();
    for (const entry of this.shards.values()) {
      if (!entry.dirty) continue;
      const shards = changedShards.get(entry.vaultId) ?? new Map<number, Invoice[]>();
      shards.set(entry.shard, Object.values(entry.data.invoices));
      changedShards.set(entry.vaultId, shards);
    }
    const indexChanges = new Map<string, IndexChanges>();
    for (const [vaultId, shards] of changedShards) indexChanges.set(vaultId, await this.indexWriter(vaultId).prepare(shards));

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
    for (const [vaultId, shards] of changedShards) add(await this.indexWriter(vaultId).beginCommit([...shards.keys()]));

    // With the notes in place, shards and index files may be written in any order: a reader
    // waits while a note is there, and a crash leaves the note to be worked off. So they are
    // written side by side, a few at a time.
    const writes: (() => Promise<void>)[] = [];
    for (const [path, entry] of this.shards) {
      if (entry.dirty) writes.push(async () => add(await this.store.save(path, entry.data)));
    }
    for (const [vaultId, changes] of indexChanges) {
      writes.push(async () => {
        const written = await this.indexWriter(vaultId).write(changes);
        stats.files += written.files;
        stats.bytes += written.bytes;
      });
    }
    await inTurns(writes, PARALLEL_WRITES);
    for (const vaultId of changedShards.keys()) await this.indexWriter(vaultId).endCommit();
    // The sync state goes last: a watermark must never be on disk before the invoices it passed
    // over. A crash before it leaves the watermark where it was, and the next poll sees them again.
    for (const [vaultId, draft] of this.syncDrafts) {
      if (JSON.stringify(draft.data) !== draft.original) add(await this.store.save(layout.syncState(this.dataDir, vaultId), draft.data));
    }
    for (const hook of this.afterCommitHooks) await hook();
    return stats;
  }
}

/** Files a commit writes at once: enough to overlap their waits, few enough to bound memory. */
const PARALLEL_WRITES = 4;

/** Runs tasks, at most `limit` at a time; the first failure is thrown once all have settled. */
async function inTurns(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failures.length > 0) throw failures[0];
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
