// Create payments in Procore: once the accounting system has paid an invoice that came from
// Procore, one contract payment goes on its commitment. Which invoices need one, what it says
// (method, number, origin id, notes), and what is recorded on the invoice afterwards.
import { UserError } from './errors.js';
import type { ProcoreId } from './ids.js';
import type { Invoice, PaymentRecord, ProcoreLink, ProcorePaymentRecord } from './invoice.js';
import { displayMoney, type Cents } from './money.js';

/** The payment methods Procore's contract payments take. */
export const PROCORE_PAYMENT_METHODS = ['check', 'electronic', 'credit_card'] as const;
export type ProcorePaymentMethod = (typeof PROCORE_PAYMENT_METHODS)[number];

/** The audit actions of a payment to Procore. */
export const PAYMENT_ACTIONS = {
  created: 'invoice.procore-payment',
  failed: 'invoice.procore-payment-failed',
  retry: 'invoice.procore-payment-retry',
} as const;

export interface MethodChoice {
  method: ProcorePaymentMethod;
  /** False when the accounting system's method meant nothing to apdesk and `check` was assumed. */
  known: boolean;
}

const ELECTRONIC_WORDS = ['ach', 'eft', 'wire', 'electronic', 'echeck', 'epayment'];
const CARD_WORDS = ['card', 'cc'];
const CHECK_WORDS = ['check', 'cheque', 'chk'];

/**
 * The accounting system's method as Procore names it: ACH, EFT, wire and electronic are
 * electronic ("Electronic check" too); credit card is credit_card; check is check. Anything
 * else is sent as a check, and the payment's notes say so.
 */
export function paymentMethodFor(accountingMethod: string): MethodChoice {
  const words = accountingMethod.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const has = (list: readonly string[]) => words.some((word) => list.includes(word));
  if (has(ELECTRONIC_WORDS) || words.join(' ') === 'direct deposit') return { method: 'electronic', known: true };
  if (has(CARD_WORDS)) return { method: 'credit_card', known: true };
  if (has(CHECK_WORDS)) return { method: 'check', known: true };
  return { method: 'check', known: false };
}

/**
 * The payment's origin_id: names the apdesk payment of this invoice by this check, so a retry
 * (or a run that stopped between creating it and recording it) finds it instead of making another.
 */
export function paymentOriginId(vaultId: string, invoiceId: string, checkNumber: string): string {
  return `apdesk:${vaultId}:${invoiceId}:${checkNumber.trim()}`;
}

/** One more than the highest payment number on the commitment; 1 for its first payment. */
export function nextPaymentNumber(numbers: readonly (number | null)[]): number {
  return numbers.reduce<number>((highest, number) => (number !== null && number > highest ? number : highest), 0) + 1;
}

/** The Procore records an invoice came from; null for an invoice that did not come from Procore. */
export function procoreLinkOf(invoice: Invoice): ProcoreLink | null {
  return invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual' ? invoice.source.procore : null;
}

/**
 * A paid invoice from Procore with no payment recorded there yet. One whose payment Procore
 * refused waits for a person (askPaymentAgain) rather than being sent again every run.
 */
export function needsProcorePayment(invoice: Invoice): boolean {
  return invoice.status === 'paid' && !!invoice.payment && procoreLinkOf(invoice) !== null && !invoice.procorePayment;
}

/**
 * Why this payment cannot go to Procore at all, before asking it: a refusal to record, or null.
 * `companyId` is the company the vault's connection speaks for.
 */
export function paymentBlocker(invoice: Invoice, companyId: string | null): string | null {
  const link = procoreLinkOf(invoice);
  const paid = invoice.payment;
  if (!link || !paid) return null;
  if (companyId !== link.companyId) {
    return `the invoice came from Procore company ${link.companyId}, but the vault is set up for ${companyId === null ? 'no company' : `company ${companyId}`} — choose that company in the vault's Procore configuration, then ask for the payment again`;
  }
  if (paid.amount <= 0) {
    return `check ${paid.checkNumber} paid ${displayMoney(paid.amount)}: Procore takes only payments above $0.00 — record it in Procore by hand, or correct the check in the accounting system, then ask for the payment again`;
  }
  return null;
}

/** The contract payment apdesk asks Procore to create, as apdesk means it (procore/payments.ts writes it out). */
export interface ContractPaymentDraft {
  projectId: ProcoreId;
  contractId: ProcoreId;
  requisitionId: ProcoreId;
  /** The check date, YYYY-MM-DD. */
  date: string;
  amount: Cents;
  method: ProcorePaymentMethod;
  checkNumber: string;
  paymentNumber: number;
  invoiceNumber: string | null;
  notes: string;
  originId: string;
}

const METHOD_WORDS: Record<ProcorePaymentMethod, string> = { check: 'check', electronic: 'electronic payment', credit_card: 'credit card' };

/** The payment for a paid Procore invoice, numbered `paymentNumber` on its commitment. */
export function contractPaymentFor(invoice: Invoice, vault: { id: string; name: string }, paymentNumber: number): ContractPaymentDraft {
  const link = procoreLinkOf(invoice);
  const paid = invoice.payment;
  if (!link || !paid) throw new UserError(`invoice ${invoice.id} is not a paid invoice from Procore; it gets no payment there`);
  const choice = paymentMethodFor(paid.method);
  const notes = [
    `Paid by ${METHOD_WORDS[choice.method]} ${paid.checkNumber} of ${paid.checkDate}, ${displayMoney(paid.amount)}: recorded by apdesk from vault '${vault.name}', invoice ${invoice.id}.`,
    choice.known ? '' : ` The accounting system's payment method '${paid.method}' is not one apdesk knows, so it was sent as a check.`,
  ].join('');
  return {
    projectId: link.projectId,
    contractId: link.commitmentId,
    requisitionId: link.requisitionId,
    date: paid.checkDate,
    amount: paid.amount,
    method: choice.method,
    checkNumber: paid.checkNumber,
    paymentNumber,
    invoiceNumber: invoice.header.invoiceNumber,
    notes,
    originId: paymentOriginId(invoice.vaultId, invoice.id, paid.checkNumber),
  };
}

/** The origin id this invoice's payment has, or would have. */
export function originIdOf(invoice: Invoice & { payment: PaymentRecord }): string {
  return paymentOriginId(invoice.vaultId, invoice.id, invoice.payment.checkNumber);
}

function requirePaidFromProcore(invoice: Invoice, doing: string): void {
  if (procoreLinkOf(invoice) === null) throw new UserError(`invoice ${invoice.id} did not come from Procore, so it has no payment there to ${doing}`);
  if (invoice.status !== 'paid' || !invoice.payment) throw new UserError(`invoice ${invoice.id} is ${invoice.status}, not paid: it has no payment for Procore to ${doing} yet`);
}

/** The invoice with the Procore payment that now stands for its check. */
export function withPaymentCreated(
  invoice: Invoice,
  payment: { paymentId: ProcoreId; originId: string; paymentNumber: number | null; amount: Cents },
  at: string,
): Invoice {
  requirePaidFromProcore(invoice, 'record');
  const current = invoice.procorePayment;
  if (current?.state === 'created' && current.paymentId !== payment.paymentId) {
    throw new UserError(`invoice ${invoice.id} already has Procore payment ${current.paymentId}; payment ${payment.paymentId} was not recorded — look at both in Procore`);
  }
  return { ...invoice, procorePayment: { state: 'created', ...payment, at } };
}

/** How many times Procore refused this invoice's payment, this one included. */
function attemptsAfter(invoice: Invoice): number {
  return invoice.audit.filter((entry) => entry.action === PAYMENT_ACTIONS.failed).length + 1;
}

/** The invoice with Procore's refusal recorded: no payment is asked for again until a person says so. */
export function withPaymentFailed(invoice: Invoice, error: string, at: string): Invoice {
  requirePaidFromProcore(invoice, 'refuse');
  if (invoice.procorePayment?.state === 'created') {
    throw new UserError(`invoice ${invoice.id} already has Procore payment ${invoice.procorePayment.paymentId}; the refusal was not recorded`);
  }
  return { ...invoice, procorePayment: { state: 'failed', error, at, attempts: attemptsAfter(invoice) } };
}

/**
 * A person asks for the payment again: a refusal is cleared, and an invoice still waiting for
 * its payment is put back in front of the next run. One whose payment exists is refused.
 */
export function askPaymentAgain(invoice: Invoice): { invoice: Invoice; detail: string } {
  requirePaidFromProcore(invoice, 'ask for again');
  const current: ProcorePaymentRecord | null | undefined = invoice.procorePayment;
  if (current?.state === 'created') {
    throw new UserError(`invoice ${invoice.id} already has Procore payment ${current.paymentId}${current.paymentNumber !== null ? ` (number ${current.paymentNumber})` : ''}; nothing to retry`);
  }
  if (current?.state === 'failed') {
    return { invoice: { ...invoice, procorePayment: null }, detail: `payment to Procore asked for again after ${current.attempts === 1 ? 'its refusal' : `${current.attempts} refusals`}: ${current.error}` };
  }
  return { invoice, detail: 'payment to Procore asked for again; the next check backfiller run sends it' };
}

/**
 * Whether Procore's answer refuses this one payment (kept on the invoice until a person acts)
 * rather than failing for now (tried again next run): a 4xx other than 401 and 429.
 */
export function isPaymentRefusal(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && status !== 401 && status !== 429;
}

/** What a person does about a refusal, by Procore's status and words. */
export function refusalAdvice(status: number | null, procoreWords: string): string {
  const words = procoreWords.toLowerCase();
  if (status === 403) return "give the connected Procore user the right to create payments on this commitment (Admin on the Commitments tool)";
  if (status === 404) return 'the project or commitment is gone, or the connected Procore user cannot see it — restore it, or the user\'s access, in Procore';
  if (words.includes('not allowed') || words.includes('allow_payments')) return 'allow payments on this commitment in Procore';
  if (words.includes('requisition')) return 'the subcontractor invoice is not on this commitment in Procore — correct it there';
  if (status === 400) return 'apdesk sent a request Procore could not read — report it with the Procore request id';
  return 'correct what Procore names, in Procore or in the accounting system';
}

/** The refusal as recorded on the invoice: Procore's words, and what to do. */
export function refusalRecord(status: number | null, procoreWords: string): string {
  return `Procore refused the payment: ${procoreWords} — ${refusalAdvice(status, procoreWords)}, then ask for the payment again`;
}
