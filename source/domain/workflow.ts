// The invoice workflow's decisions, pure: who may edit what, how edits change reviews, whose
// turn it is to review a line, and how approvals and rejections move an invoice.
import { UserError } from './errors.js';
import { emptyHeader, LINE_TYPES, type AuditOutcome, type Invoice, type InvoiceHeader, type InvoiceLine, type LineType } from './invoice.js';
import { MoneyError, parseMoney, type Cents } from './money.js';
import type { Role } from './vault.js';

export function isImportedFromProcore(invoice: Invoice): boolean {
  return invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual';
}

/**
 * Why this user may not edit this invoice, or null if they may. Exported and paid invoices are
 * read-only (until reset for edit); imported Procore invoices are read-only for processors
 * unless the vault allows it; admins may always edit what is not exported.
 */
export function editRefusal(invoice: Invoice, user: { name: string; roles: readonly Role[] }, allowEditImported: boolean): string | null {
  if (invoice.status === 'exported') return `invoice ${invoice.id} is exported and read-only — reset it for edit first (\`apdesk invoices reset ${invoice.id}\`)`;
  if (invoice.status === 'paid') return `invoice ${invoice.id} is paid and can no longer change`;
  if (!user.roles.includes('admin') && !user.roles.includes('processor')) {
    return `user '${user.name}' may not edit invoices: it needs the processor or admin role`;
  }
  if (isImportedFromProcore(invoice) && !allowEditImported && !user.roles.includes('admin')) {
    return `invoice ${invoice.id} was imported from Procore and is read-only for processors — fix it in Procore, or an admin can turn on "Allow edit of imported Procore invoices" (\`apdesk procore configure --allow-edit on\`)`;
  }
  return null;
}

export type HeaderField = Exclude<keyof InvoiceHeader, 'processor'>;
export const HEADER_FIELDS: readonly HeaderField[] = ['vendor', 'invoiceNumber', 'invoiceDate', 'dueDate', 'total', 'retainage', 'description'];
export type LineField = Exclude<keyof InvoiceLine, 'id' | 'reviewers'>;
export const LINE_FIELDS: readonly LineField[] = ['type', 'job', 'costCode', 'category', 'commitment', 'commitmentItem', 'description', 'amount', 'retainage'];

export interface InvoiceEdit {
  header?: Partial<Record<HeaderField, string | null>>;
  /** Changes to existing lines, by 1-based line number. */
  lines?: { line: number; changes: Partial<Record<LineField, string | null>> }[];
  addLines?: Partial<Record<LineField, string | null>>[];
  /** 1-based line numbers to remove (applied last). */
  removeLines?: number[];
}

function isoDate(value: string, field: string): string {
  const trimmed = value.trim();
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(trimmed);
  const iso = us ? `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}` : trimmed;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const date = match ? new Date(`${iso}T00:00:00Z`) : null;
  if (!match || !date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    throw new UserError(`${field} '${value}' is not a date (use YYYY-MM-DD or MM/DD/YYYY)`);
  }
  return iso;
}

function text(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return trimmed === '' ? null : trimmed;
}

function money(value: string | null, field: string): Cents | null {
  if (value === null || value.trim() === '') return null;
  try {
    return parseMoney(value, field);
  } catch (error) {
    if (error instanceof MoneyError) throw new UserError(`${error.message} (write amounts like 1087.80)`);
    throw error;
  }
}

function applyHeader(header: InvoiceHeader, changes: Partial<Record<HeaderField, string | null>>): InvoiceHeader {
  const next = { ...header };
  for (const [field, value] of Object.entries(changes) as [HeaderField, string | null][]) {
    if (!HEADER_FIELDS.includes(field)) throw new UserError(`'${field}' is not an invoice header field (${HEADER_FIELDS.join(', ')})`);
    if (field === 'total' || field === 'retainage') next[field] = money(value, field);
    else if (field === 'invoiceDate' || field === 'dueDate') next[field] = value === null || value.trim() === '' ? null : isoDate(value, field);
    else next[field] = text(value);
  }
  return next;
}

function parseLineType(value: string): LineType {
  const normal = value.trim().toLowerCase().replace(/[\s_]+/g, '-');
  const found = LINE_TYPES.find((type) => type === normal || (type === 'purchase-order' && normal === 'po'));
  if (!found) throw new UserError(`line type '${value}' is not one of: ${LINE_TYPES.join(', ')}`);
  return found;
}

function applyLine(line: InvoiceLine, changes: Partial<Record<LineField, string | null>>, label: string): InvoiceLine {
  const next = { ...line };
  for (const [field, value] of Object.entries(changes) as [LineField, string | null][]) {
    if (!LINE_FIELDS.includes(field)) throw new UserError(`'${field}' is not an invoice line field (${LINE_FIELDS.join(', ')})`);
    if (field === 'amount' || field === 'retainage') {
      next[field] = money(value, `${label} ${field}`) ?? (0 as Cents);
    } else if (field === 'type') {
      if (value === null) throw new UserError(`${label} needs a type`);
      next.type = parseLineType(value);
    } else {
      next[field] = text(value);
    }
  }
  return next;
}

/** A line's coding, for telling whether an edit changed what reviewers approved. */
function coding(line: InvoiceLine): string {
  const { reviewers: _, ...rest } = line;
  return JSON.stringify(rest);
}

/**
 * Applies an edit. Lines whose coding changes after a reviewer approved them go back to those
 * reviewers as 'reapprove'; an approved invoice whose coding changed is pending again.
 */
export function applyEdit(invoice: Invoice, edit: InvoiceEdit, nextLineId: () => string): { invoice: Invoice; changed: string[] } {
  const changed: string[] = [];
  let header = invoice.header ?? emptyHeader();
  if (edit.header && Object.keys(edit.header).length) {
    const updated = applyHeader(header, edit.header);
    for (const field of HEADER_FIELDS) if (updated[field] !== header[field]) changed.push(field);
    header = updated;
  }
  let lines = invoice.lines.map((line) => ({ ...line, reviewers: line.reviewers.map((r) => ({ ...r })) }));
  for (const { line: number, changes } of edit.lines ?? []) {
    const index = number - 1;
    const current = lines[index];
    if (!current) throw new UserError(`invoice ${invoice.id} has no line ${number} (it has ${lines.length})`);
    const updated = applyLine(current, changes, `line ${number}`);
    if (coding(updated) !== coding(current)) {
      changed.push(`line ${number}`);
      for (const reviewer of updated.reviewers) if (reviewer.status === 'approved') reviewer.status = 'reapprove';
    }
    lines[index] = updated;
  }
  for (const added of edit.addLines ?? []) {
    const blank: InvoiceLine = {
      id: nextLineId(),
      type: 'job',
      job: null,
      costCode: null,
      category: null,
      commitment: null,
      commitmentItem: null,
      description: null,
      amount: 0 as Cents,
      retainage: 0 as Cents,
      reviewers: [],
    };
    lines.push(applyLine(blank, added, `new line ${lines.length + 1}`));
    changed.push(`line ${lines.length} added`);
  }
  const removals = [...new Set(edit.removeLines ?? [])].sort((a, b) => b - a);
  for (const number of removals) {
    if (!lines[number - 1]) throw new UserError(`invoice ${invoice.id} has no line ${number} to remove`);
    lines = lines.filter((_, index) => index !== number - 1);
    changed.push(`line ${number} removed`);
  }
  let status = invoice.status;
  if (changed.length && (status === 'approved' || status === 'pending') && invoice.lines.some((l) => l.reviewers.length)) {
    status = lines.every((line) => line.reviewers.length > 0) ? 'pending' : 'incomplete';
  }
  return { invoice: { ...invoice, header, lines, status }, changed };
}

/** The reviewers whose turn it is on a line: the lowest sequence not yet approved. */
export function currentTurn(line: InvoiceLine): string[] {
  const open = line.reviewers.filter((reviewer) => reviewer.status !== 'approved');
  if (!open.length) return [];
  const sequence = Math.min(...open.map((reviewer) => reviewer.sequence));
  return open.filter((reviewer) => reviewer.sequence === sequence).map((reviewer) => reviewer.user);
}

export interface ReviewOutcome {
  invoice: Invoice;
  lines: number[];
  detail: string;
  outcome: AuditOutcome;
}

function reviewable(invoice: Invoice, user: string, only: readonly number[] | undefined, verb: string): number[] {
  if (invoice.status !== 'pending') {
    throw new UserError(`invoice ${invoice.id} is ${invoice.status}, not pending review — nothing to ${verb}`);
  }
  const wanted = only?.length ? only : invoice.lines.map((_, index) => index + 1);
  for (const number of wanted) {
    if (!invoice.lines[number - 1]) throw new UserError(`invoice ${invoice.id} has no line ${number}`);
  }
  const mine = wanted.filter((number) => currentTurn(invoice.lines[number - 1]!).includes(user));
  if (!mine.length) {
    const waiting = wanted
      .map((number) => ({ number, turn: currentTurn(invoice.lines[number - 1]!) }))
      .filter((entry) => entry.turn.length)
      .map((entry) => `line ${entry.number} waits on ${entry.turn.join(', ')}`);
    const reviewsLater = wanted.some((number) => invoice.lines[number - 1]!.reviewers.some((r) => r.user === user && r.status !== 'approved'));
    throw new UserError(
      `nothing on invoice ${invoice.id} waits on '${user}'${reviewsLater ? ' yet (earlier reviewers come first)' : ''}${waiting.length ? `: ${waiting.join('; ')}` : ''}`,
    );
  }
  return mine;
}

/** The user approves the lines where it is their turn; when every line is approved, so is the invoice. */
export function approveLines(invoice: Invoice, user: string, now: string, only?: readonly number[]): ReviewOutcome {
  const mine = reviewable(invoice, user, only, 'approve');
  const lines = invoice.lines.map((line, index) => {
    if (!mine.includes(index + 1)) return line;
    return { ...line, reviewers: line.reviewers.map((r) => (r.user === user && r.status !== 'approved' ? { ...r, status: 'approved' as const, at: now } : r)) };
  });
  const done = lines.every((line) => line.reviewers.length > 0 && line.reviewers.every((r) => r.status === 'approved'));
  return {
    invoice: { ...invoice, lines, status: done ? 'approved' : 'pending' },
    lines: mine,
    detail: `approved line${mine.length === 1 ? '' : 's'} ${mine.join(', ')}${done ? '; every line is approved' : ''}`,
    outcome: 'ok',
  };
}

/** The user rejects lines where it is their turn; the invoice goes back to the processor as rejected. */
export function rejectLines(invoice: Invoice, user: string, now: string, reason: string, only?: readonly number[]): ReviewOutcome {
  const why = reason.trim();
  if (!why) throw new UserError('say why with --reason: the processor reads it to fix the invoice');
  const mine = reviewable(invoice, user, only, 'reject');
  const lines = invoice.lines.map((line, index) => {
    if (!mine.includes(index + 1)) return line;
    return { ...line, reviewers: line.reviewers.map((r) => (r.user === user && r.status !== 'approved' ? { ...r, status: 'rejected' as const, at: now } : r)) };
  });
  return {
    invoice: { ...invoice, lines, status: 'rejected' },
    lines: mine,
    detail: `rejected line${mine.length === 1 ? '' : 's'} ${mine.join(', ')}: ${why}`,
    outcome: 'warning',
  };
}

/** Puts an invoice on hold: nothing moves it until it is released to the status it had. */
export function holdInvoice(invoice: Invoice, by: string, now: string, reason: string): Invoice {
  const why = reason.trim();
  if (!why) throw new UserError('say why with --reason: whoever releases it reads it');
  if (invoice.status === 'on-hold') throw new UserError(`invoice ${invoice.id} is already on hold (${invoice.hold?.reason ?? 'no reason recorded'})`);
  if (invoice.status === 'exported' || invoice.status === 'paid') {
    throw new UserError(`invoice ${invoice.id} is ${invoice.status}; only invoices not yet exported can be put on hold`);
  }
  return { ...invoice, status: 'on-hold', hold: { at: now, by, reason: why, previous: invoice.status } };
}

export function releaseInvoice(invoice: Invoice): Invoice {
  if (invoice.status !== 'on-hold') throw new UserError(`invoice ${invoice.id} is ${invoice.status}, not on hold`);
  return { ...invoice, status: invoice.hold?.previous ?? 'unprocessed', hold: null };
}
