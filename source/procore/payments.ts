// Contract payments: the payments issued on one commitment, and creating one. Answers are checked
// at the edge with zod (ids as text, money as cents); the request body carries ids as exact JSON
// numbers, so a requisition id above 2^53 reaches Procore as it is.
import { z } from 'zod';
import { check, leaf, money, refuse, says, type Refusal } from '../edge/schema.js';
import { UserError } from '../domain/errors.js';
import { procoreId, type ProcoreId } from '../domain/ids.js';
import { formatMoney, type Cents } from '../domain/money.js';
import type { ContractPaymentDraft } from '../domain/procore-payment.js';
import { procoreMessage, type ProcoreError } from './errors.js';
import type { ProcoreHttp } from './http.js';
import { JsonDigits, parseJsonLossless } from './json.js';

const PATH = '/rest/v1.0/contract_payments';

/** A payment on a commitment, as Procore holds it. */
export interface ContractPayment {
  id: ProcoreId;
  projectId: ProcoreId | null;
  contractId: ProcoreId | null;
  requisitionId: ProcoreId | null;
  date: string | null;
  amount: Cents;
  checkNumber: string | null;
  paymentNumber: number | null;
  invoiceNumber: string | null;
  originId: string | null;
  createdAt: string | null;
}

function readId(value: unknown): ProcoreId | null | Refusal {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    return refuse('lost digits as a JSON number before it reached apdesk (Procore JSON must be read losslessly)', { shown: String(value) });
  }
  if (typeof value !== 'string' && typeof value !== 'number') return refuse('is not a Procore id');
  try {
    return procoreId(String(value).trim());
  } catch {
    return refuse('is not a Procore id', { shown: `'${String(value)}'` });
  }
}

const id = leaf((value): ProcoreId | Refusal => readId(value) ?? refuse('is missing', { shown: null }));
const optionalId = leaf(readId);
const text = leaf((value): string | null | Refusal => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return refuse('is not text');
  return value.trim() || null;
});
const wholeNumber = leaf((value): number | null | Refusal => {
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : refuse('is not a whole number');
});

const PAYMENT = z
  .object(
    {
      id,
      project_id: optionalId,
      contract_id: optionalId,
      requisition_id: optionalId,
      date: text,
      amount: money('(expected e.g. 1087.80)'),
      check_number: text,
      payment_number: wholeNumber,
      invoice_number: text,
      origin_id: text,
      created_at: text,
    },
    says({ wrongType: 'is not an object' }),
  )
  .transform(
    (body): ContractPayment => ({
      id: body.id,
      projectId: body.project_id,
      contractId: body.contract_id,
      requisitionId: body.requisition_id,
      date: body.date === null ? null : body.date.slice(0, 10),
      amount: body.amount,
      checkNumber: body.check_number,
      paymentNumber: body.payment_number,
      invoiceNumber: body.invoice_number,
      originId: body.origin_id,
      createdAt: body.created_at,
    }),
  );

export function parseContractPayment(raw: unknown): ContractPayment {
  const checked = check(PAYMENT, raw);
  if (checked.ok) return checked.value;
  const rawId = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : '(no id)';
  throw new UserError(`Procore contract payment ${rawId}: ${checked.problem}`);
}

/** Every payment on one commitment (Procore's list has no filters: every page is read). */
export async function contractPayments(http: ProcoreHttp, projectId: string, contractId: string): Promise<ContractPayment[]> {
  return (await http.list<unknown>(PATH, { project_id: projectId, contract_id: contractId })).map(parseContractPayment);
}

/** The JSON body of POST /contract_payments: only fields Procore declares, ids as exact numbers. */
export function contractPaymentBody(draft: ContractPaymentDraft) {
  return {
    project_id: new JsonDigits(draft.projectId),
    contract_id: new JsonDigits(draft.contractId),
    contract_payment: {
      date: draft.date,
      amount: formatMoney(draft.amount),
      payment_method: draft.method,
      check_number: draft.checkNumber,
      payment_number: draft.paymentNumber,
      ...(draft.invoiceNumber !== null ? { invoice_number: draft.invoiceNumber } : {}),
      requisition_id: new JsonDigits(draft.requisitionId),
      notes: draft.notes,
      origin_id: draft.originId,
    },
  };
}

/**
 * Creates one payment. Not retried by the client (a POST is not safe to send twice): a caller
 * that lost the answer finds the payment by its origin_id in contractPayments.
 */
export async function createContractPayment(http: ProcoreHttp, draft: ContractPaymentDraft): Promise<ContractPayment> {
  return parseContractPayment((await http.post<unknown>(PATH, contractPaymentBody(draft))).data);
}

/**
 * Procore's own words for a refusal, without the HTTP framing: `{"errors": {"base": ["Payments
 * are not allowed…"]}}` reads "Payments are not allowed…", other fields as "field: words".
 */
export function refusalWords(error: ProcoreError): string {
  let body: unknown = null;
  try {
    body = error.body === null ? null : parseJsonLossless(error.body);
  } catch {
    body = error.body;
  }
  const errors = body !== null && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  if (errors !== null && typeof errors === 'object' && !Array.isArray(errors)) {
    const parts = Object.entries(errors as Record<string, unknown>).map(([field, words]) => {
      const said = Array.isArray(words) ? words.map(String).join('; ') : String(words);
      return field === 'base' ? said : `${field} ${said}`;
    });
    if (parts.length) return parts.join('; ');
  }
  return procoreMessage(body) ?? error.message;
}

/** Whether Procore refused a payment because its origin_id is already on another one. */
export function originIdTaken(error: ProcoreError): boolean {
  return error.status === 422 && /origin_id/i.test(error.body ?? '');
}
