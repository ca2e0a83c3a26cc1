// The demo's embedded ledger: a CSV bridge folder seeded from the Procore sandbox's codes, which
// also plays the accounting clerk — an exported invoice is paid once the vault's delay has passed
// (a check in checks.csv, the invoice in ap_invoices.csv), so a demo closes the loop.
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Invoice } from '../domain/invoice.js';
import type { Ledger } from '../domain/ledger.js';
import { formatMoney, type Cents } from '../domain/money.js';
import type { LedgerConfig } from '../domain/vault.js';
import type { DemoLedgerCodes } from '../sandbox/demo-seed.js';
import type { AccountingBridge, BridgeOptions, ExportFile, LoadProblem } from './bridge.js';
import { CsvFolderBridge } from './csv-folder.js';
import { csvLine, decodeText, readCsv } from './csv.js';
import { exportTime, isExportFile } from './export-file.js';
import * as field from './fields.js';
import { createIfMissing, fileVersion, isMissing, readVersioned, sameFile, writeAtomic, type FileVersion } from './files.js';
import { withFolderLock } from './folder-lock.js';
import { headerLine, LEDGER_FILES, parseLedgerFile, type LedgerFileSpec } from './ledger-files.js';

export type DemoLedgerConfig = Extract<LedgerConfig, { kind: 'demo' }>;

/** How the demo's accounting clerk pays, in turn. */
export const PAYMENT_METHODS = ['Check', 'ACH', 'EFT', 'Wire', 'Credit Card'] as const;
export const FIRST_CHECK_NUMBER = 10001;

/** Invoices the ledger already had before apdesk: history for the duplicate-number check. */
const HISTORY: [vendor: string, invoiceNumber: string, amount: string, date: string][] = [
  ['ABC-CON', 'ABC-0987', '12480.00', '2026-06-30'],
  ['STEEL-01', 'SS-2150', '38215.40', '2026-07-31'],
  ['ELEC-02', 'BLE-5401', '9870.25', '2026-07-15'],
  ['LUMBER-05', 'NWL-87990', '4312.18', '2026-08-05'],
  ['ROOF-06', 'RR-288', '15600.00', '2026-08-31'],
];

function table(spec: { columns: readonly string[]; optionalColumns: readonly string[] }, rows: readonly (readonly string[])[]): string {
  return [headerLine(spec).split(','), ...rows].map(csvLine).join('');
}

/** The six files of the demo ledger, from the sandbox's codes. */
export function demoLedgerFiles(codes: DemoLedgerCodes): Record<string, string> {
  const vendors = new Set(codes.vendors.map((vendor) => vendor.code));
  return {
    [LEDGER_FILES.vendors.file]: table(LEDGER_FILES.vendors, codes.vendors.map((v) => [v.code, v.name, 'active'])),
    [LEDGER_FILES.jobs.file]: table(LEDGER_FILES.jobs, codes.jobs.map((j) => [j.code, j.name, 'open'])),
    [LEDGER_FILES.costCodes.file]: table(LEDGER_FILES.costCodes, codes.costCodes.map((c) => [c.job, c.code, c.description])),
    [LEDGER_FILES.commitments.file]: table(
      LEDGER_FILES.commitments,
      codes.commitments.map((c) => [c.code, c.vendor, c.job, c.type, 'open', c.amount, c.remaining]),
    ),
    [LEDGER_FILES.apInvoices.file]: table(LEDGER_FILES.apInvoices, HISTORY.filter(([vendor]) => vendors.has(vendor))),
    [LEDGER_FILES.checks.file]: table(LEDGER_FILES.checks, []),
  };
}

/**
 * Writes the demo ledger into `dir` (created if need be). A file already there is left alone, so
 * running it again never forgets the checks the demo has written.
 */
export async function createDemoLedger(dir: string): Promise<void> {
  // Loaded here, not at the top: the seed module brings the PDF library along.
  const { DEMO_LEDGER_CODES } = await import('../sandbox/demo-seed.js');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(demoLedgerFiles(DEMO_LEDGER_CODES))) {
    await createIfMissing(join(dir, name), text);
  }
}

interface ExportedInvoice {
  vendor: string;
  invoiceNumber: string;
  invoiceDate: string;
  total: Cents;
  retainage: Cents;
}

const EXPORT_NEEDS = ['invoice_id', 'vendor', 'invoice_number', 'invoice_date', 'invoice_total', 'line_retainage'];

const key = (vendor: string, invoiceNumber: string) => `${vendor}\u0000${invoiceNumber}`;

const readExportRow = field.row(
  { invoice_id: field.text, vendor: field.text, invoice_number: field.text, invoice_date: field.text, invoice_total: field.amount, line_retainage: field.amount },
  (cells) => ({ id: cells.invoice_id, vendor: cells.vendor, invoiceNumber: cells.invoice_number, invoiceDate: cells.invoice_date, total: cells.invoice_total, retainage: cells.line_retainage }),
);

/** An export file's invoices (one per invoice id: its total, and the retainage of its lines). */
function readExport(file: string, bytes: Uint8Array): { invoices: ExportedInvoice[]; problems: LoadProblem[] } {
  const csv = readCsv(decodeText(bytes).text);
  const problems: LoadProblem[] = csv.issues.map((issue) => ({ file, ...issue, fatal: false }));
  const missing = EXPORT_NEEDS.filter((column) => !csv.header.includes(column));
  if (missing.length) {
    const message = `the demo ledger cannot pay from this export: column '${missing[0]}' is missing — leave apdesk's export files as written`;
    return { invoices: [], problems: [...problems, { file, line: 1, message, fatal: false }] };
  }
  const byId = new Map<string, ExportedInvoice>();
  for (const row of csv.rows) {
    try {
      const { id, ...line } = readExportRow(row.get);
      const known = byId.get(id);
      if (known) known.retainage = (known.retainage + line.retainage) as Cents;
      else byId.set(id, line);
    } catch (error) {
      if (!(error instanceof field.FieldError)) throw error;
      problems.push({ file, line: row.line, message: `${error.message} — the demo ledger will not pay this row`, fatal: false });
    }
  }
  return { invoices: [...byId.values()].filter((invoice) => invoice.vendor && invoice.invoiceNumber), problems };
}

/** A ledger file as it is on disk now: its text, header and records; null when it cannot be trusted. */
async function readLedgerTable<K extends 'checks' | 'apInvoices'>(dir: string, spec: LedgerFileSpec<K>) {
  const read = await readVersioned(join(dir, spec.file));
  if (!read) return { text: null, header: null, rows: [] as Ledger[K] };
  const parsed = parseLedgerFile(spec, read.bytes);
  if (parsed.fatal) return null;
  const { text } = decodeText(read.bytes);
  return { text, header: readCsv(text).header, rows: parsed.rows as Ledger[K] };
}

/** The file's text with rows added, each laid out in the file's own column order. */
function withRows(
  current: { text: string | null; header: string[] | null },
  spec: { columns: readonly string[]; optionalColumns: readonly string[] },
  rows: Record<string, string>[],
): string {
  const header = current.header?.length ? current.header : headerLine(spec).split(',');
  let text = current.text && current.header?.length ? current.text : csvLine(header);
  if (!/[\r\n]$/.test(text)) text += '\r\n';
  for (const row of rows) text += csvLine(header.map((column) => row[column] ?? ''));
  return text;
}

function localDay(at: number): string {
  const day = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** Pays the demo's exports once they are old enough. */
class DemoPayer {
  private readonly exports = new Map<string, { version: FileVersion; invoices: ExportedInvoice[]; problems: LoadProblem[] }>();

  constructor(
    private readonly dir: string,
    private readonly payAfterMs: number,
    private readonly now: () => number,
  ) {}

  /** Every exported invoice whose export is older than the delay, oldest export first. */
  private async due(): Promise<{ due: ExportedInvoice[]; problems: LoadProblem[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isExportFile).sort();
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return { due: [], problems: [] };
      throw error;
    }
    const due: ExportedInvoice[] = [];
    const problems: LoadProblem[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      const exportedAt = exportTime(name) ?? (await stat(path)).mtimeMs;
      if (this.now() - exportedAt < this.payAfterMs) continue;
      const version = await fileVersion(path);
      if (!version) continue;
      let entry = this.exports.get(name);
      if (!entry || !sameFile(entry.version, version)) {
        const read = await readVersioned(path);
        if (!read) continue;
        entry = { version: read.version, ...readExport(name, read.bytes) };
        this.exports.set(name, entry);
      }
      due.push(...entry.invoices);
      problems.push(...entry.problems);
    }
    return { due, problems };
  }

  async pay(): Promise<LoadProblem[]> {
    const { due, problems } = await this.due();
    if (!due.length) return problems;
    const unpaid = (checks: Ledger['checks']) => {
      const paid = new Set(checks.map((check) => key(check.vendor, check.invoiceNumber)));
      const result = new Map<string, ExportedInvoice>();
      for (const invoice of due) {
        const id = key(invoice.vendor, invoice.invoiceNumber);
        if (!paid.has(id) && !result.has(id)) result.set(id, invoice);
      }
      return [...result.values()];
    };
    // A look without the lock first: most loads have nothing to pay and need not queue for it.
    const before = await readLedgerTable(this.dir, LEDGER_FILES.checks);
    if (!before || !unpaid(before.rows).length) return problems;
    await withFolderLock(this.dir, 'pay exported invoices (demo ledger)', async () => {
      // Under the lock, from the files as they are now: another process may have just paid.
      const checks = await readLedgerTable(this.dir, LEDGER_FILES.checks);
      const history = await readLedgerTable(this.dir, LEDGER_FILES.apInvoices);
      if (!checks || !history) return;
      const toPay = unpaid(checks.rows);
      if (!toPay.length) return;
      const inHistory = new Set(history.rows.map((invoice) => key(invoice.vendor, invoice.invoiceNumber)));
      const numbers = checks.rows.map((check) => Number(check.checkNumber)).filter(Number.isSafeInteger);
      let next = Math.max(FIRST_CHECK_NUMBER - 1, ...numbers) + 1;
      let count = checks.rows.length;
      const today = localDay(this.now());
      const newChecks = toPay.map((invoice) => ({
        check_number: String(next++),
        check_date: today,
        vendor: invoice.vendor,
        invoice_number: invoice.invoiceNumber,
        amount: formatMoney((invoice.total - invoice.retainage) as Cents),
        method: PAYMENT_METHODS[count++ % PAYMENT_METHODS.length]!,
      }));
      const newHistory = toPay
        .filter((invoice) => !inHistory.has(key(invoice.vendor, invoice.invoiceNumber)))
        .map((invoice) => ({ vendor: invoice.vendor, invoice_number: invoice.invoiceNumber, amount: formatMoney(invoice.total), date: invoice.invoiceDate }));
      // The AP history first: should the process die in between, the next load pays again from
      // checks.csv and finds the history row already there.
      if (newHistory.length) {
        await writeAtomic(join(this.dir, LEDGER_FILES.apInvoices.file), withRows(history, LEDGER_FILES.apInvoices, newHistory));
      }
      await writeAtomic(join(this.dir, LEDGER_FILES.checks.file), withRows(checks, LEDGER_FILES.checks, newChecks));
    });
    return problems;
  }
}

export class DemoLedgerBridge implements AccountingBridge {
  private readonly csv: CsvFolderBridge;
  private readonly payer: DemoPayer;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly config: DemoLedgerConfig,
    options: BridgeOptions = {},
  ) {
    this.csv = new CsvFolderBridge(config, options);
    const delay = Number.isFinite(config.payAfterSeconds) ? Math.max(0, config.payAfterSeconds) : 0;
    this.payer = new DemoPayer(resolve(config.dir), delay * 1000, options.now ?? Date.now);
  }

  load(): Promise<{ ledger: Ledger; problems: LoadProblem[] }> {
    const run = this.chain.then(async () => {
      const paying = await this.payer.pay();
      const loaded = await this.csv.load();
      return { ledger: loaded.ledger, problems: [...loaded.problems, ...paying] };
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  exportInvoices(invoices: readonly Invoice[]): Promise<{ file: string; rows: number }> {
    return this.csv.exportInvoices(invoices);
  }

  exportsSince(since: number): Promise<ExportFile[]> {
    return this.csv.exportsSince(since);
  }
}
