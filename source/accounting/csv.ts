// CSV text in and out. Reading goes through csv-parse (BOM, quotes, embedded newlines, CRLF,
// per-record errors with their line) and hands back each row with the line it starts on and its
// cells by header name. Writing is ours: a handful of fields quoted by RFC 4180's rule.
import { parse, type CsvError, type InfoRecord } from 'csv-parse/sync';

export interface CsvRow {
  /** The line the record starts on (a quoted field may carry it over several lines). */
  line: number;
  /** The cell under a header name ('' when the row is shorter than the header). */
  get(column: string): string;
}

export interface CsvIssue {
  line: number | null;
  message: string;
  /** The rest of the file could not be read: the file as a whole is not usable. */
  fatal: boolean;
}

export interface CsvTable {
  /** Header names, normalised (see headerName); empty when the file has no header line. */
  header: string[];
  rows: CsvRow[];
  issues: CsvIssue[];
}

/** "Invoice Number", " invoice-number " → "invoice_number": headers match whatever the case and spacing. */
export function headerName(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Exports from Windows tools are not always UTF-8; such bytes are read as Windows-1252. */
export function decodeText(bytes: Uint8Array): { text: string; utf8: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), utf8: true };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), utf8: false };
  }
}

// csv-parse's own line count goes astray on a CRLF inside a quoted field, so lines are counted
// here: each record's raw text is found in the file (CRLF, CR and LF each end one line).
class LineFinder {
  private readonly starts: number[] = [0];
  private lastStart = 0;
  private end = 0;

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      if (char === '\r' && text[i + 1] === '\n') i++;
      if (char === '\r' || char === '\n') this.starts.push(i + 1);
    }
  }

  /** The line `raw` starts on, searching on from the previous record; null if it cannot be found. */
  lineOf(raw: string | undefined): number | null {
    // csv-parse may put the line ends of blank lines before a record into its raw text, with
    // their LFs dropped: what follows them is the record as the file has it.
    const record = raw?.replace(/^[\r\n]+/, '');
    if (!record) return null;
    let at = this.text.indexOf(record, this.end);
    // A record skipped for an error may be read again from where it began.
    if (at < 0) at = this.text.indexOf(record, this.lastStart);
    if (at < 0) return null;
    this.lastStart = at;
    this.end = at + record.length;
    return this.lineAt(at);
  }

  private lineAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted field goes on after its closing quote — inside quotes write a quote as ""';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside an unquoted field — quote the whole field and write the quote as ""';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed, so the file could not be read past this line — the file may be incomplete (still being written?) or a quote is missing';
    case 'CSV_MAX_RECORD_SIZE':
      return 'a field is longer than 128,000 characters — a quote is probably missing';
    default:
      return error.message.replace(/\s+at line \d+/, '');
  }
}

export function readCsv(text: string): CsvTable {
  const issues: CsvIssue[] = [];
  const records: { fields: string[]; line: number }[] = [];
  const lines = new LineFinder(text);
  try {
    parse(text, {
      bom: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      // With `raw` on, csv-parse hands over { record, raw } (its typings say string[]).
      on_record: (record: unknown, context: InfoRecord) => {
        const fields = Array.isArray(record) ? (record as string[]) : (record as { record: string[] }).record;
        records.push({ fields, line: lines.lineOf(context.raw) ?? context.lines });
        return null;
      },
      on_skip: (error: CsvError | undefined, raw: string | undefined) => {
        if (!error) return undefined;
        const line = lines.lineOf(raw) ?? (error as CsvError & { lines?: number }).lines ?? null;
        issues.push({ line, message: describeCsvError(error), fatal: error.code === 'CSV_QUOTE_NOT_CLOSED' });
        return undefined;
      },
    });
  } catch (error) {
    // Only what skip_records_with_error cannot step over ends here.
    const csvError = error as CsvError & { lines?: number };
    return { header: [], rows: [], issues: [{ line: csvError.lines ?? null, message: describeCsvError(csvError), fatal: true }] };
  }
  const [first, ...rest] = records;
  if (!first) return { header: [], rows: [], issues };
  const header = first.fields.map(headerName);
  const rows: CsvRow[] = [];
  for (const { fields, line } of rest) {
    // A line of blanks (",,,", "  ") is an empty line, not a row to complain about.
    if (fields.every((cell) => !cell.trim())) continue;
    // A short row just lacks its last cells (some exports drop trailing blanks): they read as
    // empty. A long one with something in the extra cells usually hides an unquoted comma.
    if (fields.slice(header.length).some((cell) => cell.trim())) {
      issues.push({
        line,
        message: `the row has ${fields.length} fields but the header has ${header.length} — is there an unquoted comma? quote that field`,
        fatal: false,
      });
      continue;
    }
    rows.push({
      line,
      get: (column) => {
        const index = header.indexOf(column);
        return index < 0 ? '' : (fields[index] ?? '');
      },
    });
  }
  return { header, rows, issues };
}

/** One field as RFC 4180 writes it: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Lines end in CRLF, as RFC 4180 and the Windows tools that read these files expect. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
