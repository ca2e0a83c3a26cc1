// Procore → invoice: a subcontractor invoice (requisition) with its commitment, vendor and
// project, as raw Procore JSON, becomes an invoice header and lines the way Procore's own Sage 300
// connector maps them (domain.md "Procore → invoice mapping"). Raw JSON is checked here, at the
// edge: a missing or malformed field is a UserError naming the requisition and the field.
import { UserError } from './errors.js';
import { procoreId, type ProcoreId } from './ids.js';
import type { InvoiceHeader, InvoiceLine, LineType, ProcoreLink } from './invoice.js';
import { displayMoney, formatMoney, MoneyError, parseMoney, type Cents } from './money.js';

export interface RequisitionBundle {
  /** GET /rest/v1.1/requisitions/{id}?view=extended (with items). */
  requisition: Record<string, unknown>;
  /** GET /rest/v1.0/commitments/{id} (or the work order / purchase order contract). */
  commitment: Record<string, unknown>;
  /** GET /rest/v1.0/vendors/{id}?view=erp, or null when it could not be read. */
  vendor: Record<string, unknown> | null;
  /** GET /rest/v1.0/projects/{id}. */
  project: Record<string, unknown>;
  /** The Procore company, when the project JSON does not carry `company.id`. */
  companyId?: string | number;
}

export interface MappedInvoice {
  header: InvoiceHeader;
  lines: InvoiceLine[];
  procore: ProcoreLink;
  /** Things a clerk should look at; the invoice is still imported. */
  warnings: string[];
}

const COMMITMENT_TYPES: Record<string, LineType> = {
  WorkOrderContract: 'subcontract',
  PurchaseOrderContract: 'purchase-order',
};

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads one Procore record, every failure naming the requisition and the field. */
class Reader {
  constructor(private readonly where: string) {}

  fail(field: string, problem: string): never {
    throw new UserError(`Procore ${this.where}: ${field} ${problem}`);
  }

  /** A non-empty text (numbers become their digits), or null when absent, null or blank. */
  text(record: Json | null | undefined, key: string, field: string): string | null {
    const value = record?.[key];
    if (value === null || value === undefined) return null;
    if (typeof value === 'number' || typeof value === 'bigint') return String(value);
    if (typeof value !== 'string') this.fail(field, `is not text (${JSON.stringify(value)})`);
    return value.trim() || null;
  }

  id(record: Json | null | undefined, key: string, field: string): ProcoreId | null {
    const value = record?.[key];
    if (value === null || value === undefined || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(field, `is not a Procore id (${JSON.stringify(value)})`);
    try {
      return procoreId(typeof value === 'string' ? value.trim() : value, field);
    } catch (error) {
      this.fail(field, `'${String(value)}' is not a Procore id: ${(error as Error).message}`);
    }
  }

  requiredId(record: Json | null | undefined, key: string, field: string): ProcoreId {
    return this.id(record, key, field) ?? this.fail(field, 'is missing');
  }

  /** Decimal string (or exact JSON number) → cents; absent or null is `fallback`, or an error without one. */
  money(record: Json, key: string, field: string, fallback?: Cents): Cents {
    const value = record[key];
    if (value === null || value === undefined || value === '') {
      if (fallback !== undefined) return fallback;
      this.fail(field, 'is missing');
    }
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(field, `is not a decimal amount (${JSON.stringify(value)})`);
    try {
      return parseMoney(value, field);
    } catch (error) {
      if (error instanceof MoneyError) this.fail(field, `'${String(value)}' is not a decimal amount (expected e.g. 1087.80)`);
      throw error;
    }
  }

  date(record: Json, key: string, field: string): string | null {
    const value = this.text(record, key, field);
    if (value === null) return null;
    const day = value.slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) this.fail(field, `'${value}' is not a date (YYYY-MM-DD)`);
    return day;
  }

  object(record: Json, key: string, field: string): Json | null {
    const value = record[key];
    if (value === null || value === undefined) return null;
    if (!isObject(value)) this.fail(field, 'is not an object');
    return value;
  }
}

interface CostCoding {
  costCode: string | null;
  category: string | null;
}

/**
 * Cost code and category of a requisition item. The WBS code carries both ("03-300.S": cost
 * code 03-300, category S), so it comes first: its Cost Code / Cost Type segments when Procore
 * sends them; else its flat code, split after the item's cost code when that is a prefix of it,
 * else at the last '.'. Without a WBS code, the item's cost code (`full_code`) with no category.
 */
export function costCodingOf(item: Json): CostCoding {
  const wbs = isObject(item.wbs_code) ? item.wbs_code : null;
  const costCodeObject = isObject(item.cost_code) ? item.cost_code : null;
  const plain = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : null);
  const costCodeText = plain(costCodeObject?.full_code) ?? plain(costCodeObject?.code);

  if (wbs) {
    const segments = Array.isArray(wbs.segment_items) ? wbs.segment_items.filter(isObject) : [];
    const segment = (...names: string[]) =>
      plain(segments.find((entry) => names.includes(String(entry.segment_name ?? '').trim().toLowerCase()))?.code);
    const segmentCode = segment('cost code');
    if (segmentCode) return { costCode: segmentCode, category: segment('cost type', 'category', 'line item type') };
    const flat = plain(wbs.flat_code);
    if (flat) {
      if (costCodeText && flat.startsWith(costCodeText)) {
        const rest = flat.slice(costCodeText.length).replace(/^[.\s-]+/, '');
        return { costCode: costCodeText, category: rest || null };
      }
      const dot = flat.lastIndexOf('.');
      if (dot > 0 && dot < flat.length - 1) return { costCode: flat.slice(0, dot), category: flat.slice(dot + 1) };
      return { costCode: flat, category: null };
    }
  }
  return { costCode: costCodeText, category: null };
}

export function mapRequisition(bundle: RequisitionBundle): MappedInvoice {
  const { requisition, commitment, vendor, project } = bundle;
  const rawId = requisition.id;
  const read: Reader = new Reader(`requisition ${typeof rawId === 'string' || typeof rawId === 'number' ? rawId : '(no id)'}`);
  const warnings: string[] = [];

  // Procore records.
  const requisitionId = read.requiredId(requisition, 'id', 'requisition.id');
  const projectId = read.id(requisition, 'project_id', 'requisition.project_id') ?? read.requiredId(project, 'id', 'project.id');
  const commitmentId = read.id(requisition, 'commitment_id', 'requisition.commitment_id') ?? read.requiredId(commitment, 'id', 'commitment.id');
  const company = read.object(project, 'company', 'project.company');
  const companyId =
    read.id(company, 'id', 'project.company.id') ??
    (bundle.companyId !== undefined ? read.id({ companyId: bundle.companyId }, 'companyId', 'companyId') : null) ??
    read.fail('project.company.id', 'is missing (and no company id was given)');
  const commitmentVendor = read.object(commitment, 'vendor', 'commitment.vendor');
  const vendorId =
    read.id(requisition, 'vendor_id', 'requisition.vendor_id') ?? read.id(commitmentVendor, 'id', 'commitment.vendor.id') ?? read.id(vendor, 'id', 'vendor.id');

  // Commitment type → line type.
  const typeName = read.text(commitment, 'type', 'commitment.type') ?? read.text(requisition, 'commitment_type', 'requisition.commitment_type');
  if (!typeName) read.fail('commitment.type', 'is missing (expected WorkOrderContract or PurchaseOrderContract)');
  const lineType = COMMITMENT_TYPES[typeName];
  if (!lineType) read.fail('commitment.type', `'${typeName}' is not WorkOrderContract or PurchaseOrderContract`);

  // Codes the accounting system knows.
  const vendorCode = read.text(vendor, 'origin_code', 'vendor.origin_code') ?? read.text(commitmentVendor, 'origin_code', 'commitment.vendor.origin_code');
  if (!vendorCode) {
    const name = read.text(vendor, 'name', 'vendor.name') ?? read.text(commitmentVendor, 'company', 'commitment.vendor.company') ?? read.text(requisition, 'vendor_name', 'requisition.vendor_name') ?? 'the vendor';
    warnings.push(`Procore vendor '${name}'${vendorId ? ` (id ${vendorId})` : ''} has no ERP code (origin_code) — set its external ID in Procore or enter the vendor by hand`);
  }
  const commitmentCode = read.text(commitment, 'number', 'commitment.number') ?? read.text(commitment, 'origin_code', 'commitment.origin_code');
  if (!commitmentCode) warnings.push(`Procore commitment ${commitmentId} has neither a number nor an origin_code — enter the commitment on each line`);
  const job = read.text(project, 'project_number', 'project.project_number') ?? read.text(project, 'origin_code', 'project.origin_code');
  if (!job) warnings.push(`Procore project ${projectId} has neither a project number nor an origin_code — enter the job on each line`);

  // Header.
  const number = read.text(requisition, 'number', 'requisition.number');
  const invoiceNumber =
    read.text(requisition, 'invoice_number', 'requisition.invoice_number') ?? (commitmentCode && number ? `${commitmentCode}-${number}` : null);
  if (!invoiceNumber) warnings.push('the requisition has no invoice number, and no commitment number and requisition number to make one from — enter the invoice number');
  const summary = read.object(requisition, 'summary', 'requisition.summary') ?? read.fail('requisition.summary', 'is missing (read the requisition with view=extended)');
  const currentPaymentDue = read.money(summary, 'current_payment_due', 'summary.current_payment_due');
  const tax = read.money(summary, 'tax_applicable_to_this_payment', 'summary.tax_applicable_to_this_payment', 0 as Cents);
  if (tax !== 0) warnings.push(`tax of ${displayMoney(tax)} on the requisition is not carried to the invoice (as Procore's own connector does) — add it by hand if it is owed`);

  // Lines.
  const items = requisition.items;
  if (!Array.isArray(items)) read.fail('requisition.items', 'is missing (read the requisition with view=extended or view=items)');
  const lines: InvoiceLine[] = items.map((raw, index) => {
    const at = `items[${index}]`;
    if (!isObject(raw)) read.fail(at, 'is not an object');
    const work = read.money(raw, 'work_completed_this_period', `${at}.work_completed_this_period`);
    const materials = read.money(raw, 'materials_presently_stored', `${at}.materials_presently_stored`, 0 as Cents);
    const retained = read.money(raw, 'work_completed_retainage_retained_this_period', `${at}.work_completed_retainage_retained_this_period`, 0 as Cents);
    const released = read.money(raw, 'work_completed_retainage_released_this_period', `${at}.work_completed_retainage_released_this_period`, 0 as Cents);
    const materialsRetained = read.money(raw, 'materials_stored_retainage_currently_retained', `${at}.materials_stored_retainage_currently_retained`, 0 as Cents);
    const coding = costCodingOf(raw);
    const lineNumber = read.text(raw, 'line_number', `${at}.line_number`) ?? read.text(raw, 'position', `${at}.position`);
    if (!coding.costCode) warnings.push(`line ${index + 1} has no cost code or WBS code in Procore — enter the cost code`);
    return {
      id: `L${index + 1}`,
      type: lineType,
      job,
      costCode: coding.costCode,
      category: coding.category,
      commitment: commitmentCode,
      commitmentItem: lineNumber,
      description: read.text(raw, 'description_of_work', `${at}.description_of_work`),
      amount: (work + materials) as Cents,
      retainage: (retained - released + materialsRetained) as Cents,
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

  const contract = read.text(requisition, 'contract_name', 'requisition.contract_name') ?? [commitmentCode, read.text(commitment, 'title', 'commitment.title')].filter(Boolean).join(' ');
  const start = read.date(requisition, 'requisition_start', 'requisition.requisition_start');
  const end = read.date(requisition, 'requisition_end', 'requisition.requisition_end');
  const description = [contract || null, start && end ? `${start} to ${end}` : null].filter(Boolean).join(', ') || null;

  return {
    header: {
      vendor: vendorCode,
      invoiceNumber,
      invoiceDate: read.date(requisition, 'billing_date', 'requisition.billing_date'),
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
