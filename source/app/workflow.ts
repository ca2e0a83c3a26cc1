// The AP workflow as services: validate, route, review, export, reset, edit, and recording the
// checks that paid exported invoices. Every step lands in the invoice's audit trail with the
// user, the time and the outcome. The console and the headless commands both call these.
import { UserError } from '../domain/errors.js';
import type { AuditEntry, AuditOutcome, Invoice, InvoiceStatus } from '../domain/invoice.js';
import type { Ledger } from '../domain/ledger.js';
import { displayMoney } from '../domain/money.js';
import { emptyVaultRules, type ValidationIssue, type ValidationLevel } from '../domain/rules.js';
import { hasErrors, invoiceNumberKey, validateInvoice } from '../domain/validation.js';
import { routeLines } from '../domain/routing.js';
import { ACCOUNTING_LABELS, requireRole, requireVault, rolesOf, type Vault } from '../domain/vault.js';
import { applyEdit, approveLines, editRefusal, holdInvoice, rejectLines, releaseInvoice, type InvoiceEdit } from '../domain/workflow.js';
import type { Transaction } from '../store/store.js';
import type { LoadProblem } from '../accounting/bridge.js';
import { openVaultBridge } from './accounting.js';
import type { Desk } from './desk.js';

export interface StepResult {
  invoice: Invoice;
  outcome: AuditOutcome;
  detail: string;
  issues: ValidationIssue[];
}

function audit(invoice: Invoice, entry: Omit<AuditEntry, 'at' | 'user'>, tx: Transaction): Invoice {
  return { ...invoice, updatedAt: tx.now, audit: [...invoice.audit, { at: tx.now, user: tx.user, ...entry }] };
}

async function requireInvoice(desk: Desk, id: string): Promise<Invoice> {
  const invoice = await desk.store.findInvoice(id);
  if (!invoice) throw new UserError(`no invoice '${id}' — list them with \`apdesk invoices list\``);
  return invoice;
}

/** The invoice as it is inside this transaction, refusing if someone moved it meanwhile. */
async function fresh(tx: Transaction, seen: Invoice): Promise<{ invoice: Invoice; vault: Vault }> {
  const vault = requireVault(tx.settings.vaults, seen.vaultId);
  const invoice = await tx.getInvoice(seen.vaultId, seen.id);
  if (!invoice) throw new UserError(`invoice ${seen.id} is gone (another user removed it)`);
  if (invoice.status !== seen.status) {
    throw new UserError(`invoice ${seen.id} changed while you worked: it is now ${invoice.status} — look at it again`);
  }
  return { invoice, vault };
}

export interface LedgerView {
  ledger: Ledger;
  problems: LoadProblem[];
}

/** The vault's accounting data as it is now. */
export async function vaultLedger(desk: Desk, vaultRef: string): Promise<LedgerView> {
  return (await openVaultBridge(desk, vaultRef)).load();
}

function summarise(issues: readonly ValidationIssue[]): { outcome: AuditOutcome; detail: string } {
  const errors = issues.filter((issue) => issue.level === 'error');
  const warnings = issues.filter((issue) => issue.level === 'warning');
  const outcome: AuditOutcome = errors.length ? 'error' : warnings.length ? 'warning' : 'ok';
  const head = `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  const first = issues[0];
  return { outcome, detail: first ? `${head}: ${first.message}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}` : 'passed' };
}

async function checkFor(desk: Desk, invoice: Invoice, vault: Vault, level: ValidationLevel, ledger: Ledger): Promise<ValidationIssue[]> {
  const key = invoiceNumberKey(invoice.header.vendor, invoice.header.invoiceNumber);
  const others = key === null ? [] : (await desk.store.invoices(vault.id)).filter((other) => other.id !== invoice.id && invoiceNumberKey(other.header.vendor, other.header.invoiceNumber) === key);
  return validateInvoice(invoice, {
    ledger,
    rules: vault.rules ?? emptyVaultRules(),
    sameNumberInvoices: others.map(({ id, status }) => ({ id, status })),
    accountingLabel: ACCOUNTING_LABELS[vault.accounting],
  }, level);
}

const PROCESSING = ['admin', 'processor'] as const;

export async function validateOne(desk: Desk, id: string, level: ValidationLevel = 'before-routing'): Promise<StepResult & { problems: LoadProblem[] }> {
  const seen = await requireInvoice(desk, id);
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'validate invoices');
  const vault = requireVault(settings.vaults, seen.vaultId);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const issues = await checkFor(desk, seen, vault, level, ledger);
  const { outcome, detail } = summarise(issues);
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = audit({ ...current, validation: { at: tx.now, level, issues } }, { action: 'invoice.validated', outcome, detail }, tx);
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome, detail, issues, problems };
}

const ROUTABLE: readonly InvoiceStatus[] = ['unprocessed', 'incomplete', 'rejected'];

/**
 * Routes an invoice to its reviewers if it passes validation and every line gets a reviewer;
 * otherwise it stays in its queue (incomplete) with the reasons recorded.
 */
export async function routeOne(desk: Desk, id: string): Promise<StepResult & { problems: LoadProblem[] }> {
  const seen = await requireInvoice(desk, id);
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'route invoices');
  if (!ROUTABLE.includes(seen.status)) {
    throw new UserError(
      seen.status === 'on-hold'
        ? `invoice ${seen.id} is on hold (${seen.hold?.reason ?? 'no reason recorded'}) — release it first (\`apdesk invoices release ${seen.id}\`)`
        : `invoice ${seen.id} is ${seen.status}; only unprocessed, incomplete or rejected invoices are routed`,
    );
  }
  const vault = requireVault(settings.vaults, seen.vaultId);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const issues = await checkFor(desk, seen, vault, 'before-routing', ledger);
  const routing = routeLines(seen, (vault.rules ?? emptyVaultRules()).routing, ledger);
  const reasons: string[] = issues.filter((issue) => issue.level === 'error').map((issue) => issue.message);
  for (const lineId of routing.unmatched) {
    const index = seen.lines.findIndex((line) => line.id === lineId);
    const line = seen.lines[index];
    reasons.push(
      `line ${index + 1}${line ? ` (job ${line.job ?? '-'}, cost code ${line.costCode ?? '-'}, ${displayMoney(line.amount)})` : ''} matched no routing rule — add a rule (\`apdesk rules add\`) or change its coding`,
    );
  }
  if (!seen.lines.length) reasons.push('the invoice has no lines to route — code it first (`apdesk invoices edit ID --add-line …`)');
  const routed = reasons.length === 0;
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    let next: Invoice = {
      ...current,
      validation: { at: tx.now, level: 'before-routing', issues },
      routing: { at: tx.now, outcome: routed ? 'routed' : 'failed', reasons },
    };
    if (routed) {
      next = {
        ...next,
        status: 'pending',
        lines: next.lines.map((line) => ({ ...line, reviewers: routing.lines.find((entry) => entry.lineId === line.id)?.reviewers ?? [] })),
      };
      const who = [...new Set(routing.lines.flatMap((entry) => entry.reviewers.map((r) => r.user)))];
      next = audit(next, { action: 'invoice.routed', outcome: issues.length ? 'warning' : 'ok', detail: `routed to ${who.join(', ')}` }, tx);
    } else {
      next = audit({ ...next, status: 'incomplete' }, { action: 'invoice.route-failed', outcome: 'error', detail: reasons.join(' | ') }, tx);
    }
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: routed ? 'ok' : 'error', detail: routed ? 'routed' : reasons.join('\n'), issues, problems };
}

/** The current user approves their lines; the last approval runs the before-approving checks. */
export async function approveOne(desk: Desk, id: string, lines?: readonly number[]): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  const settings = await desk.store.settings();
  const vault = requireVault(settings.vaults, seen.vaultId);
  const review = approveLines(seen, desk.user, new Date().toISOString(), lines);
  let issues: ValidationIssue[] = [];
  if (review.invoice.status === 'approved') {
    const { ledger } = await vaultLedger(desk, vault.id);
    issues = await checkFor(desk, review.invoice, vault, 'before-approving', ledger);
  }
  const blocked = hasErrors(issues);
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const result = approveLines(current, tx.user, tx.now, lines);
    let next = audit(result.invoice, { action: 'invoice.approved-lines', outcome: 'ok', detail: result.detail }, tx);
    if (next.status === 'approved') {
      next = { ...next, validation: { at: tx.now, level: 'before-approving', issues } };
      if (blocked) {
        next = audit({ ...next, status: 'pending' }, { action: 'invoice.approval-blocked', outcome: 'error', detail: summarise(issues).detail }, tx);
      } else {
        next = audit(next, { action: 'invoice.approved', outcome: issues.length ? 'warning' : 'ok', detail: 'every line approved; ready to export' }, tx);
      }
    }
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: blocked ? 'error' : 'ok', detail: blocked ? summarise(issues).detail : review.detail, issues };
}

export async function rejectOne(desk: Desk, id: string, reason: string, lines?: readonly number[]): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  rejectLines(seen, desk.user, new Date().toISOString(), reason, lines);
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const result = rejectLines(current, tx.user, tx.now, reason, lines);
    const next = audit(result.invoice, { action: 'invoice.rejected', outcome: 'warning', detail: result.detail }, tx);
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: 'warning', detail: `rejected: ${reason.trim()}`, issues: [] };
}

/** Writes the vault's approved invoices (or the ones named) to the accounting system. */
export async function exportApproved(desk: Desk, vaultRef: string, ids?: readonly string[]): Promise<{ file: string | null; invoices: Invoice[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'export invoices');
  const vault = requireVault(settings.vaults, vaultRef);
  const all = await desk.store.invoices(vault.id);
  let chosen: Invoice[];
  if (ids?.length) {
    chosen = ids.map((id) => {
      const found = all.find((invoice) => invoice.id === id.trim().toUpperCase());
      if (!found) throw new UserError(`vault '${vault.name}' has no invoice '${id}'`);
      if (found.status !== 'approved') throw new UserError(`invoice ${found.id} is ${found.status}; only approved invoices are exported`);
      return found;
    });
  } else {
    chosen = all.filter((invoice) => invoice.status === 'approved').sort((a, b) => a.id.localeCompare(b.id));
  }
  if (!chosen.length) return { file: null, invoices: [] };
  const bridge = await openVaultBridge(desk, vault.id);
  // An export that reached the folder after the invoice last changed, but was never recorded here
  // (apdesk stopped in between), already holds the invoice: record it, do not send it twice.
  const since = Math.min(...chosen.map((invoice) => Date.parse(invoice.updatedAt)));
  const earlier = await bridge.exportsSince(Number.isFinite(since) ? since : 0);
  const alreadyIn = new Map<string, string>();
  for (const invoice of chosen) {
    const found = earlier.find((entry) => entry.at >= Date.parse(invoice.updatedAt) && entry.invoiceIds.has(invoice.id));
    if (found) alreadyIn.set(invoice.id, found.file);
  }
  const toWrite = chosen.filter((invoice) => !alreadyIn.has(invoice.id));
  const file = toWrite.length ? (await bridge.exportInvoices(toWrite)).file : [...alreadyIn.values()][0]!;
  const invoices = await desk.store.transact(async (tx) => {
    const done: Invoice[] = [];
    for (const seen of chosen) {
      const { invoice: current } = await fresh(tx, seen);
      const target = alreadyIn.get(current.id) ?? file;
      const next = audit(
        { ...current, status: 'exported', exported: { at: tx.now, by: tx.user, file: target } },
        {
          action: 'invoice.exported',
          outcome: 'ok',
          detail: alreadyIn.has(current.id) ? `found in ${target}, written before apdesk could record it; not exported twice` : `exported to ${target}`,
        },
        tx,
      );
      await tx.putInvoice(next);
      done.push(next);
    }
    return done;
  });
  return { file, invoices };
}

/** Makes an exported invoice editable again (it must be exported again afterwards). */
export async function resetForEdit(desk: Desk, id: string): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  requireRole((await desk.store.settings()).users, desk.user, PROCESSING, 'reset invoices for edit');
  if (seen.status !== 'exported') {
    throw new UserError(
      seen.status === 'paid' ? `invoice ${seen.id} is paid; a paid invoice cannot be reset` : `invoice ${seen.id} is ${seen.status}, not exported — it is already editable`,
    );
  }
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = audit(
      { ...current, status: 'approved', exported: null },
      { action: 'invoice.reset', outcome: 'warning', detail: `reset for edit; it was exported to ${current.exported?.file ?? 'the accounting system'} — correct it there too` },
      tx,
    );
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: 'warning', detail: 'reset for edit', issues: [] };
}

export async function editOne(desk: Desk, id: string, edit: InvoiceEdit): Promise<StepResult & { changed: string[] }> {
  const seen = await requireInvoice(desk, id);
  let changed: string[] = [];
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current, vault } = await fresh(tx, seen);
    const refusal = editRefusal(current, { name: tx.user, roles: rolesOf(tx.settings.users, tx.user) }, vault.procore?.allowEdit ?? false);
    if (refusal) throw new UserError(refusal);
    let counter = current.lines.length;
    const result = applyEdit(current, edit, () => {
      counter += 1;
      let candidate = `L${counter}`;
      while (current.lines.some((line) => line.id === candidate)) candidate = `L${++counter}`;
      return candidate;
    });
    changed = result.changed;
    if (!changed.length) return current;
    const next = audit(
      { ...result.invoice, header: { ...result.invoice.header, processor: tx.user } },
      { action: 'invoice.edited', outcome: 'ok', detail: `changed ${changed.join(', ')}${result.invoice.status !== current.status ? `; now ${result.invoice.status}` : ''}` },
      tx,
    );
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: 'ok', detail: changed.length ? `changed ${changed.join(', ')}` : 'nothing changed', issues: [], changed };
}

/** Puts an invoice on hold, or releases it to where it was. */
export async function setHold(desk: Desk, id: string, hold: { reason: string } | null): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  requireRole((await desk.store.settings()).users, desk.user, PROCESSING, hold ? 'put invoices on hold' : 'release invoices');
  if (hold) holdInvoice(seen, desk.user, '', hold.reason);
  else releaseInvoice(seen);
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = hold
      ? audit(holdInvoice(current, tx.user, tx.now, hold.reason), { action: 'invoice.held', outcome: 'warning', detail: hold.reason.trim() }, tx)
      : audit(releaseInvoice(current), { action: 'invoice.released', outcome: 'ok', detail: `back to ${current.hold?.previous ?? 'unprocessed'}` }, tx);
    await tx.putInvoice(next);
    return next;
  });
  return { invoice, outcome: hold ? 'warning' : 'ok', detail: hold ? `on hold: ${hold.reason.trim()}` : 'released', issues: [] };
}

const normal = (value: string | null | undefined) => (value ?? '').trim().toLowerCase();

/**
 * The Job Poll Invoice Check Backfiller, run once: the accounting system's checks are matched
 * to exported invoices by vendor and invoice number, and those invoices are marked paid.
 */
export async function backfillChecks(desk: Desk, vaultRef: string): Promise<{ paid: Invoice[]; problems: LoadProblem[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'record payments');
  const vault = requireVault(settings.vaults, vaultRef);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const exported = (await desk.store.invoices(vault.id)).filter((invoice) => invoice.status === 'exported');
  const matches = exported.flatMap((invoice) => {
    const check = ledger.checks.find(
      (candidate) =>
        normal(candidate.vendor) === normal(invoice.header.vendor) && normal(candidate.invoiceNumber) === normal(invoice.header.invoiceNumber),
    );
    return check ? [{ invoice, check }] : [];
  });
  if (!matches.length) return { paid: [], problems };
  const paid = await desk.store.transact(async (tx) => {
    const done: Invoice[] = [];
    for (const { invoice: seen, check } of matches) {
      const current = await tx.getInvoice(seen.vaultId, seen.id);
      if (!current || current.status !== 'exported') continue;
      const next = audit(
        {
          ...current,
          status: 'paid',
          payment: { checkNumber: check.checkNumber, checkDate: check.checkDate, amount: check.amount, method: check.method, recordedAt: tx.now },
        },
        { action: 'invoice.paid', outcome: 'ok', detail: `check ${check.checkNumber} of ${check.checkDate}, ${displayMoney(check.amount)}, ${check.method}` },
        tx,
      );
      await tx.putInvoice(next);
      done.push(next);
    }
    return done;
  });
  return { paid, problems };
}

export interface AuditRow extends AuditEntry {
  invoice: string;
}

export async function auditTrail(desk: Desk, filter: { vault: string; user?: string; invoice?: string }): Promise<AuditRow[]> {
  const vault = requireVault((await desk.store.settings()).vaults, filter.vault);
  const wanted = filter.invoice?.trim().toUpperCase();
  const invoices = await desk.store.invoices(vault.id);
  if (wanted && !invoices.some((invoice) => invoice.id === wanted)) {
    throw new UserError(`vault '${vault.name}' has no invoice '${filter.invoice}'`);
  }
  return invoices
    .filter((invoice) => !wanted || invoice.id === wanted)
    .flatMap((invoice) => invoice.audit.map((entry) => ({ ...entry, invoice: invoice.id })))
    .filter((row) => !filter.user || row.user === filter.user)
    .sort((a, b) => a.at.localeCompare(b.at) || a.invoice.localeCompare(b.invoice));
}
