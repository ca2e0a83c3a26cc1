// The Invoices pane's reducer: moving and paging over a result of pages, views, filter, sort,
// the detail, and the cursor staying on its invoice when the sync adds rows before it.
import { describe, expect, it } from 'vitest';
import type { InvoiceRow } from '../../../source/app/invoices.js';
import {
  initialInvoicesState,
  pageCovers,
  queryKeyOf,
  reduceInvoices,
  selectedRow,
  type InvoicesAction,
  type InvoicesState,
} from '../../../source/tui/panes/invoices/state.js';
import { INVOICES_BINDINGS } from '../../../source/tui/panes/invoices/bindings.js';
import { resolve } from '../../../source/tui/shell/bindings.js';

function row(n: number): InvoiceRow {
  return {
    id: `INV-${String(n).padStart(6, '0')}`,
    vaultId: 'v',
    queueId: 'ap-inbox',
    queueName: 'AP Inbox',
    status: 'unprocessed',
    vendor: 'ABC',
    invoiceNumber: String(n),
    total: 100 * n,
    invoiceDate: null,
    dueDate: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    source: 'manual',
    procoreCompanyId: null,
    procoreRequisitionId: null,
    job: null,
    message: null,
    description: null,
    fileHash: null,
  } as unknown as InvoiceRow;
}

const run = (state: InvoicesState, ...actions: InvoicesAction[]) => actions.reduce(reduceInvoices, state);

/** A result of `total` rows of which the page [offset, offset + size) is loaded. */
function loaded(total: number, offset = 0, size = 100, keepId: string | null = null, from = initialInvoicesState): InvoicesState {
  const rows = Array.from({ length: Math.max(0, Math.min(size, total - offset)) }, (_, i) => row(offset + i + 1));
  return reduceInvoices(from, { type: 'pageLoaded', queryKey: from.queryKey, offset, rows, total, keepId });
}

describe('the invoices reducer', () => {
  it('moves within the result and not past its ends', () => {
    let state = loaded(500);
    expect(selectedRow(state)?.id).toBe('INV-000001');
    state = run(state, { type: 'move', by: 1 }, { type: 'move', by: 1 });
    expect(state.cursor).toBe(2);
    expect(state.selectedId).toBe('INV-000003');
    expect(run(state, { type: 'move', by: -10 }).cursor).toBe(0);
    expect(run(state, { type: 'moveTo', where: 'end' }).cursor).toBe(499);
    expect(run(state, { type: 'moveTo', where: 'end' }, { type: 'move', by: 5 }).cursor).toBe(499);
  });

  it('pages by a screen and says when the loaded page no longer covers the cursor', () => {
    let state = run(loaded(500), { type: 'resized', viewport: 20 });
    state = run(state, { type: 'page', direction: 1 });
    expect(state.cursor).toBe(20);
    expect(state.top).toBe(20);
    expect(pageCovers(state)).toBe(true);
    state = run(state, { type: 'page', direction: 1 }, { type: 'page', direction: 1 }, { type: 'page', direction: 1 });
    expect(state.cursor).toBe(80);
    expect(pageCovers(state)).toBe(false);
    expect(selectedRow(state)?.id).toBe('INV-000081');
    state = run(state, { type: 'moveTo', where: 'end' });
    expect(selectedRow(state)).toBeNull();
    state = loaded(500, 449, 100, null, state);
    expect(selectedRow(state)?.id).toBe('INV-000500');
    expect(pageCovers(state)).toBe(true);
    expect(run(state, { type: 'page', direction: -1 }).cursor).toBe(479);
  });

  it('a view, a filter or a sort starts the list again at its top, under a new query key', () => {
    const start = run(loaded(50), { type: 'move', by: 7 });
    const pending = run(start, { type: 'view', view: 'pending' });
    expect(pending).toMatchObject({ view: 'pending', cursor: 0, total: 0, loading: true });
    expect(pending.queryKey).toBe(queryKeyOf(pending));
    expect(pending.queryKey).not.toBe(start.queryKey);
    // A page of the old query arriving late is dropped.
    expect(loaded(50, 0, 100, null, { ...pending, queryKey: start.queryKey }).queryKey).toBe(start.queryKey);
    expect(reduceInvoices(pending, { type: 'pageLoaded', queryKey: start.queryKey, offset: 0, rows: [row(1)], total: 1, keepId: null }).total).toBe(0);

    const sorted = run(start, { type: 'sortCycled' });
    expect(sorted.sort).toBe('id');
    expect(run(sorted, { type: 'sortFlipped' }).descending).toBe(true);
    expect(run(start, ...Array.from({ length: 8 }, () => ({ type: 'sortCycled' }) as const)).sort).toBe('created');
  });

  it('types a filter, applies it on Enter, and Esc clears it', () => {
    let state = run(loaded(50), { type: 'filterOpened' });
    expect(state.filterDraft).toBe('');
    state = run(state, { type: 'filterTyped', draft: ' abc ' });
    expect(state.filter).toBe('');
    state = run(state, { type: 'filterApplied' });
    expect(state).toMatchObject({ filter: 'abc', filterDraft: null, cursor: 0 });
    const reopened = run(state, { type: 'filterOpened' });
    expect(reopened.filterDraft).toBe('abc');
    const cleared = run(reopened, { type: 'filterCleared' });
    expect(cleared).toMatchObject({ filter: '', filterDraft: null });
    expect(cleared.queryKey).not.toBe(state.queryKey);
  });

  it('keeps the cursor on its invoice when the sync adds rows before it', () => {
    let state = run(loaded(300), { type: 'move', by: 40 });
    expect(state.selectedId).toBe('INV-000041');
    // Three new invoices sort first: the reload's page finds INV-000041 three rows further down.
    const rows = [row(9001), row(9002), row(9003), ...Array.from({ length: 200 }, (_, i) => row(i + 1))];
    state = reduceInvoices(state, { type: 'pageLoaded', queryKey: state.queryKey, offset: 0, rows, total: 303, keepId: 'INV-000041' });
    expect(state.cursor).toBe(43);
    expect(selectedRow(state)?.id).toBe('INV-000041');
    // Not on the page: the cursor keeps its index.
    const lost = reduceInvoices(state, { type: 'pageLoaded', queryKey: state.queryKey, offset: 0, rows: rows.slice(0, 10), total: 303, keepId: 'INV-999999' });
    expect(lost.cursor).toBe(43);
  });

  it('opens the detail, scrolls it, and goes back to the list where it was', () => {
    let state = run(loaded(20), { type: 'move', by: 3 }, { type: 'detailOpened', id: 'INV-000004' });
    expect(state).toMatchObject({ mode: 'detail', detail: { id: 'INV-000004', invoice: null, scroll: 0 } });
    state = run(state, { type: 'detailScrolled', by: 5 }, { type: 'detailScrolled', by: -9 });
    expect(state.detail?.scroll).toBe(0);
    // End and Home in the detail: its end (as far as the handler says is worth it) and its top.
    const ctx = { state, vaultId: 'v' };
    const end = resolve(INVOICES_BINDINGS, ['pane:invoices'], 'end', ctx);
    expect(end).toMatchObject({ kind: 'act', intent: { type: 'detailScroll', by: Infinity } });
    state = run(state, { type: 'detailScrolled', by: Infinity, max: 28 });
    expect(state.detail?.scroll).toBe(28);
    expect(resolve(INVOICES_BINDINGS, ['pane:invoices'], 'home', { state, vaultId: 'v' })).toMatchObject({ kind: 'act', intent: { type: 'detailScroll', by: -Infinity } });
    state = run(state, { type: 'detailScrolled', by: -Infinity, max: 28 });
    expect(state.detail?.scroll).toBe(0);
    // An invoice for another id (a late answer) is not shown.
    expect(reduceInvoices(state, { type: 'detailLoaded', invoice: { id: 'INV-000009' } as never }).detail?.invoice).toBeNull();
    state = run(state, { type: 'detailClosed' });
    expect(state).toMatchObject({ mode: 'list', detail: null, cursor: 3 });
  });

  it('lists imports in the waiting and failed views, following the selected requisition', () => {
    let state = run(initialInvoicesState, { type: 'view', view: 'failed' });
    const imports = [
      { requisitionId: '11', projectId: 'p', reason: 'x', attempts: 1, nextAt: null },
      { requisitionId: '12', projectId: 'p', reason: 'y', attempts: 2, nextAt: null },
    ];
    state = run(state, { type: 'importsLoaded', view: 'failed', rows: imports }, { type: 'move', by: 1 });
    expect(state.selectedId).toBe('12');
    state = run(state, { type: 'importsLoaded', view: 'failed', rows: imports.slice(1) });
    expect(state.cursor).toBe(0);
    expect(run(state, { type: 'importsLoaded', view: 'waiting', rows: [] }).imports).toHaveLength(1);
  });
});
