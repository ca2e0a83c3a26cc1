// The invoice workflow's decisions, pure: who may edit what, how edits change reviews, whose
// turn it is to review a line, and every status transition with its reasons (route, approve,
// reject, hold, export, reset, paid).
import { remedy, UserError, type Notice } from './errors.js';
import {
  emptyHeader,
  LINE_TYPES,
  type AuditOutcome,
  type ExportRecord,
  type Invoice,
  type InvoiceHeader,
  type InvoiceLine,
  type InvoiceStatus,
  type LineType,
} from './invoice.js';
import type { LedgerCheck } from './ledger.js';
import type { RoutingOutcome } from './routing.js';
import type { ValidationIssue } from './rules.js';
import { negativeAmounts } from './validation.js';
import { displayMoney, MoneyError, parseMoney, type Cents } from './money.js';
import type { Role } from './vault.js';

export function isImportedFromProcore(invoice: Invoice): boolean {
  return invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual';
}

/**
 * Why this user may not edit this invoice, or null if they may. Exported and paid invoices are
 * read-only (until reset for edit); imported Procore invoices are read-only for processors
 * unless the vault allows it; admins may always edit what is not exported.
 */
export function editRefusal(invoice: Invoice, user: { name: string; roles: readonly Role[] }, allowEditImported: boolean): Notice | null {
  if (invoice.status === 'exported') {
    return { message: `invoice ${invoice.id} is exported and read-only — reset it for edit first`, remedy: remedy('invoices.reset', { invoice: invoice.id }) };
  }
  if (invoice.status === 'paid') return { message: `invoice ${invoice.id} is paid and can no longer change` };
  if (!user.roles.includes('admin') && !user.roles.includes('processor')) {
    return { message: `user '${user.name}' may not edit invoices: it needs the processor or admin role`, remedy: remedy('user.add', { user: user.name, role: 'processor' }) };
  }
  if (isImportedFromProcore(invoice) && !allowEditImported && !user.roles.includes('admin')) {
    return {
      message: `invoice ${invoice.id} was imported from Procore and is read-only for processors — fix it in Procore, or an admin can turn on "Allow edit of imported Procore invoices"`,
      remedy: remedy('procore.configure', { vault: invoice.vaultId, setting: 'allow-edit', value: 'on' }),
    };
  }
  return null;
}

export type HeaderField = Exclude<keyof InvoiceHeader, 'processor'>;
export const HEADER_FIELDS: readonly HeaderField[] = ['vendor', 'invoiceNumber', 'invoiceDate', 'dueDate', 'total', 'retainage', 'description', 'creditMemo'];
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
    if (field === 'creditMemo') next.creditMemo = yesNo(value, 'credit memo');
    else if (field === 'total' || field === 'retainage') next[field] = money(value, field);
    else if (field === 'invoiceDate' || field === 'dueDate') next[field] = value === null || value.trim() === '' ? null : isoDate(value, field);
    else next[field] = text(value);
  }
  return next;
}

function yesNo(value: string | null, field: string): boolean {
  const normal = (value ?? '').trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(normal)) return true;
  if (['off', 'no', 'false', '0', ''].includes(normal)) return false;
  throw new UserError(`${field} takes on or off, not '${value}'`);
}

/**
 * Only a credit memo carries negative amounts: anywhere else a minus sign is a typing mistake that
 * would route (and pay) a negative invoice without a word.
 */
export function negativeAmountRefusal(invoice: Pick<Invoice, 'id' | 'header' | 'lines'>): Notice | null {
  const negative = negativeAmounts(invoice);
  if (!negative.length) return null;
  return {
    message: `invoice ${invoice.id} has a negative ${negative.join(', ')}; only a credit memo may be negative — mark it as a credit memo, or enter the amount without a minus sign`,
    remedy: remedy('invoices.edit', { invoice: invoice.id, field: 'creditMemo', value: 'on' }),
  };
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
  const refusal = negativeAmountRefusal({ id: invoice.id, header, lines });
  if (refusal) throw new UserError(refusal.message, refusal.remedy ? { remedy: refusal.remedy } : {});
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

// ---- Transitions: where an invoice goes next, and why not ----
// Services load the invoice, check permissions, call one of these, and save what it returns.

export function summariseIssues(issues: readonly ValidationIssue[]): { outcome: AuditOutcome; detail: string } {
  const errors = issues.filter((issue) => issue.level === 'error').length;
  const warnings = issues.length - errors;
  const outcome: AuditOutcome = errors ? 'error' : warnings ? 'warning' : 'ok';
  const head = `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  const first = issues[0];
  return { outcome, detail: first ? `${head}: ${first.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}` : 'passed' };
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export const ROUTABLE_STATUSES: readonly InvoiceStatus[] = ['unprocessed', 'incomplete', 'rejected'];

/** Why this invoice cannot be sent to routing at all (its status), or null. */
export function routeRefusal(invoice: Invoice): Notice | null {
  if (ROUTABLE_STATUSES.includes(invoice.status)) return null;
  if (invoice.status === 'on-hold') {
    return {
      message: `invoice ${invoice.id} is on hold (${invoice.hold?.reason ?? 'no reason recorded'}) — release it first`,
      remedy: remedy('invoices.release', { invoice: invoice.id }),
    };
  }
  return { message: `invoice ${invoice.id} is ${invoice.status}; only unprocessed, incomplete or rejected invoices are routed` };
}

export interface RouteDecision {
  invoice: Invoice;
  routed: boolean;
  /** Why it stays in its queue: every failed check and every line without a reviewer, once each. */
  reasons: string[];
  /** Who it went to, when routed. */
  reviewers: string[];
}

/**
 * Routing succeeds only if validation has no error and every line has a reviewer; otherwise the
 * invoice stays in its queue as incomplete with each reason recorded (the queue failover).
 */
/**
 * Routes an invoice whose checks pass and whose every line has a reviewer. One that cannot be
 * routed becomes incomplete with its reasons — or, for auto-route's failover (an invoice the sync
 * just imported), stays unprocessed in its queue with them, for a clerk's failover view.
 */
export function decideRoute(invoice: Invoice, issues: readonly ValidationIssue[], routing: RoutingOutcome, now: string, options: { failover?: boolean } = {}): RouteDecision {
  const reasons = [...new Set(issues.filter((issue) => issue.level === 'error').map((issue) => issue.message))];
  for (const lineId of routing.unmatched) {
    const index = invoice.lines.findIndex((line) => line.id === lineId);
    const line = invoice.lines[index];
    reasons.push(
      `line ${index + 1}${line ? ` (job ${line.job ?? '-'}, cost code ${line.costCode ?? '-'}, ${displayMoney(line.amount)})` : ''} matched no routing rule — add a routing rule for it or change its coding`,
    );
  }
  const routed = reasons.length === 0;
  const base: Invoice = {
    ...invoice,
    validation: { at: now, level: 'before-routing', issues: [...issues] },
    routing: { at: now, outcome: routed ? 'routed' : 'failed', reasons },
  };
  if (!routed) return { invoice: { ...base, status: options.failover ? invoice.status : 'incomplete' }, routed, reasons, reviewers: [] };
  const lines = base.lines.map((line) => ({ ...line, reviewers: routing.lines.find((entry) => entry.lineId === line.id)?.reviewers ?? [] }));
  const reviewers = [...new Set(lines.flatMap((line) => line.reviewers.map((reviewer) => reviewer.user)))];
  return { invoice: { ...base, status: 'pending', lines }, routed, reasons, reviewers };
}

/**
 * After the user's approval: an invoice whose every line is approved passes the before-approving
 * checks or goes back to pending with the errors recorded.
 */
export function decideApproval(approved: Invoice, issues: readonly ValidationIssue[], now: string): { invoice: Invoice; blocked: boolean } {
  if (approved.status !== 'approved') return { invoice: approved, blocked: false };
  const invoice: Invoice = { ...approved, validation: { at: now, level: 'before-approving', issues: [...issues] } };
  const blocked = issues.some((issue) => issue.level === 'error');
  return { invoice: blocked ? { ...invoice, status: 'pending' } : invoice, blocked };
}

/** Only approved invoices go to the accounting system. */
export function exportRefusal(invoice: Invoice): Notice | null {
  return invoice.status === 'approved' ? null : { message: `invoice ${invoice.id} is ${invoice.status}; only approved invoices are exported` };
}

export function markExported(invoice: Invoice, record: ExportRecord): Invoice {
  const refusal = exportRefusal(invoice);
  if (refusal) throw new UserError(refusal.message);
  return { ...invoice, status: 'exported', exported: record };
}

/** An exported invoice becomes editable again (approved, to be exported again). */
export function resetForEdit(invoice: Invoice): Invoice {
  if (invoice.status === 'paid') throw new UserError(`invoice ${invoice.id} is paid; a paid invoice cannot be reset`);
  if (invoice.status !== 'exported') throw new UserError(`invoice ${invoice.id} is ${invoice.status}, not exported — it is already editable`);
  return { ...invoice, status: 'approved', exported: null };
}

const normal = (value: string | null | undefined) => (value ?? '').trim().toLowerCase();

/** The accounting system's check that paid this exported invoice (same vendor and invoice number), if any. */
export function checkFor(invoice: Invoice, checks: readonly LedgerCheck[]): LedgerCheck | undefined {
  if (invoice.status !== 'exported') return undefined;
  return checks.find(
    (check) => normal(check.vendor) === normal(invoice.header.vendor) && normal(check.invoiceNumber) === normal(invoice.header.invoiceNumber),
  );
}

export function markPaid(invoice: Invoice, check: LedgerCheck, now: string): Invoice {
  if (invoice.status !== 'exported') throw new UserError(`invoice ${invoice.id} is ${invoice.status}; only exported invoices are paid`);
  return {
    ...invoice,
    status: 'paid',
    payment: { checkNumber: check.checkNumber, checkDate: check.checkDate, amount: check.amount, method: check.method, recordedAt: now },
  };
}
