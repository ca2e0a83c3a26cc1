// The AP workflow as services: validate, route, review, hold, export, reset, edit, and recording
// the checks that paid exported invoices. Each one loads the invoice, checks the user may act,
// lets domain/workflow.ts decide the transition, and saves it with an audit entry. The console
// and the headless commands both call these.
import { UserError, remedy } from '../domain/errors.js';
import type { AuditEntry, AuditOutcome, Invoice } from '../domain/invoice.js';
import type { Ledger } from '../domain/ledger.js';
import { displayMoney } from '../domain/money.js';
import { emptyVaultRules, type ValidationIssue, type ValidationLevel } from '../domain/rules.js';
import { validateInvoice } from '../domain/validation.js';
import { routeLines } from '../domain/routing.js';
import { ACCOUNTING_LABELS, requireRole, requireVault, rolesOf, type Vault } from '../domain/vault.js';
import {
  applyEdit,
  approveLines,
  checkFor,
  decideApproval,
  decideRoute,
  editRefusal,
  exportRefusal,
  holdInvoice,
  markExported,
  markPaid,
  plural,
  rejectLines,
  releaseInvoice,
  resetForEdit as resetInvoice,
  routeRefusal,
  summariseIssues,
  type InvoiceEdit,
} from '../domain/workflow.js';
import type { InvoiceIndexView, Transaction } from '../store/store.js';
import type { LoadProblem } from '../accounting/bridge.js';
import { currentLedger, noAccountingData, openVaultBridge } from './accounting.js';
import type { DeskContext } from './context.js';

export interface StepResult {
  invoice: Invoice;
  outcome: AuditOutcome;
  detail: string;
  issues: ValidationIssue[];
}

/** One id of a command over several: what happened to it, or why nothing did. */
export type BatchOutcome<T> = { id: string; ok: true; result: T } | { id: string; ok: false; error: UserError };

const PROCESSING = ['admin', 'processor'] as const;

function audit(desk: DeskContext, invoice: Invoice, entry: Omit<AuditEntry, 'at' | 'user'>, tx: Transaction): Invoice {
  const record: AuditEntry = { at: tx.now, user: tx.user, ...entry, ...(desk.actingAdmin ? { actingAdmin: desk.actingAdmin } : {}) };
  return { ...invoice, updatedAt: tx.now, audit: [...invoice.audit, record] };
}

function noSuchInvoice(id: string): UserError {
  return new UserError(`no invoice '${id}'`, { remedy: remedy('invoices.list', {}) });
}

export async function requireInvoice(desk: DeskContext, id: string): Promise<Invoice> {
  const invoice = await desk.store.findInvoice(id);
  if (!invoice) throw noSuchInvoice(id);
  return invoice;
}

/**
 * Commands over several ids: every id is looked up first (an unknown one stops everything before
 * anything changes), each is done once however often it was named, and each gets its own outcome.
 */
export async function forEachInvoice<T>(desk: DeskContext, ids: readonly string[], step: (invoice: Invoice) => Promise<T>): Promise<BatchOutcome<T>[]> {
  const unique = [...new Set(ids.map((id) => id.trim().toUpperCase()))];
  const found = await Promise.all(unique.map(async (id) => ({ id, invoice: await desk.store.findInvoice(id) })));
  const missing = found.filter((entry) => !entry.invoice).map((entry) => entry.id);
  if (missing.length) {
    throw new UserError(`${missing.length === 1 ? 'no invoice' : 'no invoices'} ${missing.map((id) => `'${id}'`).join(', ')}; nothing was done`, {
      remedy: remedy('invoices.list', {}),
    });
  }
  const outcomes: BatchOutcome<T>[] = [];
  for (const { id, invoice } of found) {
    try {
      outcomes.push({ id, ok: true, result: await step(invoice!) });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      outcomes.push({ id, ok: false, error });
    }
  }
  return outcomes;
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
export async function vaultLedger(desk: DeskContext, vaultRef: string): Promise<LedgerView> {
  return currentLedger(desk, vaultRef);
}

export async function issuesFor(
  desk: DeskContext,
  invoice: Invoice,
  vault: Vault,
  level: ValidationLevel,
  ledger: Ledger,
  index: Pick<InvoiceIndexView, 'invoicesByNumber'> = desk.store,
): Promise<ValidationIssue[]> {
  // The vault's other invoices with this number come from its index: nothing else is opened.
  const others = (await index.invoicesByNumber(vault.id, invoice.header.vendor, invoice.header.invoiceNumber)).filter((other) => other.id !== invoice.id);
  return validateInvoice(invoice, {
    ledger,
    rules: vault.rules ?? emptyVaultRules(),
    sameNumberInvoices: others.map(({ id, status }) => ({ id, status })),
    accountingLabel: ACCOUNTING_LABELS[vault.accounting],
  }, level);
}

/** A vault's invoices in one status, by id: found in the index, then opened one by one. */
async function invoicesIn(desk: DeskContext, vaultId: string, status: Invoice['status']): Promise<Invoice[]> {
  const page = await desk.store.invoicePage(vaultId, { status, sort: 'id', limit: Number.MAX_SAFE_INTEGER });
  const found = await Promise.all(page.rows.map((row) => desk.store.invoice(vaultId, row.id)));
  return found.filter((invoice): invoice is Invoice => invoice !== undefined && invoice.status === status);
}

function announce(desk: DeskContext, invoices: readonly Invoice[], action: string): void {
  const byVault = new Map<string, string[]>();
  for (const invoice of invoices) byVault.set(invoice.vaultId, [...(byVault.get(invoice.vaultId) ?? []), invoice.id]);
  for (const [vaultId, ids] of byVault) desk.events.emit('invoices.changed', { vaultId, ids, action });
}

export async function validateInvoiceNow(desk: DeskContext, seen: Invoice, level: ValidationLevel = 'before-routing'): Promise<StepResult & { problems: LoadProblem[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'validate invoices');
  const vault = requireVault(settings.vaults, seen.vaultId);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const issues = await issuesFor(desk, seen, vault, level, ledger);
  const { outcome, detail } = summariseIssues(issues);
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = audit(desk, { ...current, validation: { at: tx.now, level, issues } }, { action: 'invoice.validated', outcome, detail }, tx);
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], 'validated');
  return { invoice, outcome, detail, issues, problems };
}

/**
 * Routes an invoice to its reviewers if it passes validation and every line gets a reviewer;
 * otherwise it stays in its queue (incomplete) with the reasons recorded.
 */
export async function routeInvoice(desk: DeskContext, seen: Invoice): Promise<StepResult & { problems: LoadProblem[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'route invoices');
  const refusal = routeRefusal(seen);
  if (refusal) throw new UserError(refusal.message, refusal.remedy ? { remedy: refusal.remedy } : {});
  const vault = requireVault(settings.vaults, seen.vaultId);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const issues = await issuesFor(desk, seen, vault, 'before-routing', ledger);
  const routing = routeLines(seen, (vault.rules ?? emptyVaultRules()).routing, ledger);
  let decision: ReturnType<typeof decideRoute> | undefined;
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    decision = decideRoute(current, issues, routing, tx.now);
    const next = decision.routed
      ? audit(desk, decision.invoice, { action: 'invoice.routed', outcome: issues.length ? 'warning' : 'ok', detail: `routed to ${decision.reviewers.join(', ')}` }, tx)
      : audit(desk, decision.invoice, { action: 'invoice.route-failed', outcome: 'error', detail: decision.reasons.join(' | ') }, tx);
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], 'routed');
  const routed = decision!.routed;
  return { invoice, outcome: routed ? 'ok' : 'error', detail: routed ? 'routed' : `stays in its queue: ${plural(decision!.reasons.length, 'reason')}`, issues, problems };
}

/** The current user approves their lines; the last approval runs the before-approving checks. */
export async function approveInvoice(desk: DeskContext, id: string, lines?: readonly number[]): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  const vault = requireVault((await desk.store.settings()).vaults, seen.vaultId);
  // The ledger is read before the lock is taken; the checks themselves run on the invoice as it is under the lock.
  const ledger = vault.ledger ? (await vaultLedger(desk, vault.id)).ledger : null;
  let outcome: { blocked: boolean; detail: string; issues: ValidationIssue[] } = { blocked: false, detail: '', issues: [] };
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const review = approveLines(current, tx.user, tx.now, lines);
    let issues: ValidationIssue[] = [];
    if (review.invoice.status === 'approved') {
      if (!ledger) throw noAccountingData(vault);
      issues = await issuesFor(desk, review.invoice, vault, 'before-approving', ledger);
    }
    const decision = decideApproval(review.invoice, issues, tx.now);
    let next = audit(desk, decision.invoice, { action: 'invoice.approved-lines', outcome: 'ok', detail: review.detail }, tx);
    if (review.invoice.status === 'approved') {
      next = decision.blocked
        ? audit(desk, next, { action: 'invoice.approval-blocked', outcome: 'error', detail: summariseIssues(issues).detail }, tx)
        : audit(desk, next, { action: 'invoice.approved', outcome: issues.length ? 'warning' : 'ok', detail: 'every line approved; ready to export' }, tx);
    }
    outcome = { blocked: decision.blocked, detail: decision.blocked ? summariseIssues(issues).detail : review.detail, issues };
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], 'approved');
  return { invoice, outcome: outcome.blocked ? 'error' : 'ok', detail: outcome.detail, issues: outcome.issues };
}

export async function rejectInvoice(desk: DeskContext, id: string, reason: string, lines?: readonly number[]): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  let detail = '';
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const result = rejectLines(current, tx.user, tx.now, reason, lines);
    detail = result.detail;
    const next = audit(desk, result.invoice, { action: 'invoice.rejected', outcome: 'warning', detail: result.detail }, tx);
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], 'rejected');
  return { invoice, outcome: 'warning', detail, issues: [] };
}

/** Writes the vault's approved invoices (or the ones named) to the accounting system. */
export async function exportApproved(desk: DeskContext, vaultRef: string, ids?: readonly string[]): Promise<{ file: string | null; invoices: Invoice[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'export invoices');
  const vault = requireVault(settings.vaults, vaultRef);
  let chosen: Invoice[];
  if (ids?.length) {
    const wanted = [...new Set(ids.map((id) => id.trim().toUpperCase()))];
    chosen = [];
    for (const id of wanted) {
      const found = await desk.store.invoice(vault.id, id);
      if (!found) throw new UserError(`vault '${vault.name}' has no invoice '${id}'; nothing was exported`, { remedy: remedy('invoices.list', { vault: vault.id }) });
      const refusal = exportRefusal(found);
      if (refusal) throw new UserError(`${refusal.message}; nothing was exported`);
      chosen.push(found);
    }
  } else {
    chosen = await invoicesIn(desk, vault.id, 'approved');
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
        desk,
        markExported(current, { at: tx.now, by: tx.user, file: target }),
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
  announce(desk, invoices, 'exported');
  return { file, invoices };
}

/** Makes an exported invoice editable again (it must be exported again afterwards). */
export async function resetForEdit(desk: DeskContext, id: string): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  requireRole((await desk.store.settings()).users, desk.user, PROCESSING, 'reset invoices for edit');
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = audit(
      desk,
      resetInvoice(current),
      { action: 'invoice.reset', outcome: 'warning', detail: `reset for edit; it was exported to ${current.exported?.file ?? 'the accounting system'} — correct it there too` },
      tx,
    );
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], 'reset');
  return { invoice, outcome: 'warning', detail: 'reset for edit', issues: [] };
}

export async function editInvoice(desk: DeskContext, id: string, edit: InvoiceEdit): Promise<StepResult & { changed: string[] }> {
  const seen = await requireInvoice(desk, id);
  let changed: string[] = [];
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current, vault } = await fresh(tx, seen);
    const refusal = editRefusal(current, { name: tx.user, roles: rolesOf(tx.settings.users, tx.user) }, vault.procore?.allowEdit ?? false);
    if (refusal) throw new UserError(refusal.message, refusal.remedy ? { remedy: refusal.remedy } : {});
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
      desk,
      { ...result.invoice, header: { ...result.invoice.header, processor: tx.user } },
      { action: 'invoice.edited', outcome: 'ok', detail: `changed ${changed.join(', ')}${result.invoice.status !== current.status ? `; now ${result.invoice.status}` : ''}` },
      tx,
    );
    await tx.putInvoice(next);
    return next;
  });
  if (changed.length) announce(desk, [invoice], 'edited');
  return { invoice, outcome: 'ok', detail: changed.length ? `changed ${changed.join(', ')}` : 'nothing changed', issues: [], changed };
}

/** Puts an invoice on hold, or releases it to where it was. */
export async function setHold(desk: DeskContext, id: string, hold: { reason: string } | null): Promise<StepResult> {
  const seen = await requireInvoice(desk, id);
  requireRole((await desk.store.settings()).users, desk.user, PROCESSING, hold ? 'put invoices on hold' : 'release invoices');
  const invoice = await desk.store.transact(async (tx) => {
    const { invoice: current } = await fresh(tx, seen);
    const next = hold
      ? audit(desk, holdInvoice(current, tx.user, tx.now, hold.reason), { action: 'invoice.held', outcome: 'warning', detail: hold.reason.trim() }, tx)
      : audit(desk, releaseInvoice(current), { action: 'invoice.released', outcome: 'ok', detail: `back to ${current.hold?.previous ?? 'unprocessed'}` }, tx);
    await tx.putInvoice(next);
    return next;
  });
  announce(desk, [invoice], hold ? 'held' : 'released');
  return { invoice, outcome: hold ? 'warning' : 'ok', detail: hold ? `on hold: ${hold.reason.trim()}` : 'released', issues: [] };
}

/**
 * The Job Poll Invoice Check Backfiller, run once: the accounting system's checks are matched
 * to exported invoices by vendor and invoice number, and those invoices are marked paid.
 */
export async function backfillChecks(desk: DeskContext, vaultRef: string): Promise<{ paid: Invoice[]; problems: LoadProblem[] }> {
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'record payments');
  const vault = requireVault(settings.vaults, vaultRef);
  const { ledger, problems } = await vaultLedger(desk, vault.id);
  const exported = await invoicesIn(desk, vault.id, 'exported');
  const matches = exported.filter((invoice) => checkFor(invoice, ledger.checks));
  if (!matches.length) return { paid: [], problems };
  const paid = await desk.store.transact(async (tx) => {
    const done: Invoice[] = [];
    for (const seen of matches) {
      const current = await tx.getInvoice(seen.vaultId, seen.id);
      const check = current && checkFor(current, ledger.checks);
      if (!current || !check) continue;
      const next = audit(
        desk,
        markPaid(current, check, tx.now),
        { action: 'invoice.paid', outcome: 'ok', detail: `check ${check.checkNumber} of ${check.checkDate}, ${displayMoney(check.amount)}, ${check.method}` },
        tx,
      );
      await tx.putInvoice(next);
      done.push(next);
    }
    return done;
  });
  announce(desk, paid, 'paid');
  return { paid, problems };
}

export interface AuditRow extends AuditEntry {
  invoice: string;
}

export async function auditTrail(desk: DeskContext, filter: { vault: string; user?: string; invoice?: string }): Promise<AuditRow[]> {
  const vault = requireVault((await desk.store.settings()).vaults, filter.vault);
  const wanted = filter.invoice?.trim().toUpperCase();
  const rows: AuditRow[] = [];
  const take = (invoice: Invoice) => {
    for (const entry of invoice.audit) {
      if (!filter.user || entry.user === filter.user || entry.actingAdmin === filter.user) rows.push({ ...entry, invoice: invoice.id });
    }
  };
  if (wanted) {
    const invoice = await desk.store.invoice(vault.id, wanted);
    if (!invoice) throw new UserError(`vault '${vault.name}' has no invoice '${filter.invoice}'`, { remedy: remedy('invoices.list', { vault: vault.id }) });
    take(invoice);
  } else {
    // The whole vault, a shard at a time: only the audit rows are kept.
    for await (const invoice of desk.store.scanInvoices(vault.id)) take(invoice);
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at) || a.invoice.localeCompare(b.invoice));
}
