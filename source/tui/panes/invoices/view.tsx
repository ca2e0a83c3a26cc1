// The Invoices pane on screen: the views with their counts, the filter and sort, the table of
// the rows that fit (columns cut to the width), or one invoice's detail, scrolled. Status is
// always words and the cursor row is marked with a character, so it reads without colour.
import { localMinute } from '../../../text/time.js';
import { Box, Text } from '../../ink.js';
import type { InvoiceRow } from '../../../app/invoices.js';
import type { Invoice } from '../../../domain/invoice.js';
import { displayMoney, type Cents } from '../../../domain/money.js';
import { displayWidth, fit, padStart, truncate, wrap } from '../../../text/width.js';
import type { PaneViewProps } from '../../shell/pane.js';
import { FittedLine, type Line, type Piece } from '../line.js';
import { isImportView, SORT_LABELS, VIEW_SPECS, VIEWS, type ImportRow, type InvoicesState, type ViewId } from './state.js';

const CURSOR = '›';

/** The views as tabs with their counts, the current one in brackets, wrapped over as many lines as the width needs. */
export function viewTabs(state: InvoicesState, width: number): Line[] {
  const lines: Line[] = [];
  let line: Line = [];
  let used = 0;
  for (const view of VIEWS) {
    const count = state.counts[view];
    const label = `${VIEW_SPECS[view].label} ${count ?? '…'}`;
    const text = view === state.view ? `[${label}]` : ` ${label} `;
    const columns = displayWidth(text) + 1;
    if (used + columns > width && line.length) {
      lines.push(line);
      line = [];
      used = 0;
    }
    line = [...line, { text: `${text} `, ...(view === state.view ? { bold: true } : { dim: true }) }];
    used += columns;
  }
  if (line.length) lines.push(line);
  return lines;
}

function statusLine(state: InvoicesState): Line {
  if (state.filterDraft !== null) return [{ text: 'filter: ', bold: true }, { text: `${state.filterDraft}_` }, { text: '  Enter applies · Esc clears', dim: true }];
  const count = isImportView(state.view) ? state.imports.length : state.total;
  const position = count ? `${state.cursor + 1} of ${count}` : 'none';
  const parts: Piece[] = [{ text: position }];
  if (!isImportView(state.view)) parts.push({ text: `  sort ${SORT_LABELS[state.sort]} ${state.descending ? '↓' : '↑'}`, dim: true });
  if (state.filter) parts.push({ text: `  filter "${state.filter}"` });
  if (state.loading) parts.push({ text: '  reading…', dim: true });
  return parts;
}

// ---- the table ----

interface Column {
  title: string;
  width: number;
  right?: boolean;
  cell(row: InvoiceRow, now: number): string;
}

const SOURCE_LABELS: Record<InvoiceRow['source'], string> = { manual: 'manual', folder: 'folder', 'procore-auto': 'procore', 'procore-manual': 'pc-hand' };

/** "45,000.00": the dollar sign is the column's, not each cell's. */
export function amountText(total: Cents | null): string {
  return total === null ? '' : displayMoney(total).replace('$', '');
}

/** How long ago, in the largest whole unit: "5m", "3h", "12d". */
export function ageText(createdAt: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (!Number.isFinite(minutes)) return '';
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${Math.floor(minutes / (24 * 60))}d`;
}

/** An id cut from the front: "PC-…-1280609" keeps the requisition number a clerk looks for. */
function tail(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  return `…${text.slice(text.length - (width - 1))}`;
}

function columnsFor(view: ViewId): Column[] {
  const columns: Column[] = [
    { title: 'id', width: 11, cell: (row) => row.id },
    { title: 'vendor', width: 8, cell: (row) => row.vendor ?? '' },
    { title: 'number', width: 8, cell: (row) => row.invoiceNumber ?? '' },
    { title: 'amount $', width: 10, right: true, cell: (row) => amountText(row.total) },
    { title: 'job', width: 5, cell: (row) => row.job ?? '' },
  ];
  // A view of one status or one source does not spend columns repeating it.
  if (view === 'all') columns.push({ title: 'status', width: 11, cell: (row) => row.status });
  if (view !== 'failover') columns.push({ title: 'source', width: 7, cell: (row) => SOURCE_LABELS[row.source] ?? row.source });
  columns.push({ title: 'age', width: 4, right: true, cell: (row, now) => ageText(row.createdAt, now) });
  return columns;
}

/** The table's header and a row, each one line at most `width` columns; the message takes what is left. */
export function tableLines(state: InvoicesState, width: number, rows: number, now: number): Line[] {
  const columns = columnsFor(state.view);
  const fixed = 2 + columns.reduce((sum, column) => sum + column.width + 1, 0);
  const messageWidth = Math.max(0, width - fixed);
  const messageTitle = state.view === 'failover' ? 'reason left in queue' : 'first message';
  const cellText = (column: Column, text: string) =>
    column.title === 'id' ? fit(tail(text, column.width), column.width) : column.right ? padStart(truncate(text, column.width), column.width) : fit(text, column.width);
  const header: Line = [
    { text: `  ${columns.map((column) => (column.right ? padStart(column.title, column.width) : fit(column.title, column.width))).join(' ')} ${fit(messageTitle, messageWidth)}`, bold: true },
  ];
  const lines: Line[] = [header];
  const start = windowStart(state, rows);
  for (let index = start; index < Math.min(state.total, start + rows); index++) {
    const row = state.page.rows[index - state.page.offset];
    const mark = index === state.cursor ? `${CURSOR} ` : '  ';
    if (!row) {
      lines.push([{ text: `${mark}…`, dim: true }]);
      continue;
    }
    const cells = columns.map((column) => cellText(column, column.cell(row, now))).join(' ');
    const message = row.message ?? (state.view === 'failover' ? '(no reason recorded)' : '');
    lines.push([{ text: `${mark}${cells} ` }, { text: truncate(message, messageWidth), ...(row.message ? { color: 'yellow' } : { dim: true }) }]);
  }
  return lines;
}

/** The first row shown: the state's, moved just enough to keep the cursor in a window of `rows`. */
export function windowStart(state: InvoicesState, rows: number): number {
  const count = isImportView(state.view) ? state.imports.length : state.total;
  if (rows <= 0 || count <= rows) return 0;
  let top = Math.min(state.top, count - rows);
  if (state.cursor < top) top = state.cursor;
  if (state.cursor >= top + rows) top = state.cursor - rows + 1;
  return Math.max(0, top);
}

const shortTime = localMinute;

export function importLines(state: InvoicesState, width: number, rows: number): Line[] {
  const failed = state.view === 'failed';
  const fixed = 2 + 11 + 1 + 10 + 1 + (failed ? 4 + 1 : 0) + 16 + 1;
  const reasonWidth = Math.max(0, width - fixed);
  const header: Line = [
    { text: `  ${fit('requisition', 11)} ${fit('project', 10)} ${failed ? `${padStart('try', 4)} ` : ''}${fit(failed ? 'next try' : 'checked', 16)} ${fit(failed ? 'error' : 'reason', reasonWidth)}`, bold: true },
  ];
  const lines: Line[] = [header];
  if (!state.imports.length) {
    lines.push([{ text: failed ? '  No failed imports.' : '  No import waits for a file.', dim: true }]);
    return lines;
  }
  const start = windowStart(state, rows);
  state.imports.slice(start, start + rows).forEach((row: ImportRow, i) => {
    const mark = start + i === state.cursor ? `${CURSOR} ` : '  ';
    const attempts = failed ? `${padStart(String(row.attempts ?? ''), 4)} ` : '';
    lines.push([{ text: `${mark}${fit(row.requisitionId, 11)} ${fit(row.projectId, 10)} ${attempts}${fit(shortTime(row.nextAt), 16)} ` }, { text: truncate(row.reason, reasonWidth), color: failed ? 'red' : 'yellow' }]);
  });
  return lines;
}

// ---- the detail ----

function section(title: string): Line {
  return [{ text: title, bold: true }];
}

/** Text wrapped under a section, indented. */
function wrapped(text: string, width: number, indent = '  ', style: Omit<Line[number], 'text'> = {}): Line[] {
  return wrap(text, Math.max(1, width - displayWidth(indent))).map((part) => [{ text: `${indent}${part}`, ...style }]);
}

const money = (value: Cents | null) => (value === null ? '—' : displayMoney(value));

/** Every section of an invoice as lines of `width`: what the detail scrolls through. */
export function detailLines(invoice: Invoice, width: number): Line[] {
  const h = invoice.header;
  const out: Line[] = [];
  out.push([{ text: `${invoice.id}  `, bold: true }, { text: `status: ${invoice.status}` }, { text: `  queue: ${invoice.queueId}  source: ${invoice.source.kind}`, dim: true }]);
  out.push(...wrapped(`vendor ${h.vendor ?? '—'} · number ${h.invoiceNumber ?? '—'} · date ${h.invoiceDate ?? '—'} · due ${h.dueDate ?? '—'}`, width));
  out.push(...wrapped(`total ${money(h.total)} · retainage ${money(h.retainage)}${h.creditMemo ? ' · credit memo' : ''} · processor ${h.processor ?? '—'}`, width));
  if (h.description) out.push(...wrapped(`description: ${h.description}`, width));

  out.push(section(`Lines (${invoice.lines.length})`));
  if (!invoice.lines.length) out.push([{ text: '  none yet', dim: true }]);
  invoice.lines.forEach((line, index) => {
    const coding = [line.type, line.job && `job ${line.job}`, line.costCode && `cost ${line.costCode}`, line.category && `cat ${line.category}`, line.commitment && `commitment ${line.commitment}`].filter(Boolean).join(' · ');
    out.push(...wrapped(`${index + 1}. ${coding} · ${displayMoney(line.amount)} (retainage ${displayMoney(line.retainage)})${line.description ? ` — ${line.description}` : ''}`, width));
    const reviewers = line.reviewers.length
      ? line.reviewers.map((r) => `${r.sequence}. ${r.user} ${r.status}${r.at ? ` ${shortTime(r.at)}` : ''}`).join('; ')
      : 'no reviewer yet';
    out.push(...wrapped(`reviewers: ${reviewers}`, width, '     ', { dim: true }));
  });

  const issues = invoice.validation?.issues ?? [];
  out.push(section(`Validation${invoice.validation ? ` (${invoice.validation.level}, ${shortTime(invoice.validation.at)})` : ' (not run)'}`));
  if (invoice.validation && !issues.length) out.push([{ text: '  passed' }]);
  for (const issue of issues) out.push(...wrapped(`${issue.level}: ${issue.message}`, width, '  ', issue.level === 'error' ? { color: 'red' } : { color: 'yellow' }));
  if (invoice.routing) {
    out.push(section(`Routing: ${invoice.routing.outcome} (${shortTime(invoice.routing.at)})`));
    for (const why of invoice.routing.reasons) out.push(...wrapped(`- ${why}`, width));
  }

  out.push(section(`Files (${invoice.attachments.length})`));
  if (!invoice.attachments.length) out.push([{ text: '  none', dim: true }]);
  for (const file of invoice.attachments) {
    const role = file.role === 'original' ? 'kept original' : 'document';
    out.push(...wrapped(`${role}: ${file.name} · ${file.pages ?? '?'} page${file.pages === 1 ? '' : 's'} · ${file.bytes} bytes`, width));
  }
  if (invoice.flags.length) {
    out.push(section(`Flags (${invoice.flags.length})`));
    for (const flag of invoice.flags) out.push(...wrapped(`! ${flag}`, width, '  ', { color: 'red' }));
  }
  if (invoice.notes?.length) {
    out.push(section(`Notes (${invoice.notes.length})`));
    for (const note of invoice.notes) out.push(...wrapped(`- ${note}`, width));
  }

  if (invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual') {
    const p = invoice.source.procore;
    out.push(section('Procore'));
    out.push(...wrapped(`requisition ${p.requisitionId} · project ${p.projectId} · commitment ${p.commitmentId} · company ${p.companyId}${p.vendorId ? ` · vendor ${p.vendorId}` : ''}`, width));
  }
  if (invoice.hold) {
    out.push(section('On hold'));
    out.push(...wrapped(`by ${invoice.hold.by} ${shortTime(invoice.hold.at)}: ${invoice.hold.reason} (returns to ${invoice.hold.previous})`, width));
  }
  if (invoice.exported) {
    out.push(section('Export'));
    out.push(...wrapped(`by ${invoice.exported.by} ${shortTime(invoice.exported.at)} to ${invoice.exported.file}`, width));
  }
  out.push(section('Payments'));
  if (!invoice.payment && !invoice.procorePayment) out.push([{ text: '  none yet', dim: true }]);
  if (invoice.payment) {
    const pay = invoice.payment;
    out.push(...wrapped(`check ${pay.checkNumber} · ${pay.checkDate} · ${displayMoney(pay.amount)} · ${pay.method}`, width));
  }
  if (invoice.procorePayment) {
    const pp = invoice.procorePayment;
    out.push(
      ...(pp.state === 'created'
        ? wrapped(`Procore payment ${pp.paymentId}${pp.paymentNumber !== null ? ` (#${pp.paymentNumber})` : ''} · ${displayMoney(pp.amount)} · ${shortTime(pp.at)}`, width)
        : wrapped(`Procore refused the payment (${pp.attempts} attempt${pp.attempts === 1 ? '' : 's'}, ${shortTime(pp.at)}): ${pp.error}`, width, '  ', { color: 'red' })),
    );
  }

  out.push(section(`Audit trail (${invoice.audit.length})`));
  for (const entry of invoice.audit) {
    const who = entry.actingAdmin ? `${entry.actingAdmin} as ${entry.user}` : entry.user;
    out.push(...wrapped(`${shortTime(entry.at)} ${who} ${entry.action} ${entry.outcome}${entry.detail ? `: ${entry.detail}` : ''}`, width));
  }
  return out;
}

function Lines({ lines, width }: { lines: readonly Line[]; width: number }) {
  return (
    <>
      {lines.map((line, index) => (
        <FittedLine key={index} line={line} width={width} />
      ))}
    </>
  );
}

export function InvoicesView({ state, width, height }: PaneViewProps<InvoicesState>) {
  if (state.mode === 'detail' && state.detail) {
    const invoice = state.detail.invoice;
    if (!invoice) return <Text>{truncate(`Opening ${state.detail.id}…`, width)}</Text>;
    const all = detailLines(invoice, width);
    const room = Math.max(0, height - 1);
    const scroll = Math.min(state.detail.scroll, Math.max(0, all.length - room));
    const shown = all.slice(scroll, scroll + room);
    const more = all.length > room ? `lines ${scroll + 1}–${scroll + shown.length} of ${all.length} · ↑↓ scroll · Esc back` : 'Esc back';
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Lines lines={shown} width={width} />
        <FittedLine line={[{ text: more, dim: true }]} width={width} />
      </Box>
    );
  }
  const tabs = viewTabs(state, width);
  const top: Line[] = [...tabs, statusLine(state)];
  if (state.error) top.push([{ text: `! ${state.error}`, color: 'red' }]);
  const rows = Math.max(0, height - top.length - 1);
  const now = Date.now();
  const body = isImportView(state.view) ? importLines(state, width, rows) : tableLines(state, width, rows, now);
  if (!isImportView(state.view) && state.total === 0 && !state.loading) {
    body.push([{ text: state.filter ? `  No ${VIEW_SPECS[state.view].label} invoice matches "${state.filter}".` : `  No ${VIEW_SPECS[state.view].label} invoices.`, dim: true }]);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Lines lines={top} width={width} />
      {body.slice(0, rows + 1).map((line, index) => (
        <FittedLine key={index} line={line} width={width} inverse={index > 0 && line[0]?.text.startsWith(CURSOR)} />
      ))}
    </Box>
  );
}
