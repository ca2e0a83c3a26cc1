// Documents and invoices as domain.md describes them: a document in a queue becomes an invoice
// when it is entered. Statuses, lines, sources, attachments and the audit trail.
import type { Cents } from './money.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from './ids.js';
import type { ValidationIssue, ValidationLevel } from './rules.js';

export const INVOICE_STATUSES = [
  'unprocessed',
  'incomplete',
  'pending',
  'approved',
  'rejected',
  'on-hold',
  'exported',
  'paid',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const LINE_TYPES = ['subcontract', 'purchase-order', 'job', 'expense'] as const;
export type LineType = (typeof LINE_TYPES)[number];

export type ReviewStatus = 'pending' | 'approved' | 'rejected' | 'reapprove';

export interface LineReviewer {
  user: string;
  sequence: number;
  status: ReviewStatus;
  at: string | null;
}

export interface InvoiceLine {
  id: string;
  type: LineType;
  job: string | null;
  costCode: string | null;
  category: string | null;
  commitment: string | null;
  commitmentItem: string | null;
  description: string | null;
  amount: Cents;
  retainage: Cents;
  reviewers: LineReviewer[];
}

export interface InvoiceHeader {
  vendor: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  dueDate: string | null;
  total: Cents | null;
  retainage: Cents | null;
  description: string | null;
  processor: string | null;
  /** A credit memo: the vendor owes us, so its total (and lines) may be negative. */
  creditMemo?: boolean;
}

/** The Procore records an imported invoice came from; the requisition id lets a payment go back. */
export interface ProcoreLink {
  companyId: ProcoreId;
  projectId: ProcoreId;
  commitmentId: ProcoreId;
  vendorId: ProcoreId | null;
  requisitionId: ProcoreId;
}

export type InvoiceSource =
  | { kind: 'manual' }
  | { kind: 'folder'; inbox: string }
  | { kind: 'procore-auto'; procore: ProcoreLink }
  | { kind: 'procore-manual'; procore: ProcoreLink };

export type ContentType = 'application/pdf' | 'image/jpeg' | 'image/png';

/** A file kept with the invoice. Paths are relative to the data dir so a data dir can move. */
export interface Attachment {
  role: 'document' | 'original';
  name: string;
  path: string;
  /** Null for an original of a type apdesk does not know (kept as it came). */
  contentType: ContentType | null;
  bytes: number;
  sha256: string;
  pages: number | null;
}

export type AuditOutcome = 'ok' | 'warning' | 'error';

export interface AuditEntry {
  at: string;
  user: string;
  /** The admin who acted as `user` (with --user), when that is not the same person. */
  actingAdmin?: string;
  action: string;
  outcome: AuditOutcome;
  detail: string | null;
}

/** The last validation run: what it found, at which level. */
export interface ValidationRecord {
  at: string;
  level: ValidationLevel;
  issues: ValidationIssue[];
}

/** The last routing attempt; a failed one says why the invoice stayed in its queue. */
export interface RoutingRecord {
  at: string;
  outcome: 'routed' | 'failed';
  reasons: string[];
}

export interface ExportRecord {
  at: string;
  by: string;
  file: string;
}

/** The check that paid the invoice, as the accounting system reported it. */
export interface PaymentRecord {
  checkNumber: string;
  checkDate: string;
  amount: Cents;
  method: string;
  recordedAt: string;
}

/**
 * The payment apdesk wrote back to Procore for a paid Procore invoice, or why Procore refused it
 * (kept until a person asks for the payment again). See domain/procore-payment.ts.
 */
export type ProcorePaymentRecord =
  | { state: 'created'; paymentId: ProcoreId; originId: string; paymentNumber: number | null; amount: Cents; at: string }
  | { state: 'failed'; error: string; at: string; attempts: number };

/** Why and by whom an invoice was put on hold, and the status it returns to. */
export interface HoldRecord {
  at: string;
  by: string;
  reason: string;
  previous: InvoiceStatus;
}

export interface Invoice {
  id: InvoiceId;
  vaultId: VaultId;
  queueId: QueueId;
  status: InvoiceStatus;
  header: InvoiceHeader;
  lines: InvoiceLine[];
  source: InvoiceSource;
  attachments: Attachment[];
  /** Problems that need a person: a file that could not be merged, a missing attachment. */
  flags: string[];
  /** Things a person should know that need no fix: a DocuSign document not included, Procore's mapping remarks. */
  notes?: string[];
  audit: AuditEntry[];
  createdAt: string;
  updatedAt: string;
  validation?: ValidationRecord | null;
  routing?: RoutingRecord | null;
  exported?: ExportRecord | null;
  payment?: PaymentRecord | null;
  procorePayment?: ProcorePaymentRecord | null;
  hold?: HoldRecord | null;
}

export function emptyHeader(): InvoiceHeader {
  return {
    vendor: null,
    invoiceNumber: null,
    invoiceDate: null,
    dueDate: null,
    total: null,
    retainage: null,
    description: null,
    processor: null,
  };
}

export function isInvoiceStatus(value: string): value is InvoiceStatus {
  return (INVOICE_STATUSES as readonly string[]).includes(value);
}

export function documentOf(invoice: Invoice): Attachment | undefined {
  return invoice.attachments.find((attachment) => attachment.role === 'document');
}

/** An unprocessed document: what a file dropped into a queue becomes before anyone codes it. */
export function newDocument(input: {
  id: InvoiceId;
  vaultId: VaultId;
  queueId: QueueId;
  source: InvoiceSource;
  attachments: Attachment[];
  user: string;
  now: string;
  detail: string;
}): Invoice {
  return {
    id: input.id,
    vaultId: input.vaultId,
    queueId: input.queueId,
    status: 'unprocessed',
    header: emptyHeader(),
    lines: [],
    source: input.source,
    attachments: input.attachments,
    flags: [],
    audit: [{ at: input.now, user: input.user, action: 'document.added', outcome: 'ok', detail: input.detail }],
    createdAt: input.now,
    updatedAt: input.now,
  };
}
