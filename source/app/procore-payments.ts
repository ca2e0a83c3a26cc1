// What became of a paid Procore invoice's payment to Procore, recorded on the invoice: the payment
// created (or found by its origin id), Procore's refusal, and a person asking for it again. Each is
// one transaction with an audit entry; the check backfiller job does the talking to Procore.
import { UserError } from '../domain/errors.js';
import type { ProcoreId } from '../domain/ids.js';
import type { AuditEntry, Invoice } from '../domain/invoice.js';
import { displayMoney, type Cents } from '../domain/money.js';
import { askPaymentAgain, PAYMENT_ACTIONS, withPaymentCreated, withPaymentFailed } from '../domain/procore-payment.js';
import { requireRole } from '../domain/vault.js';
import type { Transaction } from '../store/store.js';
import type { DeskContext } from './context.js';

const PROCESSING = ['admin', 'processor'] as const;

export interface CreatedPayment {
  paymentId: ProcoreId;
  originId: string;
  paymentNumber: number | null;
  amount: Cents;
  /** Found in Procore by its origin id (created by a run that stopped before recording it), not created now. */
  found?: boolean;
}

async function changeInvoice(
  desk: DeskContext,
  invoiceId: string,
  action: string,
  change: (invoice: Invoice, tx: Transaction) => { invoice: Invoice; entry: Omit<AuditEntry, 'at' | 'user' | 'action'> } | null,
): Promise<Invoice> {
  const id = invoiceId.trim().toUpperCase();
  const seen = await desk.store.findInvoice(id);
  if (!seen) throw new UserError(`no invoice '${invoiceId}'`);
  let changed = false;
  const invoice = await desk.store.transact(async (tx) => {
    requireRole(tx.settings.users, tx.user, PROCESSING, 'record payments');
    const current = await tx.getInvoice(seen.vaultId, seen.id);
    if (!current) throw new UserError(`invoice ${seen.id} is gone (another user removed it)`);
    const result = change(current, tx);
    if (!result) return current;
    const entry: AuditEntry = { at: tx.now, user: tx.user, action, ...result.entry, ...(desk.actingAdmin ? { actingAdmin: desk.actingAdmin } : {}) };
    const next: Invoice = { ...result.invoice, updatedAt: tx.now, audit: [...result.invoice.audit, entry] };
    await tx.putInvoice(next);
    changed = true;
    return next;
  });
  if (changed) desk.events.emit('invoices.changed', { vaultId: invoice.vaultId, ids: [invoice.id], action });
  return invoice;
}

/** Records the Procore payment that now stands for the invoice's check; recording the same one again changes nothing. */
export function recordPaymentCreated(desk: DeskContext, invoiceId: string, payment: CreatedPayment): Promise<Invoice> {
  const { found = false, ...fields } = payment;
  return changeInvoice(desk, invoiceId, PAYMENT_ACTIONS.created, (invoice, tx) => {
    const current = invoice.procorePayment;
    if (current?.state === 'created' && current.paymentId === fields.paymentId) return null;
    const number = fields.paymentNumber === null ? '' : ` number ${fields.paymentNumber}`;
    return {
      invoice: withPaymentCreated(invoice, fields, tx.now),
      entry: {
        outcome: 'ok',
        detail: found
          ? `Procore payment ${fields.paymentId}${number} (${displayMoney(fields.amount)}) found by its origin id ${fields.originId}: it was created before apdesk could record it, and not created twice`
          : `Procore payment ${fields.paymentId}${number} created for ${displayMoney(fields.amount)} (origin id ${fields.originId})`,
      },
    };
  });
}

/** Records Procore's refusal of the invoice's payment: the next runs leave it alone until a person asks again. */
export function recordPaymentFailed(desk: DeskContext, invoiceId: string, error: string): Promise<Invoice> {
  return changeInvoice(desk, invoiceId, PAYMENT_ACTIONS.failed, (invoice, tx) => ({
    invoice: withPaymentFailed(invoice, error, tx.now),
    entry: { outcome: 'error', detail: error },
  }));
}

/**
 * A person asks for the invoice's payment to Procore again: a recorded refusal is cleared, and
 * the invoice goes to the front of the next check backfiller run.
 */
export function retryPayment(desk: DeskContext, invoiceId: string): Promise<Invoice> {
  return changeInvoice(desk, invoiceId, PAYMENT_ACTIONS.retry, (invoice) => {
    const again = askPaymentAgain(invoice);
    return { invoice: again.invoice, entry: { outcome: 'ok', detail: again.detail } };
  });
}
