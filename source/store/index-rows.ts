// The rows of a vault's invoice index, and what is asked of them: counts by status and queue,
// lookup keys (duplicate invoice numbers, imported Procore requisitions), and filtered, sorted
// pages. Pure: the files that hold rows are vault-index.ts's business.
import type { Invoice, InvoiceSource, InvoiceStatus } from '../domain/invoice.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from '../domain/ids.js';
import type { Cents } from '../domain/money.js';
import { codeKey } from '../domain/validation.js';

export type SourceKind = InvoiceSource['kind'];

/** What the index knows of one invoice: enough to count, look up, filter, sort and show a list. */
export interface IndexRow {
  readonly id: InvoiceId;
  readonly vaultId: VaultId;
  readonly queueId: QueueId;
  readonly status: InvoiceStatus;
  readonly vendor: string | null;
  readonly invoiceNumber: string | null;
  readonly total: Cents | null;
  readonly invoiceDate: string | null;
  readonly dueDate: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly source: SourceKind;
  readonly procoreCompanyId: ProcoreId | null;
  readonly procoreRequisitionId: ProcoreId | null;
  /** The first line's job. */
  readonly job: string | null;
  /** What needs a person's eye: the first validation finding (errors first), else why routing failed. */
  readonly message: string | null;
  /** The header description, cut to DESCRIPTION_LIMIT characters. */
  readonly description: string | null;
  /** Only when the invoice header says whether it is a credit memo. */
  readonly creditMemo?: boolean;
  /** The sha256 of the file the document was made from (the original, else the PDF): the same scan added twice. */
  readonly fileHash: string | null;
}

export type IndexColumn = Exclude<keyof IndexRow, 'vaultId'>;

/** A description longer than this is cut in the index: it only feeds a list column and text search. */
export const DESCRIPTION_LIMIT = 160;

const COLUMNS = [
  'id',
  'queueId',
  'status',
  'vendor',
  'invoiceNumber',
  'total',
  'invoiceDate',
  'dueDate',
  'createdAt',
  'updatedAt',
  'source',
  'procoreCompanyId',
  'procoreRequisitionId',
  'job',
  'message',
  'description',
  'creditMemo',
  'fileHash',
] as const satisfies readonly IndexColumn[];

export const SORTABLE_COLUMNS: readonly IndexColumn[] = COLUMNS;

/**
 * One in-memory row. A class, so every row has the same shape (compact in V8); the lower-case
 * search text is made on the first text search and kept in a private field, which JSON ignores.
 */
class Row implements IndexRow {
  #search: string | undefined;

  constructor(
    readonly id: InvoiceId,
    readonly vaultId: VaultId,
    readonly queueId: QueueId,
    readonly status: InvoiceStatus,
    readonly vendor: string | null,
    readonly invoiceNumber: string | null,
    readonly total: Cents | null,
    readonly invoiceDate: string | null,
    readonly dueDate: string | null,
    readonly createdAt: string,
    readonly updatedAt: string,
    readonly source: SourceKind,
    readonly procoreCompanyId: ProcoreId | null,
    readonly procoreRequisitionId: ProcoreId | null,
    readonly job: string | null,
    readonly message: string | null,
    readonly description: string | null,
    readonly creditMemo: boolean | undefined,
    readonly fileHash: string | null,
  ) {}

  get search(): string {
    this.#search ??= searchTextOf(this);
    return this.#search;
  }
}

/** What a text filter looks in, lower-case: the id, vendor, invoice number and description. */
export function searchTextOf(row: IndexRow): string {
  return `${row.id}\n${row.vendor ?? ''}\n${row.invoiceNumber ?? ''}\n${row.description ?? ''}`.toLowerCase();
}

/**
 * A row as a plain object with every field its own: what the store hands out, so a caller may
 * spread or serialise it (a row read from a segment file keeps its fields in the file).
 */
export function plainRow(row: IndexRow): IndexRow {
  if (row instanceof Row) return row;
  return new Row(
    row.id,
    row.vaultId,
    row.queueId,
    row.status,
    row.vendor,
    row.invoiceNumber,
    row.total,
    row.invoiceDate,
    row.dueDate,
    row.createdAt,
    row.updatedAt,
    row.source,
    row.procoreCompanyId,
    row.procoreRequisitionId,
    row.job,
    row.message,
    row.description,
    row.creditMemo,
    row.fileHash,
  );
}

/**
 * Keeps one copy of each repeated value (status, queue, vendor, job, dates): parsed JSON makes a
 * new string for every occurrence, and 50,000 rows repeat a few hundred values.
 */
export class Interner {
  private readonly values = new Map<string, string>();

  of<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.values.get(value);
    if (known !== undefined) return known as T;
    this.values.set(value, value);
    return value;
  }
}

function messageOf(invoice: Invoice): string | null {
  const issues = invoice.validation?.issues ?? [];
  const first = issues.find((issue) => issue.level === 'error') ?? issues[0];
  if (first) return first.message;
  if (invoice.routing?.outcome === 'failed') return invoice.routing.reasons[0] ?? null;
  return null;
}

function creditMemoOf(invoice: Invoice): boolean | undefined {
  const value = (invoice.header as { creditMemo?: unknown }).creditMemo;
  return typeof value === 'boolean' ? value : undefined;
}

export function rowOf(invoice: Invoice, intern: Interner = new Interner()): IndexRow {
  const { header, source } = invoice;
  const procore = source.kind === 'procore-auto' || source.kind === 'procore-manual' ? source.procore : null;
  const description = header.description === null ? null : header.description.slice(0, DESCRIPTION_LIMIT);
  return new Row(
    invoice.id,
    intern.of(invoice.vaultId),
    intern.of(invoice.queueId),
    intern.of(invoice.status),
    intern.of(header.vendor),
    header.invoiceNumber,
    header.total,
    intern.of(header.invoiceDate),
    intern.of(header.dueDate),
    invoice.createdAt,
    invoice.updatedAt,
    intern.of(source.kind),
    procore ? intern.of(procore.companyId) : null,
    procore ? procore.requisitionId : null,
    intern.of(invoice.lines[0]?.job ?? null),
    messageOf(invoice),
    description,
    creditMemoOf(invoice),
    fileHashOf(invoice),
  );
}

function fileHashOf(invoice: Invoice): string | null {
  const file = invoice.attachments.find((attachment) => attachment.role === 'original') ?? invoice.attachments.find((attachment) => attachment.role === 'document');
  return file?.sha256 ?? null;
}

/** Same invoice, same values in every column. */
export function sameRow(a: IndexRow, b: IndexRow): boolean {
  return a.vaultId === b.vaultId && COLUMNS.every((column) => a[column] === b[column]);
}

// ---- lookup keys ----

const SEPARATOR = '\u001f';

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/**
 * The key of a vendor's invoice number, compared as validation compares them (trimmed, any
 * case); null when either is empty (such an invoice cannot be a duplicate).
 */
export function duplicateKey(vendor: string | null | undefined, invoiceNumber: string | null | undefined): string | null {
  const v = present(vendor);
  const n = present(invoiceNumber);
  return v && n ? `n${SEPARATOR}${codeKey(v)}${SEPARATOR}${codeKey(n)}` : null;
}

export function requisitionKey(companyId: string, requisitionId: string): string {
  return `r${SEPARATOR}${companyId}${SEPARATOR}${requisitionId}`;
}

/** The key of a file's content: its sha256. */
export function fileHashKey(sha256: string): string {
  return `h${SEPARATOR}${sha256}`;
}

export function keysOf(row: IndexRow): string[] {
  const keys: string[] = [];
  if (row.fileHash) keys.push(fileHashKey(row.fileHash));
  const duplicate = duplicateKey(row.vendor, row.invoiceNumber);
  if (duplicate) keys.push(duplicate);
  if (row.procoreCompanyId !== null && row.procoreRequisitionId !== null) {
    keys.push(requisitionKey(row.procoreCompanyId, row.procoreRequisitionId));
  }
  return keys;
}

// ---- counts ----

/** Invoices per queue and status, as stored: queue → status → count (absent means 0). */
export type CountMatrix = Record<string, Partial<Record<InvoiceStatus, number>>>;

export interface InvoiceCounts {
  total: number;
  byStatus: Partial<Record<InvoiceStatus, number>>;
  byQueue: Record<string, number>;
  /** queue → status → count. */
  byQueueAndStatus: CountMatrix;
}

export function addToCounts(matrix: CountMatrix, row: IndexRow, delta: number): void {
  const queue = (matrix[row.queueId] ??= {});
  const next = (queue[row.status] ?? 0) + delta;
  if (next === 0) delete queue[row.status];
  else queue[row.status] = next;
  if (Object.keys(queue).length === 0) delete matrix[row.queueId];
}

export function countsOf(matrix: CountMatrix): InvoiceCounts {
  const counts: InvoiceCounts = { total: 0, byStatus: {}, byQueue: {}, byQueueAndStatus: structuredClone(matrix) };
  for (const [queue, statuses] of Object.entries(matrix)) {
    for (const [status, n] of Object.entries(statuses) as [InvoiceStatus, number][]) {
      counts.total += n;
      counts.byStatus[status] = (counts.byStatus[status] ?? 0) + n;
      counts.byQueue[queue] = (counts.byQueue[queue] ?? 0) + n;
    }
  }
  return counts;
}

// ---- pages ----

export interface InvoiceQuery {
  /** One status or several. */
  status?: InvoiceStatus | readonly InvoiceStatus[];
  queueId?: string | readonly string[];
  /** The vendor code, compared trimmed and in any case. */
  vendor?: string;
  /** Found in the id, vendor, invoice number or description, in any case. */
  text?: string;
  source?: SourceKind | readonly SourceKind[];
  /** Default: id. Ties are broken by id, ascending. Empty values sort last either way. */
  sort?: IndexColumn;
  direction?: 'asc' | 'desc';
  offset?: number;
  /** Default 50. */
  limit?: number;
}

export interface InvoicePage {
  /** Rows that match the filter, over all pages. */
  total: number;
  rows: IndexRow[];
}

const asSet = <T>(value: T | readonly T[] | undefined): Set<T> | null =>
  value === undefined ? null : new Set(Array.isArray(value) ? (value as readonly T[]) : [value as T]);

export function matcher(query: InvoiceQuery): (row: IndexRow) => boolean {
  const statuses = asSet(query.status);
  const queues = asSet(query.queueId);
  const sources = asSet(query.source);
  const vendor = query.vendor === undefined ? null : codeKey(query.vendor);
  const text = query.text?.trim().toLowerCase() || null;
  return (row) =>
    (statuses === null || statuses.has(row.status)) &&
    (queues === null || queues.has(row.queueId)) &&
    (sources === null || sources.has(row.source)) &&
    (vendor === null || (row.vendor !== null && codeKey(row.vendor) === vendor)) &&
    (text === null || searchText(row).includes(text));
}

/** Rows of this module and of segment files keep their search text; others make it each time. */
function searchText(row: IndexRow): string {
  return (row as { readonly search?: string }).search ?? searchTextOf(row);
}

/** Two values of a column: empty ones last either way, then by `sign` (1 ascending, -1 descending); 0 when equal. */
function compareValues(x: unknown, y: unknown, sign: number): number {
  if (x === y) return 0;
  const xEmpty = x === null || x === undefined;
  const yEmpty = y === null || y === undefined;
  if (xEmpty !== yEmpty) return xEmpty ? 1 : -1;
  if (xEmpty) return 0;
  if ((x as string | number) < (y as string | number)) return -sign;
  if ((x as string | number) > (y as string | number)) return sign;
  return 0;
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function comparator(column: IndexColumn, direction: 'asc' | 'desc'): (a: IndexRow, b: IndexRow) => number {
  const sign = direction === 'desc' ? -1 : 1;
  return (a, b) => compareValues(a[column], b[column], sign) || compareIds(a.id, b.id);
}

/**
 * `rows` in the order comparator(column, direction) gives, in a new array. Each row's value and id
 * are read once, not at every comparison: a row read from a segment file finds them in its columns.
 */
export function sortRows(rows: readonly IndexRow[], column: IndexColumn, direction: 'asc' | 'desc'): IndexRow[] {
  const sign = direction === 'desc' ? -1 : 1;
  const values = rows.map((row) => row[column]);
  const ids = rows.map((row) => row.id);
  const order = Array.from(rows.keys());
  order.sort((a, b) => compareValues(values[a], values[b], sign) || compareIds(ids[a]!, ids[b]!));
  return order.map((at) => rows[at]!);
}

/** The filter of a query as one string: queries that match the same rows have the same key. */
function filterKey(query: InvoiceQuery): string {
  const list = <T extends string>(value: T | readonly T[] | undefined) =>
    value === undefined ? null : [...new Set(Array.isArray(value) ? (value as readonly T[]) : [value as T])].sort();
  const vendor = query.vendor === undefined ? null : codeKey(query.vendor);
  const text = query.text?.trim().toLowerCase() || null;
  return JSON.stringify([list(query.status), list(query.queueId), list(query.source), vendor, text]);
}

const NO_FILTER = filterKey({});

interface KeptOrder {
  column: IndexColumn;
  direction: 'asc' | 'desc';
  /** Only the rows this filter matches (null: every row), in the order. */
  matches: ((row: IndexRow) => boolean) | null;
  rows: IndexRow[];
}

/**
 * All the rows of a vault, with the answers to recent queries kept: the matching rows of a filter
 * in a sort order, made once (a filter pass, then a sort of only what matched) so that the next
 * page of the same query is a slice. The first page of a query asked for the first time is picked
 * out of the matches without sorting them all (what a new process, `invoices list` or the console
 * opening, waits for); asked again, the query is sorted and kept. When a few rows change, each
 * kept order is patched where they sit (found by binary search: with the id breaking ties every
 * row has one place), so an edit costs the console no sort; many changed rows are merged in by
 * one sort.
 */
export class RowSet {
  /** Every row, in no particular order. */
  private all: IndexRow[];
  /** Kept orders by sort and filter, the most recently used last; only a few, as each is patched on every change. */
  private orders = new Map<string, KeptOrder>();
  private static readonly KEPT_ORDERS = 6;
  /** Queries answered once by picking their first rows: the next ask sorts and keeps them. */
  private picked = new Set<string>();

  constructor(rows: readonly IndexRow[]) {
    this.all = [...rows];
  }

  get size(): number {
    return this.all.length;
  }

  /** Every row, in no particular order (until the next change). */
  rows(): readonly IndexRow[] {
    return this.all;
  }

  replace(removed: readonly IndexRow[], added: readonly IndexRow[]): void {
    if (removed.length === 0 && added.length === 0) return;
    if (removed.length + added.length > PATCH_LIMIT) {
      const gone = new Set(removed);
      this.all = this.all.filter((row) => !gone.has(row)).concat(added);
    } else {
      // An edit: each row found and its place taken by the last one, no copy of every row.
      for (const row of removed) {
        const at = this.all.indexOf(row);
        if (at < 0) continue;
        this.all[at] = this.all[this.all.length - 1]!;
        this.all.pop();
      }
      this.all.push(...added);
    }
    for (const order of this.orders.values()) {
      const { matches } = order;
      order.rows = patched(order, matches ? removed.filter(matches) : removed, matches ? added.filter(matches) : added);
    }
  }

  page(query: InvoiceQuery): InvoicePage {
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = Math.max(0, Math.floor(query.limit ?? 50));
    // A count only (the console's count of a view): a filter pass, nothing sorted or kept.
    if (limit === 0) {
      const matches = matcher(query);
      let total = 0;
      for (const row of this.all) if (matches(row)) total += 1;
      return { total, rows: [] };
    }
    const column = query.sort ?? 'id';
    const direction = query.direction ?? 'asc';
    const filter = filterKey(query);
    const key = `${column} ${direction} ${filter}`;
    let order = this.orders.get(key);
    if (order) {
      this.orders.delete(key);
    } else {
      // A new filter in an order kept for every row: a filter pass over that beats a sort.
      const everyRow = this.orders.get(`${column} ${direction} ${NO_FILTER}`);
      if (everyRow) return pageOf(everyRow.rows, query);
      const matches = filter === NO_FILTER ? null : matcher(query);
      const rows = matches ? this.all.filter(matches) : this.all;
      // A few rows from the top of many: picking them costs about one comparison a row, a sort about 16.
      if (!this.picked.has(key) && (offset + limit) * 16 <= rows.length) {
        if (this.picked.size >= 64) this.picked.clear();
        this.picked.add(key);
        return { total: rows.length, rows: firstRows(rows, offset + limit, comparator(column, direction)).slice(offset) };
      }
      this.picked.delete(key);
      order = { column, direction, matches, rows: sortRows(rows, column, direction) };
      if (this.orders.size >= RowSet.KEPT_ORDERS) this.orders.delete(this.orders.keys().next().value!);
    }
    this.orders.set(key, order);
    return { total: order.rows.length, rows: order.rows.slice(offset, offset + limit) };
  }
}

/** The first `count` of `rows` in the order `compare` gives, without sorting the others. */
export function firstRows(rows: readonly IndexRow[], count: number, compare: (a: IndexRow, b: IndexRow) => number): IndexRow[] {
  if (count <= 0) return [];
  // A heap of the `count` first rows met so far, the one that sorts last at its top: a row is
  // compared with that one, and only one that sorts before it goes in.
  const heap: IndexRow[] = [];
  const after = (i: number, j: number) => compare(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const row of rows) {
    if (heap.length < count) {
      heap.push(row);
      for (let i = heap.length - 1; i > 0 && after(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      continue;
    }
    if (compare(row, heap[0]!) >= 0) continue;
    heap[0] = row;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let last = i;
      if (left < heap.length && after(left, last)) last = left;
      if (right < heap.length && after(right, last)) last = right;
      if (last === i) break;
      swap(i, last);
      i = last;
    }
  }
  return heap.sort(compare);
}

/** Where `row` sits in (or would go into) an array sorted by `compare`. */
function placeOf(sorted: readonly IndexRow[], row: IndexRow, compare: (a: IndexRow, b: IndexRow) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(sorted[middle]!, row) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

const PATCH_LIMIT = 64;

/** A kept order's rows without `removed` and with `added`, each in its place. */
function patched({ rows, column, direction }: KeptOrder, removed: readonly IndexRow[], added: readonly IndexRow[]): IndexRow[] {
  if (removed.length + added.length > PATCH_LIMIT) {
    const gone = new Set(removed);
    return sortRows(rows.filter((row) => !gone.has(row)).concat(added), column, direction);
  }
  const compare = comparator(column, direction);
  const result = [...rows];
  for (const row of removed) {
    const at = placeOf(result, row, compare);
    const found = result[at] === row ? at : result.indexOf(row);
    if (found >= 0) result.splice(found, 1);
  }
  for (const row of added) result.splice(placeOf(result, row, compare), 0, row);
  return result;
}

/** One page of rows already in the wanted order. */
export function pageOf(ordered: readonly IndexRow[], query: InvoiceQuery): InvoicePage {
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.max(0, Math.floor(query.limit ?? 50));
  const matches = matcher(query);
  const rows: IndexRow[] = [];
  let total = 0;
  for (const row of ordered) {
    if (!matches(row)) continue;
    if (total >= offset && rows.length < limit) rows.push(row);
    total += 1;
  }
  return { total, rows };
}

/** A page of rows in no particular order (a transaction's merged view). */
export function pageOfUnsorted(rows: readonly IndexRow[], query: InvoiceQuery): InvoicePage {
  const ordered = sortRows(rows.filter(matcher(query)), query.sort ?? 'id', query.direction ?? 'asc');
  return pageOf(ordered, { ...query, status: undefined, queueId: undefined, source: undefined, vendor: undefined, text: undefined });
}
