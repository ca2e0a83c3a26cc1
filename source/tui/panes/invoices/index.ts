// The Invoices pane: the queue browser (views with counts, filter, sort, pages around the cursor),
// an invoice's detail, and the workflow's actions on it.
import type { PaneModule } from '../../shell/pane.js';
import { INVOICES_BINDINGS, type InvoicesIntent } from './bindings.js';
import { handleInvoices, loadInvoices } from './handle.js';
import { initialInvoicesState, reduceInvoices, type InvoicesAction, type InvoicesState } from './state.js';
import { InvoicesView } from './view.js';

/** Keys that end or edit the filter field; any other key with text types it. */
function typedFilter(state: InvoicesState, key: string, text: string): InvoicesIntent | null {
  const draft = state.filterDraft ?? '';
  if (key === 'enter') return { type: 'filterApply' };
  if (key === 'escape') return { type: 'filterClear' };
  if (key === 'backspace' || key === 'delete') return { type: 'filterType', draft: [...draft].slice(0, -1).join('') };
  if (key === 'space') return { type: 'filterType', draft: `${draft} ` };
  // eslint-disable-next-line no-control-regex
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '');
  return printable ? { type: 'filterType', draft: draft + printable } : null;
}

export const invoicesPane: PaneModule<InvoicesState, InvoicesAction, InvoicesIntent> = {
  id: 'invoices',
  title: 'Invoices',
  initialState: initialInvoicesState,
  reduce: reduceInvoices,
  bindings: INVOICES_BINDINGS,
  // The table's rows: the body less the view tabs (two lines at 80 columns), the status line and
  // the column headings.
  resize: (height) => ({ type: 'resized', viewport: Math.max(1, height - 4) }),
  handle: (intent, env, state) => handleInvoices(intent, env, state),
  load: loadInvoices,
  reloadOn: ['invoices.changed', 'settings.changed', 'sync'],
  typing: (state) => state.filterDraft !== null,
  typed: typedFilter,
  View: InvoicesView,
};

export default invoicesPane;
export type { InvoicesIntent } from './bindings.js';
export type { InvoicesAction, InvoicesState } from './state.js';
