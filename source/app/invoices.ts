// Reading invoices: filtered, sorted pages for lists and the console, and a scan of whole
// invoices for scripts (`invoices list --json`) that never holds a whole vault in memory.
import { UsageError } from '../domain/errors.js';
import { documentOf, type Invoice, type InvoiceStatus } from '../domain/invoice.js';
import type { Cents } from '../domain/money.js';
import { requireQueue, requireVault, type Vault } from '../domain/vault.js';
import type { DeskContext } from './context.js';

export const SORT_COLUMNS = ['created', 'updated', 'id', 'vendor', 'number', 'total', 'status', 'date'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export interface InvoiceQuery {
  /** A vault by name or id; every vault when absent. */
  vault?: string;
  /** A queue by name or id; needs `vault`. */
  queue?: string;
  status?: readonly InvoiceStatus[];
  /** Vendor code, case-insensitive. */
  vendor?: string;
  /** Free text in the id, vendor, invoice number or description, case-insensitive. */
  text?: string;
  sort?: SortColumn;
  descending?: boolean;
  offset?: number;
  limit?: number;
}

/** One line of a list: what a table shows, without the invoice's lines and audit trail. */
export interface InvoiceRow {
  id: string;
  vaultId: string;
  queueId: string;
  queueName: string;
  status: InvoiceStatus;
  vendor: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  total: Cents | null;
  pages: number | null;
  source: Invoice['source']['kind'];
  createdAt: string;
  updatedAt: string;
}

export interface InvoicePage {
  /** How many invoices match, across all pages. */
  total: number;
  offset: number;
  rows: InvoiceRow[];
}

interface Scope {
  vaults: Vault[];
  queueId: string | undefined;
}

async function scopeOf(desk: DeskContext, query: InvoiceQuery): Promise<Scope> {
  const all = (await desk.store.settings()).vaults;
  const vaults = query.vault !== undefined ? [requireVault(all, query.vault)] : all;
  let queueId: string | undefined;
  if (query.queue !== undefined) {
    if (vaults.length !== 1) throw new UsageError('--queue needs --vault VAULT to say whose queue it is');
    queueId = requireQueue(vaults[0]!, query.queue).id;
  }
  return { vaults, queueId };
}

function matcher(query: InvoiceQuery, queueId: string | undefined): (invoice: Invoice) => boolean {
  const statuses = query.status?.length ? new Set(query.status) : null;
  const vendor = query.vendor?.trim().toLowerCase();
  const text = query.text?.trim().toLowerCase();
  return (invoice) =>
    (queueId === undefined || invoice.queueId === queueId) &&
    (!statuses || statuses.has(invoice.status)) &&
    (!vendor || (invoice.header.vendor ?? '').toLowerCase() === vendor) &&
    (!text ||
      [invoice.id, invoice.header.vendor, invoice.header.invoiceNumber, invoice.header.description].some((field) => (field ?? '').toLowerCase().includes(text)));
}

function rowOf(invoice: Invoice, vaults: readonly Vault[]): InvoiceRow {
  const queue = vaults.find((vault) => vault.id === invoice.vaultId)?.queues.find((q) => q.id === invoice.queueId);
  return {
    id: invoice.id,
    vaultId: invoice.vaultId,
    queueId: invoice.queueId,
    queueName: queue?.name ?? invoice.queueId,
    status: invoice.status,
    vendor: invoice.header.vendor,
    invoiceNumber: invoice.header.invoiceNumber,
    invoiceDate: invoice.header.invoiceDate,
    total: invoice.header.total,
    pages: documentOf(invoice)?.pages ?? null,
    source: invoice.source.kind,
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
  };
}

const SORT_KEYS: Record<SortColumn, (row: InvoiceRow) => string | number> = {
  created: (row) => row.createdAt,
  updated: (row) => row.updatedAt,
  id: (row) => row.id,
  vendor: (row) => (row.vendor ?? '').toLowerCase(),
  number: (row) => (row.invoiceNumber ?? '').toLowerCase(),
  total: (row) => row.total ?? Number.NEGATIVE_INFINITY,
  status: (row) => row.status,
  date: (row) => row.invoiceDate ?? '',
};

export function compareRows(sort: SortColumn, descending: boolean): (a: InvoiceRow, b: InvoiceRow) => number {
  const key = SORT_KEYS[sort];
  const sign = descending ? -1 : 1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * sign || a.id.localeCompare(b.id);
  };
}

/** A sorted, filtered page of invoice rows. */
export async function listInvoices(desk: DeskContext, query: InvoiceQuery): Promise<InvoicePage> {
  const { vaults, queueId } = await scopeOf(desk, query);
  const wanted = matcher(query, queueId);
  const rows: InvoiceRow[] = [];
  for (const vault of vaults) {
    for (const invoice of await desk.store.invoices(vault.id)) if (wanted(invoice)) rows.push(rowOf(invoice, vaults));
  }
  rows.sort(compareRows(query.sort ?? 'created', query.descending ?? false));
  const offset = Math.max(0, query.offset ?? 0);
  return { total: rows.length, offset, rows: rows.slice(offset, query.limit === undefined ? undefined : offset + query.limit) };
}

/** Every matching invoice, whole, a batch at a time; batches are not kept in memory. */
export async function* scanInvoices(desk: DeskContext, query: InvoiceQuery): AsyncGenerator<Invoice[]> {
  const { vaults, queueId } = await scopeOf(desk, query);
  const wanted = matcher(query, queueId);
  for (const vault of vaults) {
    const batch = (await desk.store.invoices(vault.id)).filter(wanted);
    if (batch.length) yield batch;
  }
}
