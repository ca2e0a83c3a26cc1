// The AP import file apdesk leaves in the bridge folder for the accounting system: one row per
// invoice line, money as plain decimals, dates ISO. Its name carries the export time, which the
// demo ledger reads back to know when an export is old enough to pay.
import { UserError } from '../domain/errors.js';
import type { Invoice } from '../domain/invoice.js';
import { formatMoney } from '../domain/money.js';
import { csvLine } from './csv.js';

export const EXPORT_COLUMNS = [
  'invoice_id',
  'vendor',
  'invoice_number',
  'invoice_date',
  'due_date',
  'invoice_total',
  'line_number',
  'job',
  'cost_code',
  'category',
  'commitment',
  'commitment_item',
  'description',
  'line_amount',
  'line_retainage',
] as const;

const NAME = /^ap_export_(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-\d+)?\.csv$/;

/** ap_export_2026-11-20T17-05-09-123Z.csv: sorts by time, and no character a Windows share refuses. */
export function exportFileName(at: number): string {
  return `ap_export_${new Date(at).toISOString().replace(/[:.]/g, '-')}.csv`;
}

export function isExportFile(name: string): boolean {
  return NAME.test(name);
}

/** The export time a file name carries, or null for a name apdesk did not give. */
export function exportTime(name: string): number | null {
  const match = NAME.exec(name);
  if (!match) return null;
  const [, day, hours, minutes, seconds, millis] = match;
  const at = Date.parse(`${day}T${hours}:${minutes}:${seconds}.${millis}Z`);
  return Number.isNaN(at) ? null : at;
}

// What the accounting import cannot do without; everything else may be blank.
function missingField(invoice: Invoice): string | null {
  if (!invoice.header.vendor?.trim()) return 'no vendor';
  if (!invoice.header.invoiceNumber?.trim()) return 'no invoice number';
  if (!invoice.header.invoiceDate?.trim()) return 'no invoice date';
  if (invoice.header.total === null) return 'no total';
  if (!invoice.lines.length) return 'no lines';
  return null;
}

/** The file's text and its row count; refuses the whole batch if one invoice cannot be written. */
export function exportText(invoices: readonly Invoice[]): { text: string; rows: number } {
  if (!invoices.length) throw new UserError('there are no invoices to export — approve some first');
  const seen = new Set<string>();
  for (const invoice of invoices) {
    if (seen.has(invoice.id)) throw new UserError(`invoice ${invoice.id} is listed twice in one export — export it once`);
    seen.add(invoice.id);
    const missing = missingField(invoice);
    if (missing) throw new UserError(`invoice ${invoice.id} cannot be exported: it has ${missing} — enter it, then export again`);
  }
  let text = csvLine(EXPORT_COLUMNS);
  let rows = 0;
  for (const invoice of invoices) {
    const { header } = invoice;
    invoice.lines.forEach((line, index) => {
      text += csvLine([
        invoice.id,
        header.vendor!.trim(),
        header.invoiceNumber!.trim(),
        header.invoiceDate!.trim(),
        header.dueDate?.trim() ?? '',
        formatMoney(header.total!),
        String(index + 1),
        line.job ?? '',
        line.costCode ?? '',
        line.category ?? '',
        line.commitment ?? '',
        line.commitmentItem ?? '',
        line.description ?? '',
        formatMoney(line.amount),
        formatMoney(line.retainage),
      ]);
      rows += 1;
    });
  }
  return { text, rows };
}
