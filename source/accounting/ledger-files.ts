// The six files of a CSV bridge folder: which are required, their columns, and how one row becomes
// a ledger record. Columns are found by header name; a bad row is reported with its line and
// skipped; a missing column or an unreadable file makes the whole file unusable (fatal).
import type { Ledger } from '../domain/ledger.js';
import { readCsv, decodeText, type CsvRow } from './csv.js';
import * as field from './fields.js';

export type LedgerKind = Exclude<keyof Ledger, 'loadedAt'>;

/** How messages and listings name each kind of ledger data. */
export const LEDGER_KIND_LABELS: Record<LedgerKind, string> = {
  vendors: 'vendors',
  jobs: 'jobs',
  costCodes: 'cost codes',
  commitments: 'commitments',
  apInvoices: 'AP invoices',
  checks: 'checks',
};
export type LedgerRecord<K extends LedgerKind> = Ledger[K][number];

export interface LedgerFileSpec<K extends LedgerKind = LedgerKind> {
  kind: K;
  file: string;
  /** A required file that is missing is a fatal problem; an optional one just has no rows. */
  required: boolean;
  /** Required columns, in the order apdesk writes them. */
  columns: readonly string[];
  optionalColumns: readonly string[];
  row(get: (column: string) => string): LedgerRecord<K>;
  /** Records that must be unique (a vendor code), and how to name one in a message. */
  unique?: (record: LedgerRecord<K>) => { key: string; label: string };
}

export interface FileIssue {
  line: number | null;
  message: string;
  fatal: boolean;
}

export interface ParsedFile<K extends LedgerKind = LedgerKind> {
  rows: LedgerRecord<K>[];
  issues: FileIssue[];
  /** The file as a whole could not be used: its rows are not to be trusted. */
  fatal: boolean;
}

function spec<K extends LedgerKind>(value: LedgerFileSpec<K>): LedgerFileSpec<K> {
  return value;
}

export const LEDGER_FILES = {
  vendors: spec({
    kind: 'vendors',
    file: 'vendors.csv',
    required: true,
    columns: ['code', 'name', 'status'],
    optionalColumns: [],
    row: field.row({ code: field.requiredText, name: field.text, status: field.active }, ({ code, name, status }) => ({ code, name, active: status })),
    unique: (vendor) => ({ key: vendor.code, label: `vendor code '${vendor.code}'` }),
  }),
  jobs: spec({
    kind: 'jobs',
    file: 'jobs.csv',
    required: true,
    columns: ['code', 'name', 'status'],
    optionalColumns: [],
    row: field.row({ code: field.requiredText, name: field.text, status: field.open }, ({ code, name, status }) => ({ code, name, closed: !status })),
    unique: (job) => ({ key: job.code, label: `job code '${job.code}'` }),
  }),
  costCodes: spec({
    kind: 'costCodes',
    file: 'cost_codes.csv',
    required: true,
    columns: ['job', 'code'],
    optionalColumns: ['description'],
    row: field.row({ job: field.requiredText, code: field.requiredText, description: field.text }, (cost) => cost),
    unique: (cost) => ({ key: `${cost.job}\u0000${cost.code}`, label: `cost code '${cost.code}' of job '${cost.job}'` }),
  }),
  commitments: spec({
    kind: 'commitments',
    file: 'commitments.csv',
    required: true,
    columns: ['code', 'vendor', 'job', 'type', 'status', 'amount', 'remaining'],
    optionalColumns: [],
    row: field.row(
      { code: field.requiredText, vendor: field.requiredText, job: field.requiredText, type: field.commitmentType, status: field.open, amount: field.amount, remaining: field.amount },
      ({ status, ...commitment }) => ({ ...commitment, open: status }),
    ),
    unique: (commitment) => ({ key: commitment.code, label: `commitment '${commitment.code}'` }),
  }),
  apInvoices: spec({
    kind: 'apInvoices',
    file: 'ap_invoices.csv',
    required: false,
    columns: ['vendor', 'invoice_number', 'amount', 'date'],
    optionalColumns: [],
    row: field.row(
      { vendor: field.requiredText, invoice_number: field.requiredText, amount: field.amount, date: field.date },
      ({ vendor, invoice_number, amount, date }) => ({ vendor, invoiceNumber: invoice_number, amount, date }),
    ),
  }),
  checks: spec({
    kind: 'checks',
    file: 'checks.csv',
    required: false,
    columns: ['check_number', 'check_date', 'vendor', 'invoice_number', 'amount', 'method'],
    optionalColumns: [],
    row: field.row(
      { check_number: field.requiredText, check_date: field.date, vendor: field.requiredText, invoice_number: field.requiredText, amount: field.amount, method: field.requiredText },
      (check) => ({
        checkNumber: check.check_number,
        checkDate: check.check_date,
        vendor: check.vendor,
        invoiceNumber: check.invoice_number,
        amount: check.amount,
        method: check.method,
      }),
    ),
  }),
} as const satisfies { [K in LedgerKind]: LedgerFileSpec<K> };

export const LEDGER_KINDS = Object.keys(LEDGER_FILES) as LedgerKind[];

/** The header a file needs, for messages: "code,name,status". */
export function headerLine(spec: { columns: readonly string[]; optionalColumns: readonly string[] }): string {
  return [...spec.columns, ...spec.optionalColumns].join(',');
}

/** Turns a file's bytes into records; never throws for anything the file holds. */
export function parseLedgerFile<K extends LedgerKind>(spec: LedgerFileSpec<K>, bytes: Uint8Array): ParsedFile<K> {
  const issues: FileIssue[] = [];
  const { text, utf8 } = decodeText(bytes);
  if (!utf8) {
    issues.push({ line: null, message: 'the file is not UTF-8; it was read as Windows-1252 — export it as UTF-8 so names keep their accents', fatal: false });
  }
  const table = readCsv(text);
  const fatal = (line: number | null, message: string): ParsedFile<K> => ({ rows: [], issues: [...issues, { line, message, fatal: true }], fatal: true });
  if (!table.header.length || table.header.every((name) => !name)) {
    if (table.issues.some((issue) => issue.fatal)) return { rows: [], issues: [...issues, ...table.issues], fatal: true };
    return fatal(1, `the file is empty — it needs a header line: ${headerLine(spec)}`);
  }
  const missing = spec.columns.filter((column) => !table.header.includes(column));
  if (missing.length) {
    const names = missing.map((column) => `'${column}'`).join(', ');
    return fatal(
      1,
      `${missing.length === 1 ? 'column' : 'columns'} ${names} ${missing.length === 1 ? 'is' : 'are'} missing from the header — the file needs: ${headerLine(spec)}`,
    );
  }
  const twice = [...spec.columns, ...spec.optionalColumns].find((column) => table.header.indexOf(column) !== table.header.lastIndexOf(column));
  if (twice) return fatal(1, `column '${twice}' appears twice in the header — keep one`);

  const rows: LedgerRecord<K>[] = [];
  const seen = new Map<string, number>();
  const rowIssues: FileIssue[] = [...table.issues];
  for (const row of table.rows) {
    const record = parseRow(spec, row, rowIssues);
    if (record === undefined) continue;
    const unique = spec.unique?.(record);
    if (unique) {
      const first = seen.get(unique.key);
      if (first !== undefined) {
        rowIssues.push({ line: row.line, message: `${unique.label} appears again (first on line ${first}) — row skipped`, fatal: false });
        continue;
      }
      seen.set(unique.key, row.line);
    }
    rows.push(record);
  }
  rowIssues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { rows, issues: [...issues, ...rowIssues], fatal: rowIssues.some((issue) => issue.fatal) };
}

function parseRow<K extends LedgerKind>(spec: LedgerFileSpec<K>, row: CsvRow, issues: FileIssue[]): LedgerRecord<K> | undefined {
  try {
    return spec.row(row.get);
  } catch (error) {
    if (!(error instanceof field.FieldError)) throw error;
    issues.push({ line: row.line, message: `${error.message} — row skipped`, fatal: false });
    return undefined;
  }
}
