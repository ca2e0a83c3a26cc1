// The CSV bridge: a folder a Sage 100/300 export job fills with six CSV files. Each load looks at
// every file's inode, size and mtime and parses only the files that changed; a file that cannot
// be used keeps its last good rows (this instance's, or the folder's last-good snapshot).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { check } from '../edge/schema.js';
import { UserError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { emptyLedger, type Ledger } from '../domain/ledger.js';
import type { Cents } from '../domain/money.js';
import type { LedgerConfig } from '../domain/vault.js';
import type { AccountingBridge, BridgeOptions, ExportFile, LoadProblem } from './bridge.js';
import { decodeText, readCsv } from './csv.js';
import * as field from './fields.js';
import { exportFileName, exportText, exportTime, isExportFile } from './export-file.js';
import { fileVersion, isMissing, publishNew, readVersioned, sameFile, type FileVersion } from './files.js';
import { LAST_GOOD_FILE, LastGoodStore, type LastGood } from './last-good.js';
import { headerLine, LEDGER_FILES, LEDGER_KIND_LABELS, LEDGER_KINDS, parseLedgerFile, type LedgerFileSpec, type LedgerKind, type LedgerRecord } from './ledger-files.js';

interface FileState {
  version: FileVersion | null;
  rows: unknown[];
  problems: LoadProblem[];
}

// The last good snapshot is a file in a folder other programs write to: its rows are checked
// as they come back, so that a damaged one cannot put text where validation expects cents.
const cents = z.number().int().transform((value) => value as Cents);
const LEDGER_RECORDS: { [K in LedgerKind]: z.ZodType<LedgerRecord<K>> } = {
  vendors: z.object({ code: z.string(), name: z.string(), active: z.boolean() }),
  jobs: z.object({ code: z.string(), name: z.string(), closed: z.boolean() }),
  costCodes: z.object({ job: z.string(), code: z.string(), description: z.string() }),
  commitments: z.object({ code: z.string(), vendor: z.string(), job: z.string(), type: z.enum(['subcontract', 'purchase-order']), open: z.boolean(), amount: cents, remaining: cents }),
  apInvoices: z.object({ vendor: z.string(), invoiceNumber: z.string(), amount: cents, date: z.string() }),
  checks: z.object({ checkNumber: z.string(), checkDate: z.string(), vendor: z.string(), invoiceNumber: z.string(), amount: cents, method: z.string() }),
};

/** The invoice id of a row of an export file. */
const exportedInvoiceId = field.row({ invoice_id: field.text }, (cells) => cells.invoice_id);


async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

export class CsvFolderBridge implements AccountingBridge {
  readonly dir: string;
  private readonly now: () => number;
  private readonly files = new Map<LedgerKind, FileState>();
  /** This instance's last good rows per file, newer than the snapshot's when both exist. */
  private readonly good = new Map<LedgerKind, { rows: unknown[]; savedAt: string }>();
  private readonly lastGood: LastGoodStore;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: LedgerConfig,
    private readonly options: BridgeOptions = {},
  ) {
    this.dir = resolve(config.dir);
    this.now = options.now ?? Date.now;
    this.lastGood = new LastGoodStore(this.dir);
  }

  load(): Promise<{ ledger: Ledger; problems: LoadProblem[] }> {
    // Loads of one instance run one at a time, so a changed file is parsed once.
    const run = this.chain.then(() => this.loadNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async loadNow(): Promise<{ ledger: Ledger; problems: LoadProblem[] }> {
    const ledger = emptyLedger(new Date(this.now()).toISOString());
    const tables = ledger as unknown as Record<LedgerKind, unknown[]>;
    if (!(await isDirectory(this.dir))) {
      // Whatever this instance read before stays in use until the folder is back.
      for (const kind of LEDGER_KINDS) tables[kind] = this.files.get(kind)?.rows ?? [];
      const kept = this.files.size ? '; the ledger read before stays in use' : '';
      const message = `the accounting folder does not exist or is not a folder — check that the Sage export job still writes there, or import another folder${kept}`;
      return { ledger, problems: [{ file: this.dir, line: null, message, fatal: true }] };
    }
    const problems: LoadProblem[] = [];
    const toSave: Record<string, LastGood> = {};
    for (const kind of LEDGER_KINDS) {
      const state = await this.refresh(LEDGER_FILES[kind] as LedgerFileSpec, toSave);
      this.files.set(kind, state);
      tables[kind] = state.rows;
      problems.push(...state.problems);
    }
    if (Object.keys(toSave).length) {
      try {
        await this.lastGood.save(toSave);
      } catch (error) {
        problems.push({
          file: LAST_GOOD_FILE,
          line: null,
          message: `the last good copy of the ledger files could not be saved (${(error as Error).message}) — let apdesk write to the folder`,
          fatal: false,
        });
      }
    }
    return { ledger, problems };
  }

  /** The file's rows as they are now: from memory if unchanged, else parsed again. */
  private async refresh(spec: LedgerFileSpec, toSave: Record<string, LastGood>): Promise<FileState> {
    const path = join(this.dir, spec.file);
    const previous = this.files.get(spec.kind);
    const version = await fileVersion(path);
    if (previous && sameFile(previous.version, version)) return previous;
    const read = version ? await readVersioned(path) : null;
    if (!read) {
      if (!spec.required) return { version: null, rows: [], problems: [] };
      return this.fallback(spec, null, {
        file: spec.file,
        line: null,
        message: `the file is missing from the folder — the Sage export job should write it (header: ${headerLine(spec)})`,
        fatal: true,
      });
    }
    this.options.onParse?.(spec.file);
    const parsed = parseLedgerFile(spec, read.bytes);
    const problems = parsed.issues.map((issue) => ({ file: spec.file, ...issue }));
    if (!parsed.fatal) {
      const savedAt = new Date(this.now()).toISOString();
      this.good.set(spec.kind, { rows: parsed.rows, savedAt });
      toSave[spec.file] = { savedAt, source: read.version, rows: parsed.rows };
      return { version: read.version, rows: parsed.rows, problems };
    }
    const [first, ...others] = problems.filter((problem) => problem.fatal);
    return this.fallback(spec, read.version, first!, [...problems.filter((problem) => !problem.fatal), ...others]);
  }

  /** A file that cannot be used: say so, and keep serving the newest good rows anyone saw. */
  private async fallback(spec: LedgerFileSpec, version: FileVersion | null, problem: LoadProblem, others: LoadProblem[] = []): Promise<FileState> {
    const mine = this.good.get(spec.kind);
    const stored = await this.lastGood.get(spec.file).catch(() => undefined);
    const checked = stored ? check(z.object({ rows: z.array(LEDGER_RECORDS[spec.kind]) }), { rows: stored.rows }) : null;
    const saved = stored && checked?.ok ? { savedAt: stored.savedAt, rows: checked.value.rows } : undefined;
    const best = mine && (!saved || mine.savedAt >= saved.savedAt) ? mine : saved;
    const label = LEDGER_KIND_LABELS[spec.kind];
    const message = best
      ? `${problem.message}; meanwhile the ${best.rows.length} ${label} read at ${best.savedAt} stay in use`
      : checked && !checked.ok
        ? `${problem.message}; the last good copy in the folder (${LAST_GOOD_FILE}) is damaged — ${checked.problem} — so there are no ${label}`
        : `${problem.message}; no good copy was ever read, so there are no ${label}`;
    return { version, rows: best?.rows ?? [], problems: [{ ...problem, message }, ...others] };
  }

  async exportInvoices(invoices: readonly Invoice[]): Promise<{ file: string; rows: number }> {
    const { text, rows } = exportText(invoices);
    if (!(await isDirectory(this.dir))) {
      throw new UserError(`the accounting folder ${this.dir} does not exist — create it or import another folder, then export again`);
    }
    const file = await publishNew(this.dir, exportFileName(this.now()), text);
    return { file, rows };
  }

  async exportsSince(since: number): Promise<ExportFile[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isExportFile).sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const found: ExportFile[] = [];
    for (const name of names) {
      const at = exportTime(name);
      if (at === null || at < since) continue;
      const file = join(this.dir, name);
      const table = readCsv(decodeText(await readFile(file)).text);
      found.push({ file, at, invoiceIds: new Set(table.rows.map((row) => exportedInvoiceId(row.get)).filter(Boolean)) });
    }
    return found;
  }
}
