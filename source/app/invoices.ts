// Reading invoices: filtered, sorted pages for lists and the console, and a scan of whole
// invoices for scripts (`invoices list --json`) that never holds a whole vault in memory.
import { UsageError } from '../domain/errors.js';
import type { Invoice, InvoiceSource, InvoiceStatus } from '../domain/invoice.js';
import { requireQueue, requireVault, type Vault } from '../domain/vault.js';
import { comparator, matcher, rowOf, type IndexColumn, type IndexRow, type InvoiceQuery as StoreQuery } from '../store/index-rows.js';
import type { DeskContext } from './context.js';

export const SORT_COLUMNS = ['created', 'updated', 'id', 'vendor', 'number', 'total', 'status', 'date', 'due', 'job', 'queue'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

const INDEX_COLUMN: Record<SortColumn, IndexColumn> = {
  created: 'createdAt',
  updated: 'updatedAt',
  id: 'id',
  vendor: 'vendor',
  number: 'invoiceNumber',
  total: 'total',
  status: 'status',
  date: 'invoiceDate',
  due: 'dueDate',
  job: 'job',
  queue: 'queueId',
};

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
  source?: readonly InvoiceSource['kind'][];
  sort?: SortColumn;
  descending?: boolean;
  offset?: number;
  /** How many rows at most; all of them when absent. */
  limit?: number;
}

/** One line of a list, from the vault's index: what a table shows, without opening the invoice. */
export type InvoiceRow = IndexRow & { queueName: string };

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

function indexQuery(query: InvoiceQuery, queueId: string | undefined, limit: number): StoreQuery {
  return {
    ...(query.status?.length ? { status: query.status } : {}),
    ...(queueId !== undefined ? { queueId } : {}),
    ...(query.vendor !== undefined ? { vendor: query.vendor } : {}),
    ...(query.text !== undefined ? { text: query.text } : {}),
    ...(query.source?.length ? { source: query.source } : {}),
    sort: INDEX_COLUMN[query.sort ?? 'created'],
    direction: query.descending ? 'desc' : 'asc',
    offset: 0,
    limit,
  };
}

/**
 * A sorted, filtered page of invoice rows, from the vaults' indexes: no invoice is opened, so a
 * page of a 50,000-invoice vault costs what a page of a small one does once the index is read.
 */
export async function listInvoices(desk: DeskContext, query: InvoiceQuery): Promise<InvoicePage> {
  const { vaults, queueId } = await scopeOf(desk, query);
  const offset = Math.max(0, query.offset ?? 0);
  const wanted = query.limit === undefined ? Number.MAX_SAFE_INTEGER : offset + query.limit;
  const names = new Map(vaults.flatMap((vault) => vault.queues.map((queue) => [`${vault.id}\u0000${queue.id}`, queue.name] as const)));
  const named = (row: IndexRow): InvoiceRow => ({ ...row, queueName: names.get(`${row.vaultId}\u0000${row.queueId}`) ?? row.queueId });
  if (vaults.length === 1) {
    const page = await desk.store.invoicePage(vaults[0]!.id, { ...indexQuery(query, queueId, query.limit ?? Number.MAX_SAFE_INTEGER), offset });
    return { total: page.total, offset, rows: page.rows.map(named) };
  }
  // Several vaults: each one's first `offset + limit` rows, merged in the same order.
  const pages = await Promise.all(vaults.map((vault) => desk.store.invoicePage(vault.id, indexQuery(query, queueId, wanted))));
  const merged = pages.flatMap((page) => page.rows).sort(comparator(INDEX_COLUMN[query.sort ?? 'created'], query.descending ? 'desc' : 'asc'));
  return {
    total: pages.reduce((sum, page) => sum + page.total, 0),
    offset,
    rows: merged.slice(offset, query.limit === undefined ? undefined : offset + query.limit).map(named),
  };
}

/**
 * Every invoice that matches, whole, in the order the invoices are stored: one pass over each
 * vault's shards, none of them kept, and the index not read at all. Filtered exactly as a list is.
 */
export async function* streamInvoices(desk: DeskContext, query: InvoiceQuery): AsyncGenerator<Invoice> {
  const { vaults, queueId } = await scopeOf(desk, query);
  const wanted = matcher(indexQuery(query, queueId, Number.MAX_SAFE_INTEGER));
  for (const vault of vaults) {
    for await (const invoice of desk.store.scanInvoices(vault.id)) if (wanted(rowOf(invoice))) yield invoice;
  }
}

/**
 * The whole invoices with these ids, read shard by shard and never kept: what `invoices list
 * --json` streams. They come in the order of the files, not of `ids`.
 */
export async function* readInvoices(desk: DeskContext, rows: readonly { id: string; vaultId: string }[]): AsyncGenerator<Invoice> {
  const byVault = new Map<string, Set<string>>();
  for (const row of rows) byVault.set(row.vaultId, (byVault.get(row.vaultId) ?? new Set()).add(row.id));
  for (const [vaultId, ids] of byVault) {
    // A few invoices are read one by one; many, by one pass over the vault's shards.
    if (ids.size <= 200) {
      for (const id of ids) {
        const invoice = await desk.store.invoice(vaultId, id);
        if (invoice) yield invoice;
      }
      continue;
    }
    for await (const invoice of desk.store.scanInvoices(vaultId)) if (ids.has(invoice.id)) yield invoice;
  }
}
