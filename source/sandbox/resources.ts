// The sandbox state rendered as Procore's JSON: ids as bare integers, money as decimal strings,
// G702 totals computed from the G703 rows so that they always add up.
import { formatMoney, type Cents } from '../domain/money.js';
import { int } from './json.js';
import { fileLink, type LinkIssuer } from './storage.js';
import type { Commitment, CommitmentLine, ContractPayment, ItemCoding, Project, Requisition, RequisitionItem, SandboxState, Vendor } from './state.js';

const money = (cents: number) => formatMoney(cents as Cents);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const percent = (part: number, whole: number) => (whole === 0 ? '0.00%' : `${((part / whole) * 100).toFixed(2)}%`);
const CATEGORY_NAMES: Record<string, string> = { S: 'Subcontract', M: 'Materials', L: 'Labor', E: 'Equipment', O: 'Other' };

export function byId(a: { id: string }, b: { id: string }): number {
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Materials stored in the previous period and still stored (not moved into work completed). */
const carriedMaterials = (item: RequisitionItem) => (item.materialsFromPrevious ?? 0) - (item.materialsMoved ?? 0);

/** The G702 figures of a requisition, in cents. */
export function requisitionTotals(requisition: Requisition) {
  const items = requisition.items;
  const contractSum = sum(items.map((item) => item.scheduledValue));
  const workFromPrevious = sum(items.map((item) => item.workFromPrevious));
  const workThisPeriod = sum(items.map((item) => item.workThisPeriod));
  const materialsStored = sum(items.map((item) => item.materialsStored));
  const materialsCarried = sum(items.map(carriedMaterials));
  const previousMaterialsRetainage = sum(items.map((item) => item.materialsRetainageFromPrevious ?? 0));
  const previousRetainage = sum(items.map((item) => item.retainageFromPrevious));
  const workRetainage = previousRetainage + sum(items.map((item) => item.retainageThisPeriod));
  const materialsRetainage = sum(items.map((item) => item.materialsRetainage));
  const completedToDate = workFromPrevious + workThisPeriod + materialsStored;
  const totalRetainage = workRetainage + materialsRetainage;
  const earnedLessRetainage = completedToDate - totalRetainage;
  // Materials still stored from the last period were certified then, less the retainage held on them.
  const previousCertificates = workFromPrevious - previousRetainage + materialsCarried - previousMaterialsRetainage;
  return {
    contractSum,
    completedToDate,
    workRetainage,
    materialsRetainage,
    totalRetainage,
    earnedLessRetainage,
    previousCertificates,
    currentPaymentDue: earnedLessRetainage - previousCertificates,
    /** What this period claims: work completed plus the growth of the stored-materials balance. */
    grossThisPeriod: workThisPeriod + materialsStored - materialsCarried,
    retainageThisPeriod: sum(items.map((item) => item.retainageThisPeriod + item.materialsRetainage - (item.materialsRetainageFromPrevious ?? 0))),
    balanceToFinish: contractSum - completedToDate + totalRetainage,
  };
}

function lineOf(commitment: Commitment | undefined, item: RequisitionItem) {
  return commitment?.lines.find((line) => line.id === item.commitmentLineId);
}

/**
 * The WBS code of a commitment line. Procore's schema collapses wbs_code to "(nested object)", so
 * segment_type's spelling and the flat code's order with a sub job are our reading of Procore's
 * WBS docs, not of the schema.
 */
function wbsCodeJson(line: CommitmentLine) {
  const typeName = CATEGORY_NAMES[line.category] ?? line.category;
  const segments = [
    ...(line.subJob ? [{ segment_type: 'sub_job', segment_name: 'Sub Job', code: line.subJob.code, name: line.subJob.name }] : []),
    { segment_type: 'cost_code', segment_name: 'Cost Code', code: line.costCode, name: line.costCodeName },
    { segment_type: 'cost_type', segment_name: 'Cost Type', code: line.category, name: typeName },
  ];
  return {
    id: int(line.wbsId),
    flat_code: segments.map((segment) => segment.code).join('.'),
    description: segments.map((segment) => segment.name).join('.'),
    segment_items: segments,
  };
}

function itemJson(commitment: Commitment | undefined, item: RequisitionItem, coding: ItemCoding) {
  const line = lineOf(commitment, item);
  const toDate = item.workFromPrevious + item.workThisPeriod + item.materialsStored;
  const carried = carriedMaterials(item);
  const gross = item.workThisPeriod + item.materialsStored - carried;
  const retainedNow = item.retainageThisPeriod + item.materialsRetainage - (item.materialsRetainageFromPrevious ?? 0);
  return {
    id: int(item.id),
    item_type: 'contract_item',
    accounting_method: 'amount',
    line_item_id: int(item.commitmentLineId),
    line_number: String(item.lineNumber),
    position: item.lineNumber,
    description_of_work: item.description,
    cost_code_id: int(line?.costCodeId ?? null),
    wbs_code: line && coding === 'wbs' ? wbsCodeJson(line) : null,
    scheduled_value: money(item.scheduledValue),
    work_completed_from_previous_application: money(item.workFromPrevious),
    work_completed_this_period: money(item.workThisPeriod),
    // A running balance (G703 column F), not what this period adds: see gross_amount for that.
    materials_presently_stored: money(item.materialsStored),
    materials_presently_stored_from_previous_progress: money(item.materialsFromPrevious ?? 0),
    materials_moved: money(item.materialsMoved ?? 0),
    total_completed_and_stored_to_date: money(toDate),
    total_completed_and_stored_to_date_percent: percent(toDate, item.scheduledValue),
    total_completed_and_stored_to_date_from_previous: money(item.workFromPrevious + carried),
    work_completed_retainage_from_previous_application: money(item.retainageFromPrevious),
    work_completed_retainage_retained_this_period: money(item.retainageThisPeriod),
    work_completed_retainage_released_this_period: '0.00',
    materials_stored_retainage_currently_retained: money(item.materialsRetainage),
    materials_stored_retainage_released_this_period: '0.00',
    gross_amount: money(gross),
    net_amount: money(gross - retainedNow),
    subcontractor_claimed_amount: money(gross),
    uom: null,
    taxes: [],
  };
}

export interface RequisitionView {
  version: '1.0' | '1.1';
  items: boolean;
  /** The server the links are issued for (its API and storage URLs, its clock). */
  context: LinkIssuer;
  /** Issue the attachment links already expired (the expired-storage-urls fault). */
  expiredLinks?: boolean;
}

export function requisitionJson(state: SandboxState, requisition: Requisition, view: RequisitionView) {
  const commitment = state.commitments.find((candidate) => candidate.id === requisition.commitmentId);
  const vendor = commitment && state.vendors.find((candidate) => candidate.id === commitment.vendorId);
  const project = state.projects.find((candidate) => candidate.id === requisition.projectId);
  const totals = requisitionTotals(requisition);
  const formatted = `${requisition.periodStart} - ${requisition.periodEnd}`;
  return {
    id: int(requisition.id),
    project_id: int(requisition.projectId),
    commitment_id: int(requisition.commitmentId),
    commitment_type: commitment?.type ?? null,
    contract_name: commitment ? `${commitment.number} ${commitment.title}` : null,
    vendor_id: view.version === '1.1' ? int(vendor?.id ?? null) : undefined,
    vendor_name: vendor?.name ?? null,
    number: requisition.number,
    invoice_number: requisition.invoiceNumber,
    status: requisition.status,
    erp_status: requisition.erpStatus ?? null,
    billing_date: requisition.billingDate,
    period_id: int(requisition.periodId),
    requisition_start: requisition.periodStart,
    requisition_end: requisition.periodEnd,
    submitted_at: requisition.submittedAt,
    payment_date: requisition.paymentDate,
    final: requisition.final,
    percent_complete: percent(totals.completedToDate, totals.contractSum),
    total_claimed_amount: money(totals.grossThisPeriod),
    origin_id: requisition.originId,
    origin_data: requisition.originData,
    comment: view.version === '1.0' ? requisition.comment : undefined,
    created_at: requisition.createdAt,
    updated_at: requisition.updatedAt,
    created_by: vendor
      ? { id: int(vendor.contactId), name: vendor.contactName, login: vendor.contactEmail, company_name: vendor.name }
      : null,
    currency_configuration: { currency_iso_code: 'USD', currency_exchange_rate: 1.0, base_currency_iso_code: 'USD' },
    summary: {
      original_contract_sum: money(totals.contractSum),
      net_change_by_change_orders: '0.00',
      contract_sum_to_date: money(totals.contractSum),
      total_completed_and_stored_to_date: money(totals.completedToDate),
      completed_work_retainage_amount: money(totals.workRetainage),
      stored_materials_retainage_amount: money(totals.materialsRetainage),
      total_retainage: money(totals.totalRetainage),
      total_earned_less_retainage: money(totals.earnedLessRetainage),
      less_previous_certificates_for_payment: money(totals.previousCertificates),
      current_payment_due: money(totals.currentPaymentDue),
      balance_to_finish_including_retainage: money(totals.balanceToFinish),
      tax_applicable_to_this_payment: '0.00',
      formatted_period: formatted,
    },
    summary_text: {
      subcontractor_name: vendor?.name ?? null,
      application_number: requisition.invoiceNumber ?? String(requisition.number),
      contract_for: commitment?.title ?? null,
      project_number: project?.projectNumber ?? null,
    },
    attachments: requisition.attachmentIds.flatMap((id) => {
      const file = state.files.find((candidate) => candidate.id === id);
      return file ? [{ id: int(file.id), url: fileLink(view.context, state, file, view.expiredLinks ?? false), filename: file.filename, content_type: file.contentType }] : [];
    }),
    electronic_signature_id: int(requisition.electronicSignatureId),
    custom_fields: {},
    items: view.items ? requisition.items.map((item) => itemJson(commitment, item, requisition.itemCoding ?? 'wbs')) : undefined,
    item_packages: view.items ? [] : undefined,
  };
}

export function companyJson(company: SandboxState['companies'][number]) {
  return { id: int(company.id), name: company.name, is_active: company.isActive, logo_url: null, pcn_business_experience: false, my_company: company.myCompany };
}

export function projectJson(state: SandboxState, project: Project) {
  const company = state.companies.find((candidate) => candidate.id === project.companyId);
  return {
    id: int(project.id),
    name: project.name,
    display_name: `${project.projectNumber} - ${project.name}`,
    project_number: project.projectNumber,
    stage: project.stage,
    active: project.active,
    city: project.city,
    state_code: project.stateCode,
    country_code: 'US',
    origin_id: project.originId,
    origin_code: project.originCode,
    origin_data: null,
    created_at: project.createdAt,
    updated_at: project.updatedAt,
    company: company ? { id: int(company.id), name: company.name } : null,
  };
}

export function vendorJson(vendor: Vendor, view: string) {
  if (view === 'compact') return { id: int(vendor.id), name: vendor.name };
  const erp = view === 'erp';
  return {
    id: int(vendor.id),
    name: vendor.name,
    abbreviated_name: vendor.abbreviatedName,
    company: vendor.name,
    trade_name: null,
    legal_name: vendor.name,
    is_active: vendor.isActive,
    city: vendor.city,
    state_code: vendor.stateCode,
    country_code: 'US',
    email_address: vendor.emailAddress,
    primary_contact: { id: int(vendor.contactId), name: vendor.contactName, email_address: vendor.contactEmail },
    updated_at: vendor.updatedAt,
    origin_id: erp ? vendor.originId : undefined,
    origin_code: erp ? vendor.originCode : undefined,
    origin_data: erp ? null : undefined,
    synced_to_erp: erp ? vendor.originId !== null : undefined,
  };
}

export function paymentJson(payment: ContractPayment) {
  return {
    id: int(payment.id),
    amount: money(payment.amount),
    date: payment.date,
    // payment_method and invoice_date are taken on create but not declared on Procore's read shapes.
    check_number: payment.checkNumber,
    payment_number: payment.paymentNumber,
    invoice_number: payment.invoiceNumber,
    draw_request_number: payment.drawRequestNumber,
    notes: payment.notes,
    contract_id: int(payment.contractId),
    project_id: int(payment.projectId),
    requisition_id: int(payment.requisitionId),
    status: 'paid',
    origin_id: payment.originId,
    origin_code: null,
    origin_data: payment.originData,
    attachments: [],
    external_payment_id: null,
    date_payment_initiated: null,
    date_payment_settled: null,
    created_at: payment.createdAt,
    updated_at: payment.updatedAt,
  };
}

/** A commitment in the short form of GET /commitments. */
export function commitmentSummaryJson(state: SandboxState, commitment: Commitment) {
  const vendor = state.vendors.find((candidate) => candidate.id === commitment.vendorId);
  return {
    id: int(commitment.id),
    title: commitment.title,
    number: commitment.number,
    status: commitment.status,
    executed: commitment.executed,
    origin_code: commitment.originCode,
    origin_id: commitment.originId,
    vendor: vendor ? { id: int(vendor.id), name: vendor.name } : null,
    private: false,
    created_at: commitment.createdAt,
    updated_at: commitment.updatedAt,
  };
}

export type CommitmentRoute = 'commitments' | 'work_order_contracts' | 'purchase_order_contracts';

/**
 * Fields Procore's schema declares on one commitment route and not on another: /commitments/{id}
 * has type and allow_payments but no origin_id or project; the typed contract routes the reverse.
 * origin_code stays on /commitments/{id} although its schema lacks it: the client reads it there.
 */
const NOT_ON_ROUTE: Record<CommitmentRoute, string[]> = {
  commitments: ['origin_id', 'origin_data', 'project', 'requisitions_are_enabled', 'total_requisitions_amount'],
  work_order_contracts: ['type', 'allow_payments', 'payment_terms'],
  purchase_order_contracts: ['type', 'allow_payments'],
};

/** A commitment in full, as the show endpoint (and the typed list) of `route` writes it. */
export function commitmentJson(state: SandboxState, commitment: Commitment, route: CommitmentRoute = 'commitments') {
  const full = fullCommitmentJson(state, commitment);
  for (const field of NOT_ON_ROUTE[route]) delete (full as Record<string, unknown>)[field];
  if (route !== 'commitments' && full.vendor) {
    const { name: _name, origin_code: _code, ...vendor } = full.vendor;
    return { ...full, vendor };
  }
  return full;
}

/** A contract in the short form of the work order / purchase order contract lists: no lines, payments or attachments. */
export function contractListJson(state: SandboxState, commitment: Commitment, route: CommitmentRoute) {
  const { line_items: _lines, payments_issued: _payments, attachments: _attachments, vendor, ...rest } = commitmentJson(state, commitment, route);
  return { ...rest, vendor: vendor ? { id: vendor.id, company: vendor.company } : null };
}

function fullCommitmentJson(state: SandboxState, commitment: Commitment) {
  const vendor = state.vendors.find((candidate) => candidate.id === commitment.vendorId);
  const payments = state.payments.filter((payment) => payment.contractId === commitment.id).sort(byId);
  const grandTotal = sum(commitment.lines.map((line) => line.amount));
  const totalPayments = sum(payments.map((payment) => payment.amount));
  const requisitions = state.requisitions.filter(
    (requisition) => requisition.commitmentId === commitment.id && requisition.status.startsWith('approved'),
  );
  const project = state.projects.find((candidate) => candidate.id === commitment.projectId);
  return {
    id: int(commitment.id),
    type: commitment.type,
    number: commitment.number,
    title: commitment.title,
    status: commitment.status,
    executed: commitment.executed,
    private: false,
    origin_id: commitment.originId,
    origin_code: commitment.originCode,
    origin_data: null,
    project: project ? { id: int(project.id), name: project.name } : null,
    vendor: vendor
      ? { id: int(vendor.id), company: vendor.name, name: vendor.name, origin_id: vendor.originId, origin_code: vendor.originCode, origin_data: null }
      : null,
    requisitions_are_enabled: true,
    allow_payments: commitment.allowPayments,
    accounting_method: 'amount',
    payment_terms: commitment.paymentTerms,
    retainage_percent: commitment.retainagePercent,
    grand_total: money(grandTotal),
    revised_contract: money(grandTotal),
    total_requisitions_amount: money(sum(requisitions.map((requisition) => requisitionTotals(requisition).grossThisPeriod))),
    total_payments: money(totalPayments),
    remaining_balance_outstanding: money(grandTotal - totalPayments),
    line_items: commitment.lines.map((line) => ({
      id: int(line.id),
      amount: money(line.amount),
      description: line.description,
      // Procore's schema declares cost_code here without its fields, and no wbs_code on commitment lines.
      cost_code: { id: int(line.costCodeId), full_code: line.costCode, name: line.costCodeName },
      line_item_type: { code: line.category, name: CATEGORY_NAMES[line.category] ?? line.category, origin_id: null },
      origin_id: null,
    })),
    payments_issued: payments.map((payment) => ({
      id: int(payment.id),
      amount: money(payment.amount),
      date: payment.date,
      check_number: payment.checkNumber,
      invoice_number: payment.invoiceNumber,
      payment_number: payment.paymentNumber,
      origin_id: payment.originId,
    })),
    attachments: [],
    created_at: commitment.createdAt,
    updated_at: commitment.updatedAt,
  };
}

/** A project's cost code, as its commitment lines name it. */
export interface ProjectCostCode {
  id: string;
  fullCode: string;
  name: string;
  projectId: string;
  position: number;
  createdAt: string;
}

/**
 * The cost codes a project's commitment lines use, each once, in the order they first appear; less
 * those taken off the project's list.
 */
export function projectCostCodes(state: SandboxState, projectId: string): ProjectCostCode[] {
  const removed = new Set(state.projects.find((project) => project.id === projectId)?.removedCostCodeIds ?? []);
  const codes = new Map<string, ProjectCostCode>();
  for (const commitment of state.commitments.filter((candidate) => candidate.projectId === projectId).sort(byId)) {
    for (const line of commitment.lines) {
      if (!codes.has(line.costCodeId) && !removed.has(line.costCodeId)) {
        codes.set(line.costCodeId, { id: line.costCodeId, fullCode: line.costCode, name: line.costCodeName, projectId, position: codes.size + 1, createdAt: commitment.createdAt });
      }
    }
  }
  return [...codes.values()];
}

/**
 * A cost code as GET /rest/v1.0/cost_codes writes it. Procore's schema leaves each one empty ({}),
 * so these fields follow Procore's public docs; `code` as the part after the division ("300" of
 * "03-300") is our reading of them.
 */
export function costCodeJson(code: ProjectCostCode) {
  return {
    id: int(code.id),
    name: code.name,
    code: code.fullCode.includes('-') ? code.fullCode.slice(code.fullCode.lastIndexOf('-') + 1) : code.fullCode,
    full_code: code.fullCode,
    sortable_code: code.fullCode,
    origin_id: null,
    origin_data: null,
    biller_id: int(code.projectId),
    biller_type: 'Project',
    position: code.position,
    created_at: code.createdAt,
    updated_at: code.createdAt,
    deleted_at: null,
  };
}
