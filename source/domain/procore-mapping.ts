// Procore → invoice: a subcontractor invoice (requisition) with its commitment, vendor and
// project becomes an invoice header and lines the way Procore's own Sage 300 connector maps them
// (domain.md "Procore → invoice mapping"). The records come in typed: source/procore/payloads.ts
// checks Procore's JSON at the edge. What is refused here is a bundle that cannot make an invoice.
import { UserError } from './errors.js';
import type { ProcoreId } from './ids.js';
import type { InvoiceHeader, InvoiceLine, LineType, ProcoreLink } from './invoice.js';
import { displayMoney, formatMoney, type Cents } from './money.js';

export const PROCORE_COMMITMENT_TYPES = ['WorkOrderContract', 'PurchaseOrderContract'] as const;
export type ProcoreCommitmentType = (typeof PROCORE_COMMITMENT_TYPES)[number];

/**
 * A WBS code: its flat form ("03-300.S") and its segments, each typed by Procore (`cost_code`,
 * `cost_type`, `sub_job`) and named by the company ("Cost Code", "Cost Type").
 */
export interface ProcoreWbsCode {
  flatCode: string | null;
  segments: { type?: string | null; name: string | null; code: string | null }[];
}

/** One G703 row of a requisition (view=extended). Amounts Procore leaves out are 0. */
export interface ProcoreRequisitionItem {
  lineNumber: string | null;
  position: string | null;
  description: string | null;
  /** The item's cost code (its full_code, else its code). */
  costCode: string | null;
  /** The item's cost code record, when Procore gives only its id (resolved through the cost codes endpoint). */
  costCodeId?: ProcoreId | null;
  /** Set by withProjectCostCodes when the project's cost codes have no code with costCodeId. */
  costCodeNotInProject?: boolean;
  wbsCode: ProcoreWbsCode | null;
  workCompletedThisPeriod: Cents;
  /** A running balance (G703 column F): what is stored now, not what this period added. */
  materialsPresentlyStored: Cents;
  /** The balance stored at the previous period. */
  materialsStoredPreviously: Cents;
  /** Stored materials moved into work completed this period. */
  materialsMoved: Cents;
  retainageRetainedThisPeriod: Cents;
  retainageReleasedThisPeriod: Cents;
  materialsRetainageRetained: Cents;
  /** This period's gross and net (after retainage), when Procore sends them. */
  grossAmount: Cents | null;
  netAmount: Cents | null;
}

export interface ProcoreAttachment {
  id: ProcoreId | null;
  url: string;
  filename: string | null;
  contentType: string | null;
}

/** A requisition (subcontractor invoice). `summary` and `items` come only with view=extended. */
export interface ProcoreRequisition {
  id: ProcoreId;
  projectId: ProcoreId | null;
  commitmentId: ProcoreId | null;
  commitmentType: ProcoreCommitmentType | null;
  contractName: string | null;
  vendorId: ProcoreId | null;
  vendorName: string | null;
  number: string | null;
  invoiceNumber: string | null;
  status: string | null;
  /** Days as YYYY-MM-DD. */
  billingDate: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  updatedAt: string | null;
  /** Set when another integration synced the requisition to an accounting system. */
  originId?: string | null;
  /** The requisition's status in an accounting system (Procore's ERP integration), when it has one. */
  erpStatus?: string | null;
  /** Signed through DocuSign: the signed document itself is not among the attachments. */
  electronicSignatureId?: ProcoreId | null;
  summary: { currentPaymentDue: Cents; taxApplicableToThisPayment: Cents } | null;
  items: ProcoreRequisitionItem[] | null;
  attachments: ProcoreAttachment[];
}

export interface ProcoreCommitment {
  id: ProcoreId;
  type: ProcoreCommitmentType | null;
  number: string | null;
  title: string | null;
  originCode: string | null;
  vendor: { id: ProcoreId | null; company: string | null; originCode: string | null } | null;
}

export interface ProcoreVendor {
  id: ProcoreId;
  name: string | null;
  /** The vendor's code in the accounting system (view=erp). */
  originCode: string | null;
  isActive: boolean;
}

export interface ProcoreProject {
  id: ProcoreId;
  name: string | null;
  projectNumber: string | null;
  originCode: string | null;
  companyId: ProcoreId | null;
  active: boolean;
}

export interface RequisitionBundle {
  /** GET /rest/v1.1/requisitions/{id}?view=extended (with items). */
  requisition: ProcoreRequisition;
  /** GET /rest/v1.0/commitments/{id} (or the work order / purchase order contract). */
  commitment: ProcoreCommitment;
  /** GET /rest/v1.0/vendors/{id}?view=erp, or null when it could not be read. */
  vendor: ProcoreVendor | null;
  /** GET /rest/v1.0/projects/{id}. */
  project: ProcoreProject;
  /** The Procore company, when the project does not say it. */
  companyId?: ProcoreId;
}

export interface MappedInvoice {
  header: InvoiceHeader;
  lines: InvoiceLine[];
  procore: ProcoreLink;
  /** Things a clerk should look at; the invoice is still imported. */
  warnings: string[];
}

const LINE_TYPES: Record<ProcoreCommitmentType, LineType> = {
  WorkOrderContract: 'subcontract',
  PurchaseOrderContract: 'purchase-order',
};

interface CostCoding {
  costCode: string | null;
  category: string | null;
}

/**
 * Cost code and category of a requisition item, from the WBS code's segments by their type
 * (`cost_code`, `cost_type`; segments without a type by their name), else the item's own cost
 * code with no category. A flat WBS code is never split on its dots: a company's cost codes may
 * contain dots themselves ("01.100"), so only the typed segments say where one part ends.
 */
export function costCodingOf(item: Pick<ProcoreRequisitionItem, 'costCode' | 'wbsCode'>): CostCoding {
  const { costCode, wbsCode: wbs } = item;
  if (wbs) {
    const segment = (type: string, ...names: string[]) =>
      (wbs.segments.find((entry) => (entry.type ?? '').toLowerCase() === type) ?? wbs.segments.find((entry) => !entry.type && names.includes((entry.name ?? '').toLowerCase())))?.code ?? null;
    const segmentCode = segment('cost_code', 'cost code');
    if (segmentCode) return { costCode: segmentCode, category: segment('cost_type', 'cost type', 'category', 'line item type') };
  }
  return { costCode, category: null };
}

/** Whether an item names its cost code by cost_code_id alone: no WBS segment and no code of its own carry it. */
export function namesCostCodeByIdAlone(item: Pick<ProcoreRequisitionItem, 'costCode' | 'costCodeId' | 'wbsCode'>): boolean {
  return !!item.costCodeId && costCodingOf(item).costCode === null;
}

/** A project's cost codes by id, each as its full code ("03-300"); codes without one are left out. */
export function costCodeIndex(codes: readonly { id: string; fullCode: string | null }[]): ReadonlyMap<string, string> {
  return new Map(codes.flatMap((code) => (code.fullCode ? [[code.id, code.fullCode] as const] : [])));
}

/**
 * The requisition with each item that names its cost code by id alone given that code from the
 * project's cost codes (cost code id → full code). An id the list lacks is marked, so that the
 * mapping names it instead of saying Procore gave no cost code.
 */
export function withProjectCostCodes(requisition: ProcoreRequisition, codes: ReadonlyMap<string, string>): ProcoreRequisition {
  if (!requisition.items?.some(namesCostCodeByIdAlone)) return requisition;
  const items = requisition.items.map((item) => {
    if (!namesCostCodeByIdAlone(item)) return item;
    const code = codes.get(item.costCodeId!);
    return code ? { ...item, costCode: code } : { ...item, costCodeNotInProject: true };
  });
  return { ...requisition, items };
}

/**
 * What a line bills this period: work completed this period, plus the materials newly stored —
 * the stored balance now, less the balance of the previous period, plus what moved from storage
 * into work completed (it was billed as stored before and now counts as work).
 */
export function lineAmountThisPeriod(item: ProcoreRequisitionItem): Cents {
  const newlyStored = item.materialsPresentlyStored - item.materialsStoredPreviously + item.materialsMoved;
  return (item.workCompletedThisPeriod + newlyStored) as Cents;
}

/**
 * The retainage held on a line this period: gross less net when Procore sends both; otherwise the
 * work retainage of the period plus the materials retainage (which is then taken as this period's).
 */
export function lineRetainageThisPeriod(item: ProcoreRequisitionItem): Cents {
  if (item.grossAmount !== null && item.netAmount !== null) return (item.grossAmount - item.netAmount) as Cents;
  return (item.retainageRetainedThisPeriod - item.retainageReleasedThisPeriod + item.materialsRetainageRetained) as Cents;
}

export function mapRequisition(bundle: RequisitionBundle): MappedInvoice {
  const { requisition, commitment, vendor, project } = bundle;
  const refuse = (field: string, problem: string): never => {
    throw new UserError(`Procore requisition ${requisition.id}: ${field} ${problem}`);
  };
  const warnings: string[] = [];

  // Procore records.
  const requisitionId = requisition.id;
  const projectId = requisition.projectId ?? project.id;
  const commitmentId = requisition.commitmentId ?? commitment.id;
  const companyId = project.companyId ?? bundle.companyId ?? refuse('project.company.id', 'is missing (and no company id was given)');
  const vendorId = requisition.vendorId ?? commitment.vendor?.id ?? vendor?.id ?? null;

  // Commitment type → line type.
  const typeName = commitment.type ?? requisition.commitmentType ?? refuse('commitment.type', 'is missing (expected WorkOrderContract or PurchaseOrderContract)');
  const lineType = LINE_TYPES[typeName];

  // Codes the accounting system knows.
  const vendorCode = vendor?.originCode ?? commitment.vendor?.originCode ?? null;
  if (!vendorCode) {
    const name = vendor?.name ?? commitment.vendor?.company ?? requisition.vendorName ?? 'the vendor';
    warnings.push(`Procore vendor '${name}'${vendorId ? ` (id ${vendorId})` : ''} has no ERP code (origin_code) — set its external ID in Procore or enter the vendor by hand`);
  }
  const commitmentCode = commitment.number ?? commitment.originCode;
  if (!commitmentCode) warnings.push(`Procore commitment ${commitmentId} has neither a number nor an origin_code — enter the commitment on each line`);
  const job = project.projectNumber ?? project.originCode;
  if (!job) warnings.push(`Procore project ${projectId} has neither a project number nor an origin_code — enter the job on each line`);

  // Header.
  const invoiceNumber = requisition.invoiceNumber ?? (commitmentCode && requisition.number ? `${commitmentCode}-${requisition.number}` : null);
  if (!invoiceNumber) warnings.push('the requisition has no invoice number, and no commitment number and requisition number to make one from — enter the invoice number');
  const summary = requisition.summary ?? refuse('summary', 'is missing (read the requisition with view=extended)');
  const currentPaymentDue = summary.currentPaymentDue;
  const tax = summary.taxApplicableToThisPayment;
  if (tax !== 0) warnings.push(`tax of ${displayMoney(tax)} on the requisition is not carried to the invoice (as Procore's own connector does) — add it by hand if it is owed`);

  // Lines.
  const items = requisition.items ?? refuse('items', 'is missing (read the requisition with view=extended or view=items)');
  const lines: InvoiceLine[] = items.map((item, index) => {
    const coding = costCodingOf(item);
    if (!coding.costCode) {
      warnings.push(
        item.costCodeNotInProject && item.costCodeId
          ? `line ${index + 1} names Procore cost code id ${item.costCodeId}, which is not among the cost codes of Procore project ${job ?? projectId} (it may have been deleted there) — enter the cost code, or correct the line in Procore`
          : `line ${index + 1} has no cost code or WBS code in Procore — enter the cost code`,
      );
    }
    return {
      id: `L${index + 1}`,
      type: lineType,
      job,
      costCode: coding.costCode,
      category: coding.category,
      commitment: commitmentCode,
      commitmentItem: item.lineNumber ?? item.position,
      description: item.description,
      amount: lineAmountThisPeriod(item),
      retainage: lineRetainageThisPeriod(item),
      reviewers: [],
    };
  });

  // Current retainage held = this period's retainage over the lines, so that the total
  // (current payment due + that retainage) is the gross this period the lines add up to.
  const retainage = lines.reduce((sum, line) => sum + line.retainage, 0) as Cents;
  const total = (currentPaymentDue + retainage) as Cents;
  const gross = lines.reduce((sum, line) => sum + line.amount, 0) as Cents;
  if (gross !== total) {
    warnings.push(
      `the lines add up to ${displayMoney(gross)} but current payment due ${displayMoney(currentPaymentDue)} plus retainage ${displayMoney(retainage)} is ${displayMoney(total)} — check the requisition in Procore (summary.current_payment_due ${formatMoney(currentPaymentDue)})`,
    );
  }

  const contract = requisition.contractName ?? [commitmentCode, commitment.title].filter(Boolean).join(' ');
  const { periodStart: start, periodEnd: end } = requisition;
  const description = [contract || null, start && end ? `${start} to ${end}` : null].filter(Boolean).join(', ') || null;

  return {
    header: {
      vendor: vendorCode,
      invoiceNumber,
      invoiceDate: requisition.billingDate,
      dueDate: null,
      total,
      retainage,
      description,
      processor: null,
    },
    lines,
    procore: { companyId, projectId, commitmentId, vendorId, requisitionId },
    warnings,
  };
}
