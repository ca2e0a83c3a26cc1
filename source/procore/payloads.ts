// Procore's JSON checked where it enters apdesk, with zod (see source/edge/schema.ts): each
// payload becomes the typed record domain/procore-mapping.ts maps, or a UserError naming the
// record, the field and the value ("Procore requisition 9007199254740995: summary.current_payment_due
// is missing"). Ids stay text (parseJsonLossless keeps those above 2^53 as strings), money becomes
// integer cents through the exact parser, days become YYYY-MM-DD. Fields apdesk does not read
// are let through unread: Procore adds fields often, and that must not break an import.
import { z } from 'zod';
import { check, leaf, money, refuse, says, type Refusal } from '../edge/schema.js';
import { UserError } from '../domain/errors.js';
import { procoreId, type ProcoreId } from '../domain/ids.js';
import type { Cents } from '../domain/money.js';
import type { ProcoreUser } from '../domain/procore-config.js';
import {
  PROCORE_COMMITMENT_TYPES,
  type ProcoreCommitment,
  type ProcoreCommitmentType,
  type ProcoreProject,
  type ProcoreRequisition,
  type ProcoreVendor,
  type RequisitionBundle,
} from '../domain/procore-mapping.js';

// ---- values ----

/** A Procore id as text; absent, null or '' is null. A JSON number that lost digits is refused, not guessed. */
function readId(value: unknown): ProcoreId | null | Refusal {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return refuse('lost digits as a JSON number before it reached apdesk (Procore JSON must be read losslessly)', { shown: String(value) });
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') return refuse('is not a Procore id');
  const text = String(value).trim();
  try {
    return procoreId(text);
  } catch {
    return refuse('is not a Procore id', { shown: `'${text}'` });
  }
}

const optionalId = leaf(readId);
const id = leaf((value): ProcoreId | Refusal => readId(value) ?? refuse('is missing', { shown: null }));

/** Trimmed text (numbers become their digits); absent, null or blank is null. */
const text = leaf((value): string | null | Refusal => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') return refuse('is not text');
  return value.trim() || null;
});

/** A day, from "2026-11-20" or a timestamp that starts with one. */
const day = leaf((value): string | null | Refusal => {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return null;
  if (typeof value !== 'string') return refuse('is not a date (YYYY-MM-DD)');
  const date = value.trim().slice(0, 10);
  // A day of the calendar: Date.parse alone takes 2026-11-31 for December 1st.
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return refuse('is not a date (YYYY-MM-DD)', { shown: `'${value.trim()}'` });
  return date;
});

/** true or false; absent or null is `fallback`. */
const flag = (fallback: boolean) => z.boolean().nullish().transform((value) => value ?? fallback);

const HINT = '(expected e.g. 1087.80)';
const amount = money(HINT);
const amountOrZero = money(HINT, { absent: 0 as Cents });
const amountOrNull = money(HINT, { absent: null });

const commitmentType = leaf((value): ProcoreCommitmentType | null | Refusal => {
  if (value === undefined || value === null || value === '') return null;
  return PROCORE_COMMITMENT_TYPES.find((type) => type === value) ?? refuse(`is not ${PROCORE_COMMITMENT_TYPES.join(' or ')}`);
});

/** An object Procore may leave out or send as null. */
const optionalObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape, says({ wrongType: 'is not an object' })).nullish();

// ---- records ----

const ITEM = z
  .object(
    {
      line_number: text,
      position: text,
      description_of_work: text,
      cost_code_id: optionalId,
      cost_code: optionalObject({ full_code: text, code: text }),
      wbs_code: optionalObject({
        flat_code: text,
        segment_items: z.array(z.object({ segment_type: text, segment_name: text, code: text }, says({ wrongType: 'is not an object' }))).nullish(),
      }),
      work_completed_this_period: amount,
      materials_presently_stored: amountOrZero,
      materials_presently_stored_from_previous_progress: amountOrZero,
      materials_moved: amountOrZero,
      gross_amount: amountOrNull,
      net_amount: amountOrNull,
      work_completed_retainage_retained_this_period: amountOrZero,
      work_completed_retainage_released_this_period: amountOrZero,
      materials_stored_retainage_currently_retained: amountOrZero,
    },
    says({ wrongType: 'is not an object' }),
  )
  .transform((item) => ({
    lineNumber: item.line_number,
    position: item.position,
    description: item.description_of_work,
    costCode: item.cost_code?.full_code ?? item.cost_code?.code ?? null,
    costCodeId: item.cost_code_id,
    wbsCode: item.wbs_code
      ? { flatCode: item.wbs_code.flat_code, segments: (item.wbs_code.segment_items ?? []).map((segment) => ({ type: segment.segment_type, name: segment.segment_name, code: segment.code })) }
      : null,
    workCompletedThisPeriod: item.work_completed_this_period,
    materialsPresentlyStored: item.materials_presently_stored,
    materialsStoredPreviously: item.materials_presently_stored_from_previous_progress,
    materialsMoved: item.materials_moved,
    grossAmount: item.gross_amount,
    netAmount: item.net_amount,
    retainageRetainedThisPeriod: item.work_completed_retainage_retained_this_period,
    retainageReleasedThisPeriod: item.work_completed_retainage_released_this_period,
    materialsRetainageRetained: item.materials_stored_retainage_currently_retained,
  }));

const ATTACHMENT = z
  .object({ id: optionalId, url: z.string().min(1), filename: text, content_type: text }, says({ wrongType: 'is not an object' }))
  .transform((file) => ({ id: file.id, url: file.url, filename: file.filename, contentType: file.content_type }));

const REQUISITION = z
  .object(
    {
      id,
      project_id: optionalId,
      commitment_id: optionalId,
      commitment_type: commitmentType,
      contract_name: text,
      vendor_id: optionalId,
      vendor_name: text,
      number: text,
      invoice_number: text,
      status: text,
      billing_date: day,
      requisition_start: day,
      requisition_end: day,
      updated_at: text,
      // Another integration's id for the requisition: free text, not a Procore id.
      origin_id: text,
      erp_status: text,
      electronic_signature_id: optionalId,
      summary: optionalObject({ current_payment_due: amount, tax_applicable_to_this_payment: amountOrZero }),
      items: z.array(ITEM, says({ wrongType: 'is not a list' })).nullish(),
      attachments: z.array(ATTACHMENT, says({ wrongType: 'is not a list' })).nullish(),
    },
    says({ wrongType: 'is not an object' }),
  )
  .transform(
    (body): ProcoreRequisition => ({
      id: body.id,
      projectId: body.project_id,
      commitmentId: body.commitment_id,
      commitmentType: body.commitment_type,
      contractName: body.contract_name,
      vendorId: body.vendor_id,
      vendorName: body.vendor_name,
      number: body.number,
      invoiceNumber: body.invoice_number,
      status: body.status,
      billingDate: body.billing_date,
      periodStart: body.requisition_start,
      periodEnd: body.requisition_end,
      updatedAt: body.updated_at,
      originId: body.origin_id,
      erpStatus: body.erp_status,
      electronicSignatureId: body.electronic_signature_id,
      summary: body.summary ? { currentPaymentDue: body.summary.current_payment_due, taxApplicableToThisPayment: body.summary.tax_applicable_to_this_payment } : null,
      items: body.items ?? null,
      attachments: body.attachments ?? [],
    }),
  );

const COMMITMENT = z
  .object(
    {
      id,
      type: commitmentType,
      number: text,
      title: text,
      origin_code: text,
      vendor: optionalObject({ id: optionalId, company: text, name: text, origin_code: text }),
    },
    says({ wrongType: 'is not an object' }),
  )
  .transform(
    (body): ProcoreCommitment => ({
      id: body.id,
      type: body.type,
      number: body.number,
      title: body.title,
      originCode: body.origin_code,
      vendor: body.vendor ? { id: body.vendor.id, company: body.vendor.company ?? body.vendor.name, originCode: body.vendor.origin_code } : null,
    }),
  );

const VENDOR = z
  .object({ id, name: text, origin_code: text, is_active: flag(true) }, says({ wrongType: 'is not an object' }))
  .transform((body): ProcoreVendor => ({ id: body.id, name: body.name, originCode: body.origin_code, isActive: body.is_active }));

const PROJECT = z
  .object(
    { id, name: text, project_number: text, origin_code: text, active: flag(true), company: optionalObject({ id: optionalId }) },
    says({ wrongType: 'is not an object' }),
  )
  .transform(
    (body): ProcoreProject => ({
      id: body.id,
      name: body.name,
      projectNumber: body.project_number,
      originCode: body.origin_code,
      companyId: body.company?.id ?? null,
      active: body.active,
    }),
  );

/** A cost code of a project: what a requisition item's cost_code_id names. */
export interface ProcoreCostCode {
  id: ProcoreId;
  /** With its division, e.g. "03-300" (the code alone when Procore sends no full code). */
  fullCode: string | null;
  name: string | null;
}

// Procore's schema leaves a cost code empty ({}); these fields are read as its public docs show them.
const COST_CODE = z
  .object({ id, full_code: text, code: text, name: text }, says({ wrongType: 'is not an object' }))
  .transform((body): ProcoreCostCode => ({ id: body.id, fullCode: body.full_code ?? body.code, name: body.name }));

export interface ProcoreCompany {
  id: ProcoreId;
  name: string;
  isActive: boolean;
  myCompany: boolean;
}

const COMPANY = z
  .object({ id, name: text, is_active: flag(true), my_company: flag(false) }, says({ wrongType: 'is not an object' }))
  .transform((body): ProcoreCompany => ({ id: body.id, name: body.name ?? '', isActive: body.is_active, myCompany: body.my_company }));

const ME = z
  .object({ id, login: text, name: text }, says({ wrongType: 'is not an object' }))
  .transform((body): ProcoreUser => ({ id: body.id, login: body.login ?? '', name: body.name ?? body.login ?? '' }));

// ---- reading them ----

/** The id of a record as Procore sent it, whatever else is wrong with the record; null when it has none. */
function rawIdOf(raw: unknown): string | null {
  const rawId = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
  return typeof rawId === 'string' || typeof rawId === 'number' || typeof rawId === 'bigint' ? String(rawId) : null;
}

/** Checks one payload; a refusal names the record by its id as Procore sent it. */
function payload<T>(schema: z.ZodType<T>, kind: string, raw: unknown): T {
  const checked = check(schema, raw);
  if (checked.ok) return checked.value;
  throw new UserError(`Procore ${kind} ${rawIdOf(raw) ?? '(no id)'}: ${checked.problem}`);
}

export const parseRequisition = (raw: unknown): ProcoreRequisition => payload(REQUISITION, 'requisition', raw);

/** A requisition that did not pass the check: its id as sent (null without one) and what is wrong ("summary.current_payment_due is missing"). */
export interface RefusedRequisition {
  id: string | null;
  reason: string;
}

/** One requisition checked without throwing, so that one bad record in a list is named and the rest still read. */
export function checkRequisition(raw: unknown): { ok: true; requisition: ProcoreRequisition } | ({ ok: false } & RefusedRequisition) {
  const checked = check(REQUISITION, raw);
  return checked.ok ? { ok: true, requisition: checked.value } : { ok: false, id: rawIdOf(raw), reason: checked.problem };
}
export const parseCommitment = (raw: unknown): ProcoreCommitment => payload(COMMITMENT, 'commitment', raw);
export const parseVendor = (raw: unknown): ProcoreVendor => payload(VENDOR, 'vendor', raw);
export const parseProject = (raw: unknown): ProcoreProject => payload(PROJECT, 'project', raw);
export const parseCostCode = (raw: unknown): ProcoreCostCode => payload(COST_CODE, 'cost code', raw);
export const parseCompany = (raw: unknown): ProcoreCompany => payload(COMPANY, 'company', raw);
export const parseMe = (raw: unknown): ProcoreUser => payload(ME, 'user', raw);

/** The four records of one requisition, as read from Procore (vendor null when it could not be read). */
export function parseRequisitionBundle(raw: { requisition: unknown; commitment: unknown; vendor: unknown; project: unknown; companyId?: string | number }): RequisitionBundle {
  const companyId = raw.companyId === undefined ? undefined : readId(raw.companyId);
  if (companyId !== undefined && (companyId === null || typeof companyId !== 'string')) throw new UserError(`Procore company id '${String(raw.companyId)}' is not a Procore id`);
  return {
    requisition: parseRequisition(raw.requisition),
    commitment: parseCommitment(raw.commitment),
    vendor: raw.vendor === null || raw.vendor === undefined ? null : parseVendor(raw.vendor),
    project: parseProject(raw.project),
    ...(companyId !== undefined ? { companyId } : {}),
  };
}
