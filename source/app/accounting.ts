// A vault's accounting side: bridging it to a folder of Sage CSV exports (or the demo ledger),
// opening that bridge for validation, export and the check backfiller, and a summary of what the
// ledger holds now.
import { access, constants, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AccountingBridge, LoadProblem } from '../accounting/bridge.js';
import type { LedgerKind } from '../accounting/ledger-files.js';
import { remedy, UserError } from '../domain/errors.js';
import type { Ledger } from '../domain/ledger.js';
import { requireAdmin, requireVault, type LedgerConfig, type Vault } from '../domain/vault.js';
import type { DeskContext } from './context.js';

export type LedgerCounts = Record<LedgerKind, number>;

// The bridge reads CSV with csv-parse and checks rows with zod (~0.15 s to load): only the
// services that read or write the ledger pay for it, when they first run.
const bridgeModule = () => import('../accounting/bridge.js');
const ledgerFiles = () => import('../accounting/ledger-files.js');

function problemText(problem: LoadProblem): string {
  return `${problem.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.message}`;
}

export async function ledgerCounts(ledger: Ledger): Promise<LedgerCounts> {
  const { LEDGER_KINDS } = await ledgerFiles();
  return Object.fromEntries(LEDGER_KINDS.map((kind) => [kind, ledger[kind].length])) as LedgerCounts;
}

/** How long the demo ledger waits before it pays an exported invoice. */
export const DEMO_PAY_AFTER_SECONDS = 60;

export interface AccountingImport {
  vault: Vault;
  dir: string;
  counts: LedgerCounts;
  problems: LoadProblem[];
  loadedAt: string;
}

async function requireFolder(dir: string): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    throw new UserError(`the folder ${dir} does not exist — give --dir the folder the Sage export job writes to`);
  }
  if (!isDir) throw new UserError(`${dir} is a file, not a folder — give --dir the folder that holds vendors.csv, jobs.csv, …`);
}

/**
 * Bridges a vault to a CSV folder. The folder is loaded first, outside the data-dir lock; if a
 * file cannot be used (missing, no header, a required column missing) nothing is stored.
 */
export async function importAccountingFolder(desk: DeskContext, input: { vault: string; dir: string }): Promise<AccountingImport> {
  const before = await desk.store.settings();
  const known = requireVault(before.vaults, input.vault);
  requireAdmin(before.users, desk.user, 'import an accounting folder');
  const dir = resolve(input.dir);
  await requireFolder(dir);
  const { ledger, problems } = await (await bridgeModule()).openBridge({ kind: 'csv-folder', dir }).load();
  const fatal = problems.filter((problem) => problem.fatal);
  if (fatal.length) {
    const more = fatal.length > 1 ? ` (and ${fatal.length - 1} more such problem${fatal.length > 2 ? 's' : ''})` : '';
    throw new UserError(`vault '${known.name}' was not bridged to ${dir}: ${problemText(fatal[0]!)}${more}`);
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    problems.push({ file: dir, line: null, message: 'apdesk cannot write to the folder, so exports to it will fail — give this user write access', fatal: false });
  }
  const vault = await desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'import an accounting folder');
    const found = requireVault(tx.settings.vaults, known.id);
    found.ledger = { kind: 'csv-folder', dir };
    return found;
  });
  return { vault, dir, counts: await ledgerCounts(ledger), problems, loadedAt: ledger.loadedAt };
}

/**
 * Makes `dir` (default DATA_DIR/ledger/VAULT) the vault's demo ledger, writing its files if they
 * are not there yet.
 */
export async function attachDemoLedger(
  desk: DeskContext,
  input: { vault: string; dir?: string; payAfterSeconds?: number },
): Promise<LedgerConfig> {
  const known = requireVault((await desk.store.settings()).vaults, input.vault);
  const dir = resolve(input.dir ?? join(desk.dataDir, 'ledger', known.id));
  const config: LedgerConfig = { kind: 'demo', dir, payAfterSeconds: input.payAfterSeconds ?? DEMO_PAY_AFTER_SECONDS };
  const { createDemoLedger } = await import('../accounting/demo-ledger.js');
  await createDemoLedger(dir);
  await desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'set up the demo ledger');
    requireVault(tx.settings.vaults, known.id).ledger = config;
  });
  return config;
}

/** A vault's bridge in the desk's cache: a new ledger configuration is a new bridge. */
function bridgeKey(vault: Vault): string {
  return `${vault.id}\u0000${JSON.stringify(vault.ledger)}`;
}

/** Why a vault cannot be validated, exported or paid: it is bridged to no accounting data yet. */
export function noAccountingData(vault: Vault): UserError {
  return new UserError(`vault '${vault.name}' has no accounting data yet — bridge it to the folder the Sage export job writes to`, {
    remedy: remedy('accounting.import', { vault: vault.id }),
  });
}

export async function openVaultBridge(desk: DeskContext, vaultRef: string): Promise<AccountingBridge> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  if (!vault.ledger) throw noAccountingData(vault);
  // One bridge per vault and configuration for the life of a desk: a long-running console or
  // sync keeps the parsed files in memory and re-reads only those that change.
  const key = bridgeKey(vault);
  const open = desk.bridges;
  let bridge = open.get(key);
  if (!bridge) {
    for (const other of open.keys()) if (other.startsWith(`${vault.id}\u0000`)) open.delete(other);
    bridge = (await bridgeModule()).openBridge(vault.ledger);
    open.set(key, bridge);
  }
  return bridge;
}

export interface LedgerFileSummary {
  kind: LedgerKind;
  file: string;
  required: boolean;
  present: boolean;
  /** ISO time the file last changed on disk; null when it is absent. */
  modifiedAt: string | null;
  rows: number;
}

export interface AccountingSummary {
  vault: { id: string; name: string };
  ledger: LedgerConfig;
  counts: LedgerCounts;
  files: LedgerFileSummary[];
  problems: LoadProblem[];
  /** When this summary loaded the ledger. */
  loadedAt: string;
}

export async function accountingSummary(desk: DeskContext, vaultRef: string): Promise<AccountingSummary> {
  const bridge = await openVaultBridge(desk, vaultRef);
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  const { ledger, problems } = await bridge.load();
  const { LEDGER_FILES, LEDGER_KINDS } = await ledgerFiles();
  const files = await Promise.all(
    LEDGER_KINDS.map(async (kind): Promise<LedgerFileSummary> => {
      const spec = LEDGER_FILES[kind];
      const info = await stat(join(resolve(bridge.config.dir), spec.file)).catch(() => null);
      return {
        kind,
        file: spec.file,
        required: spec.required,
        present: info !== null,
        modifiedAt: info ? info.mtime.toISOString() : null,
        rows: ledger[kind].length,
      };
    }),
  );
  return {
    vault: { id: vault.id, name: vault.name },
    ledger: bridge.config,
    counts: await ledgerCounts(ledger),
    files,
    problems,
    loadedAt: ledger.loadedAt,
  };
}

/** A file of the bridge folder as it was when the ledger was parsed; null when it was absent. */
type FileStamp = { ino: number; size: number; mtimeMs: number } | null;

interface ParsedLedger {
  dir: string;
  files: Record<string, FileStamp>;
  ledger: Ledger;
  problems: LoadProblem[];
}

async function stampOf(path: string): Promise<FileStamp> {
  const info = await stat(path).catch(() => null);
  return info ? { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs } : null;
}

const sameStamp = (a: FileStamp, b: FileStamp) => (a === null || b === null ? a === b : a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs);

/**
 * The vault's accounting data as it is now. A running process keeps its bridge, which re-reads
 * only changed files. A new process (a headless `invoices validate`) first tries the ledger an
 * earlier process parsed from the same, unchanged CSV files — kept in the data dir's cache — and
 * so loads neither csv-parse nor zod. The demo ledger is always loaded: loading it pays exports.
 */
export async function currentLedger(desk: DeskContext, vaultRef: string): Promise<{ ledger: Ledger; problems: LoadProblem[] }> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  const config = vault.ledger;
  const warm = config && desk.bridges.has(bridgeKey(vault));
  if (config?.kind !== 'csv-folder' || warm) return (await openVaultBridge(desk, vault.id)).load();
  const name = `ledger-${vault.id}`;
  const cached = await desk.store.readCache<ParsedLedger>(name);
  if (cached?.dir === config.dir) {
    const stamps = await Promise.all(Object.entries(cached.files).map(async ([file, stamp]) => sameStamp(stamp, await stampOf(join(config.dir, file)))));
    if (stamps.length && stamps.every(Boolean)) return { ledger: cached.ledger, problems: cached.problems };
  }
  // Stamped before parsing: a file that changes meanwhile no longer matches, and is parsed again next time.
  const { LEDGER_FILES, LEDGER_KINDS } = await ledgerFiles();
  const names = LEDGER_KINDS.map((kind) => LEDGER_FILES[kind].file);
  const before = Object.fromEntries(await Promise.all(names.map(async (file) => [file, await stampOf(join(config.dir, file))] as const)));
  const view = await (await openVaultBridge(desk, vault.id)).load();
  await desk.store.writeCache(name, { dir: config.dir, files: before, ledger: view.ledger, problems: view.problems } satisfies ParsedLedger);
  return view;
}
