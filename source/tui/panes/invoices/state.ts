// The Invoices pane's state: which view of the queue, the page of index rows around the cursor,
// the filter and sort, and the open invoice. A reducer with named actions, so a test drives it
// without a terminal; only pages are held, never a whole vault.
import type { InvoiceRow, SortColumn } from '../../../app/invoices.js';
import type { Invoice, InvoiceSource, InvoiceStatus } from '../../../domain/invoice.js';
import type { Role } from '../../../domain/vault.js';

/** The views of the queue: invoice statuses from the index, and the sync's import lists. */
export const VIEWS = ['unprocessed', 'failover', 'pending', 'approved', 'exported', 'paid', 'waiting', 'failed', 'all'] as const;
export type ViewId = (typeof VIEWS)[number];

export interface ViewSpec {
  label: string;
  /** Invoices from the index with these filters; null for the imports lists. */
  query: { status?: InvoiceStatus[]; source?: InvoiceSource['kind'][] } | null;
}

export const VIEW_SPECS: Record<ViewId, ViewSpec> = {
  unprocessed: { label: 'unprocessed', query: { status: ['unprocessed'] } },
  // The index filters on status and source but not on the routing outcome: an auto-imported
  // invoice still unprocessed is one auto-route left in the queue; its reason is the row's message.
  failover: { label: 'failover', query: { status: ['unprocessed'], source: ['procore-auto'] } },
  pending: { label: 'pending', query: { status: ['pending'] } },
  approved: { label: 'approved', query: { status: ['approved'] } },
  exported: { label: 'exported', query: { status: ['exported'] } },
  paid: { label: 'paid', query: { status: ['paid'] } },
  waiting: { label: 'waiting', query: null },
  failed: { label: 'failed imports', query: null },
  // Incomplete, rejected and on-hold invoices have no view of their own: here they can be found and released.
  all: { label: 'all', query: {} },
};

export const isImportView = (view: ViewId): boolean => VIEW_SPECS[view].query === null;

/** What the sort key cycles through: the table's columns the index can sort on. */
export const SORT_CYCLE: readonly SortColumn[] = ['created', 'id', 'vendor', 'number', 'total', 'job', 'status', 'updated'];
export const SORT_LABELS: Record<SortColumn, string> = {
  created: 'age',
  updated: 'updated',
  id: 'id',
  vendor: 'vendor',
  number: 'number',
  total: 'amount',
  status: 'status',
  date: 'date',
  due: 'due',
  job: 'job',
  queue: 'queue',
};

/** A waiting or failed requisition, from the vault's sync state. */
export interface ImportRow {
  requisitionId: string;
  projectId: string;
  /** The waiting reason, or the failure's error. */
  reason: string;
  attempts: number | null;
  /** When it is tried next (failed), or was last checked (waiting). */
  nextAt: string | null;
}

/** Rows fetched per page; the visible window stays well inside one. */
export const PAGE_SIZE = 100;

export interface InvoicesState {
  mode: 'list' | 'detail';
  view: ViewId;
  counts: Partial<Record<ViewId, number>>;
  /** The applied filter (free text: id, vendor, number, description). */
  filter: string;
  /** The filter being typed; null when the field is closed. */
  filterDraft: string | null;
  sort: SortColumn;
  descending: boolean;
  /** Index of the selected row over the whole result. */
  cursor: number;
  /** First row shown; the View moves it further if its height differs from `viewport`. */
  top: number;
  /** Rows a screen holds, for PgUp/PgDn. */
  viewport: number;
  total: number;
  /** The loaded page: rows[i] is result row offset + i. */
  page: { offset: number; rows: readonly InvoiceRow[] };
  /** The query the page answers: a late page of another query is dropped. */
  queryKey: string;
  imports: readonly ImportRow[];
  /** The id the cursor is on, kept across reloads. */
  selectedId: string | null;
  detail: { id: string; invoice: Invoice | null; scroll: number } | null;
  /** Who acts, for what the keys say is unavailable. */
  user: { name: string; roles: readonly Role[] } | null;
  allowEditImported: boolean;
  loading: boolean;
  error: string | null;
}

export const initialInvoicesState: InvoicesState = {
  mode: 'list',
  view: 'unprocessed',
  counts: {},
  filter: '',
  filterDraft: null,
  sort: 'created',
  descending: false,
  cursor: 0,
  top: 0,
  viewport: 15,
  total: 0,
  page: { offset: 0, rows: [] },
  queryKey: JSON.stringify(['unprocessed', '', 'created', false]),
  imports: [],
  selectedId: null,
  detail: null,
  user: null,
  allowEditImported: false,
  loading: true,
  error: null,
};

export type InvoicesAction =
  | { type: 'move'; by: number }
  | { type: 'moveTo'; where: 'start' | 'end' }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'resized'; viewport: number }
  | { type: 'view'; view: ViewId }
  | { type: 'filterOpened' }
  | { type: 'filterTyped'; draft: string }
  | { type: 'filterApplied' }
  | { type: 'filterCleared' }
  | { type: 'sortCycled' }
  | { type: 'sortFlipped' }
  | { type: 'countsLoaded'; counts: Partial<Record<ViewId, number>> }
  | { type: 'actorLoaded'; user: { name: string; roles: readonly Role[] }; allowEditImported: boolean }
  | { type: 'pageLoaded'; queryKey: string; offset: number; rows: readonly InvoiceRow[]; total: number; keepId: string | null }
  | { type: 'importsLoaded'; view: ViewId; rows: readonly ImportRow[] }
  | { type: 'loadFailed'; error: string }
  | { type: 'detailOpened'; id: string }
  | { type: 'detailLoaded'; invoice: Invoice }
  | { type: 'detailScrolled'; by: number; /** The last first line worth scrolling to, when the handler knows it. */ max?: number }
  | { type: 'detailClosed' };

/** The key of what a page answers: view, filter and sort. */
export function queryKeyOf(state: Pick<InvoicesState, 'view' | 'filter' | 'sort' | 'descending'>): string {
  return JSON.stringify([state.view, state.filter, state.sort, state.descending]);
}

/** The row under the cursor, if its page is loaded. */
export function selectedRow(state: InvoicesState): InvoiceRow | null {
  if (isImportView(state.view)) return null;
  return state.page.rows[state.cursor - state.page.offset] ?? null;
}

export function selectedImport(state: InvoicesState): ImportRow | null {
  return isImportView(state.view) ? (state.imports[state.cursor] ?? null) : null;
}

/** Rows in the current view. */
export function rowCount(state: InvoicesState): number {
  return isImportView(state.view) ? state.imports.length : state.total;
}

/** Whether the page holds the rows a screen around the cursor shows; if not, the handler fetches. */
export function pageCovers(state: InvoicesState): boolean {
  if (isImportView(state.view) || state.total === 0) return true;
  const { offset, rows } = state.page;
  const first = Math.max(0, state.cursor - state.viewport);
  const last = Math.min(state.total, state.cursor + state.viewport + 1);
  return first >= offset && last <= offset + rows.length;
}

/** Where to fetch a page so the cursor sits in its middle. */
export function pageOffsetFor(cursor: number): number {
  return Math.max(0, cursor - Math.floor(PAGE_SIZE / 2));
}

function withCursor(state: InvoicesState, cursor: number): InvoicesState {
  const count = rowCount(state);
  const next = Math.max(0, Math.min(cursor, count - 1));
  const top = next < state.top ? next : next >= state.top + state.viewport ? next - state.viewport + 1 : state.top;
  const moved = { ...state, cursor: next, top: Math.max(0, top) };
  const row = selectedRow(moved);
  const picked = selectedImport(moved);
  return { ...moved, selectedId: row?.id ?? picked?.requisitionId ?? (count === 0 ? null : state.selectedId) };
}

/** A new query: the list starts again at its top. */
function requery(state: InvoicesState, change: Partial<InvoicesState>): InvoicesState {
  const next = { ...state, ...change, cursor: 0, top: 0, selectedId: null, page: { offset: 0, rows: [] }, total: 0, imports: [], loading: true, error: null };
  return { ...next, queryKey: queryKeyOf(next) };
}

export function reduceInvoices(state: InvoicesState, action: InvoicesAction): InvoicesState {
  switch (action.type) {
    case 'move':
      return withCursor(state, state.cursor + action.by);
    case 'moveTo':
      return withCursor(state, action.where === 'start' ? 0 : rowCount(state) - 1);
    case 'page':
      return withCursor({ ...state, top: Math.max(0, state.top + action.direction * state.viewport) }, state.cursor + action.direction * state.viewport);
    case 'resized':
      return withCursor({ ...state, viewport: Math.max(1, action.viewport) }, state.cursor);
    case 'view':
      return action.view === state.view ? state : requery(state, { view: action.view, mode: 'list', detail: null });
    case 'filterOpened':
      return { ...state, filterDraft: state.filter };
    case 'filterTyped':
      return { ...state, filterDraft: action.draft };
    case 'filterApplied':
      return requery(state, { filter: (state.filterDraft ?? state.filter).trim(), filterDraft: null });
    case 'filterCleared':
      return state.filter === '' ? { ...state, filterDraft: null } : requery(state, { filter: '', filterDraft: null });
    case 'sortCycled': {
      const at = SORT_CYCLE.indexOf(state.sort);
      return requery(state, { sort: SORT_CYCLE[(at + 1) % SORT_CYCLE.length]! });
    }
    case 'sortFlipped':
      return requery(state, { descending: !state.descending });
    case 'countsLoaded':
      return { ...state, counts: action.counts };
    case 'actorLoaded':
      return { ...state, user: action.user, allowEditImported: action.allowEditImported };
    case 'pageLoaded': {
      if (action.queryKey !== state.queryKey) return state;
      const loaded = { ...state, page: { offset: action.offset, rows: action.rows }, total: action.total, loading: false, error: null };
      // The sync adds rows: the cursor follows its invoice to wherever the new page has it.
      const at = action.keepId === null ? -1 : action.rows.findIndex((row) => row.id === action.keepId);
      const cursor = at >= 0 ? action.offset + at : state.cursor;
      const shift = cursor - state.cursor;
      return withCursor({ ...loaded, top: Math.max(0, state.top + shift) }, cursor);
    }
    case 'importsLoaded': {
      if (action.view !== state.view) return state;
      const loaded = { ...state, imports: action.rows, total: action.rows.length, loading: false, error: null };
      const at = state.selectedId === null ? -1 : action.rows.findIndex((row) => row.requisitionId === state.selectedId);
      return withCursor(loaded, at >= 0 ? at : state.cursor);
    }
    case 'loadFailed':
      return { ...state, loading: false, error: action.error };
    case 'detailOpened':
      return { ...state, mode: 'detail', detail: { id: action.id, invoice: null, scroll: 0 } };
    case 'detailLoaded':
      return state.detail?.id === action.invoice.id ? { ...state, detail: { ...state.detail, invoice: action.invoice } } : state;
    case 'detailScrolled':
      return state.detail ? { ...state, detail: { ...state.detail, scroll: Math.max(0, Math.min(state.detail.scroll + action.by, action.max ?? Infinity)) } } : state;
    case 'detailClosed':
      return { ...state, mode: 'list', detail: null };
  }
}
