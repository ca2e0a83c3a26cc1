// The Invoices pane's keys as data: what each does, when it cannot (said per status, in the
// clerk's words), and which must be confirmed because they cannot be undone.
import { editRefusal } from '../../../domain/workflow.js';
import { ROUTABLE_STATUSES } from '../../../domain/workflow.js';
import type { Invoice } from '../../../domain/invoice.js';
import type { BindingContext, PaneBinding } from '../../shell/pane.js';
import { isImportView, selectedImport, selectedRow, VIEWS, type InvoicesState, type ViewId } from './state.js';

export type InvoicesIntent =
  | { type: 'move'; by: number }
  | { type: 'moveTo'; where: 'start' | 'end' }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'view'; view: ViewId }
  | { type: 'filterOpen' }
  | { type: 'filterType'; draft: string }
  | { type: 'filterApply' }
  | { type: 'filterClear' }
  | { type: 'sortCycle' }
  | { type: 'sortFlip' }
  | { type: 'detailOpen'; id: string }
  | { type: 'detailClose' }
  | { type: 'detailScroll'; by: number }
  | { type: 'validate'; id: string }
  | { type: 'route'; id: string }
  | { type: 'edit'; id: string }
  | { type: 'approve'; id: string }
  | { type: 'reject'; id: string }
  | { type: 'hold'; id: string }
  | { type: 'release'; id: string }
  | { type: 'export'; id: string }
  | { type: 'reset'; id: string }
  | { type: 'openPdf'; id: string }
  | { type: 'reprocess'; requisitionId: string };

type Ctx = BindingContext<InvoicesState>;
type B = PaneBinding<InvoicesState, InvoicesIntent>;

const SCOPE = 'pane:invoices' as const;

/** The invoice the keys act on: the open one, else the row under the cursor. */
function target(ctx: Ctx): { id: string; status: Invoice['status']; source: Invoice['source']['kind']; vaultId: string; invoice: Invoice | null } | null {
  const { state } = ctx;
  if (state.mode === 'detail' && state.detail) {
    const invoice = state.detail.invoice;
    const row = selectedRow(state);
    if (invoice) return { id: invoice.id, status: invoice.status, source: invoice.source.kind, vaultId: invoice.vaultId, invoice };
    if (row && row.id === state.detail.id) return { id: row.id, status: row.status, source: row.source, vaultId: row.vaultId, invoice: null };
    return null;
  }
  const row = selectedRow(state);
  return row ? { id: row.id, status: row.status, source: row.source, vaultId: row.vaultId, invoice: null } : null;
}

const targetId = (ctx: Ctx): string => target(ctx)?.id ?? '';

/** Null when an invoice is selected, else why the key has nothing to act on. */
function noInvoice(ctx: Ctx, verb: string): string | null {
  if (isImportView(ctx.state.view)) return `${verb} — this view lists imports, not invoices`;
  return target(ctx) ? null : `${verb} — no invoice selected`;
}

/** One rule for every invoice action: an invoice must be selected, then the status must fit. */
function invoiceAction(verb: string, why: (t: NonNullable<ReturnType<typeof target>>, ctx: Ctx) => string | null) {
  return (ctx: Ctx): string | null => noInvoice(ctx, verb) ?? why(target(ctx)!, ctx);
}

const inList = (ctx: Ctx) => ctx.state.mode === 'list';
const listOnly = (verb: string) => (ctx: Ctx) => (inList(ctx) ? null : `${verb} — Esc back to the list first`);

function editUnavailable(t: NonNullable<ReturnType<typeof target>>, ctx: Ctx): string | null {
  const user = ctx.state.user;
  if (!user) return 'edit — still reading who you are';
  // editRefusal reads only the id, status, source and vault: the index row carries them.
  const shape = t.invoice ?? ({ id: t.id, status: t.status, source: { kind: t.source }, vaultId: t.vaultId } as unknown as Invoice);
  const refusal = editRefusal(shape, user, ctx.state.allowEditImported);
  if (!refusal) return null;
  return `edit — read-only because ${refusal.message.replace(/^invoice \S+ /, 'it ')}`;
}

function viewStep(ctx: Ctx, step: 1 | -1): ViewId {
  const at = VIEWS.indexOf(ctx.state.view);
  return VIEWS[(at + step + VIEWS.length) % VIEWS.length]!;
}

export const INVOICES_BINDINGS: readonly B[] = [
  { keys: ['down', 'j'], scope: SCOPE, label: 'down', description: 'Next row (in the detail: scroll down)', intent: (ctx) => (inList(ctx) ? { type: 'move', by: 1 } : { type: 'detailScroll', by: 1 }) },
  { keys: ['up', 'k'], scope: SCOPE, label: 'up', description: 'Previous row (in the detail: scroll up)', intent: (ctx) => (inList(ctx) ? { type: 'move', by: -1 } : { type: 'detailScroll', by: -1 }) },
  {
    keys: ['pagedown'],
    scope: SCOPE,
    label: 'page down',
    description: 'A screen further down',
    intent: (ctx) => (inList(ctx) ? { type: 'page', direction: 1 } : { type: 'detailScroll', by: ctx.state.viewport }),
  },
  {
    keys: ['pageup'],
    scope: SCOPE,
    label: 'page up',
    description: 'A screen further up',
    intent: (ctx) => (inList(ctx) ? { type: 'page', direction: -1 } : { type: 'detailScroll', by: -ctx.state.viewport }),
  },
  { keys: ['home', 'g'], scope: SCOPE, label: 'first', description: 'First row (in the detail: its top)', intent: (ctx) => (inList(ctx) ? { type: 'moveTo', where: 'start' } : { type: 'detailScroll', by: -Infinity }) },
  { keys: ['end', 'G'], scope: SCOPE, label: 'last', description: 'Last row (in the detail: its end)', intent: (ctx) => (inList(ctx) ? { type: 'moveTo', where: 'end' } : { type: 'detailScroll', by: Infinity }) },
  { keys: [']'], scope: SCOPE, label: 'next view', description: 'Next view (unprocessed, failover, pending … failed imports, all)', footer: true, intent: (ctx) => ({ type: 'view', view: viewStep(ctx, 1) }) },
  { keys: ['['], scope: SCOPE, label: 'prev view', description: 'Previous view', intent: (ctx) => ({ type: 'view', view: viewStep(ctx, -1) }) },
  {
    keys: ['/'],
    scope: SCOPE,
    label: 'filter',
    description: 'Filter by id, vendor, invoice number or description (Enter applies, Esc clears)',
    footer: true,
    unavailable: (ctx) => listOnly('filter')(ctx) ?? (isImportView(ctx.state.view) ? 'filter — the imports lists are short and not filtered' : null),
    intent: () => ({ type: 'filterOpen' }),
  },
  {
    keys: ['s'],
    scope: SCOPE,
    label: 'sort',
    description: 'Sort by the next column (age, id, vendor, number, amount, job, status, updated)',
    unavailable: (ctx) => listOnly('sort')(ctx) ?? (isImportView(ctx.state.view) ? 'sort — the imports lists are in requisition order' : null),
    intent: () => ({ type: 'sortCycle' }),
  },
  {
    keys: ['S'],
    scope: SCOPE,
    label: 'reverse',
    description: 'Reverse the sort',
    unavailable: (ctx) => listOnly('reverse')(ctx) ?? (isImportView(ctx.state.view) ? 'reverse — the imports lists are in requisition order' : null),
    intent: () => ({ type: 'sortFlip' }),
  },
  {
    keys: ['enter'],
    scope: SCOPE,
    label: 'open',
    description: 'Open the invoice: lines, reviewers, validation, files, Procore, payments, audit',
    footer: true,
    unavailable: (ctx) => listOnly('open')(ctx) ?? noInvoice(ctx, 'open'),
    intent: (ctx) => ({ type: 'detailOpen', id: targetId(ctx) }),
  },
  {
    keys: ['escape'],
    scope: SCOPE,
    label: 'back',
    description: 'Back to the list',
    footer: true,
    unavailable: (ctx) => (ctx.state.mode === 'detail' ? null : 'back — already at the list'),
    intent: () => ({ type: 'detailClose' }),
  },
  {
    keys: ['v'],
    scope: SCOPE,
    label: 'validate',
    description: 'Validate the invoice against the ledger and rules',
    unavailable: invoiceAction('validate', (t) => (t.status === 'exported' || t.status === 'paid' ? `validate — ${t.status} invoices are settled` : null)),
    intent: (ctx) => ({ type: 'validate', id: targetId(ctx) }),
  },
  {
    keys: ['R'],
    scope: SCOPE,
    label: 'route',
    description: 'Route to reviewers (validated first; stays in the queue with why if it cannot)',
    footer: true,
    unavailable: invoiceAction('route', (t) => (ROUTABLE_STATUSES.includes(t.status) ? null : `route — only unprocessed, incomplete or rejected invoices (this one is ${t.status})`)),
    intent: (ctx) => ({ type: 'route', id: targetId(ctx) }),
  },
  {
    keys: ['e'],
    scope: SCOPE,
    label: 'edit',
    description: 'Edit in Invoice Entry',
    footer: true,
    unavailable: invoiceAction('edit', editUnavailable),
    intent: (ctx) => ({ type: 'edit', id: targetId(ctx) }),
  },
  {
    keys: ['a'],
    scope: SCOPE,
    label: 'approve',
    description: 'Approve your lines, as a reviewer',
    footer: true,
    unavailable: invoiceAction('approve', (t) => (t.status === 'pending' ? null : 'approve — not pending')),
    intent: (ctx) => ({ type: 'approve', id: targetId(ctx) }),
  },
  {
    keys: ['n'],
    scope: SCOPE,
    label: 'reject',
    description: 'Reject your lines, with a reason for the processor',
    unavailable: invoiceAction('reject', (t) => (t.status === 'pending' ? null : 'reject — not pending')),
    intent: (ctx) => ({ type: 'reject', id: targetId(ctx) }),
  },
  {
    keys: ['h'],
    scope: SCOPE,
    label: 'hold',
    description: 'Put on hold, with a reason: nothing moves it until released',
    unavailable: invoiceAction('hold', (t) =>
      t.status === 'on-hold' ? 'hold — already on hold' : t.status === 'exported' || t.status === 'paid' ? `hold — ${t.status}; only invoices not yet exported` : null,
    ),
    intent: (ctx) => ({ type: 'hold', id: targetId(ctx) }),
  },
  {
    keys: ['u'],
    scope: SCOPE,
    label: 'release',
    description: 'Release from hold, back to the status it had',
    unavailable: invoiceAction('release', (t) => (t.status === 'on-hold' ? null : 'release — not on hold')),
    intent: (ctx) => ({ type: 'release', id: targetId(ctx) }),
  },
  {
    keys: ['E'],
    scope: SCOPE,
    label: 'export',
    description: 'Export to the accounting system (cannot be undone)',
    footer: true,
    unavailable: invoiceAction('export', (t) => (t.status === 'approved' ? null : 'export — only approved invoices')),
    confirm: (ctx) => `Export ${targetId(ctx)} to the accounting system? This cannot be undone.`,
    intent: (ctx) => ({ type: 'export', id: targetId(ctx) }),
  },
  {
    keys: ['z'],
    scope: SCOPE,
    label: 'reset',
    description: 'Reset an exported invoice for edit (it must be exported again)',
    unavailable: invoiceAction('reset', (t) => (t.status === 'exported' ? null : 'reset — only exported invoices')),
    confirm: (ctx) => `Reset ${targetId(ctx)} for edit? It leaves exported and must be exported again.`,
    intent: (ctx) => ({ type: 'reset', id: targetId(ctx) }),
  },
  {
    keys: ['p'],
    scope: SCOPE,
    label: 'PDF',
    description: 'Open the PDF in a viewer, or show its path when no viewer can be here (SSH, no display)',
    unavailable: invoiceAction('PDF', (t) => (t.invoice && !t.invoice.attachments.some((a) => a.role === 'document') ? 'PDF — this invoice has no document' : null)),
    intent: (ctx) => ({ type: 'openPdf', id: targetId(ctx) }),
  },
  {
    keys: ['t'],
    scope: SCOPE,
    label: 'retry import',
    description: 'Try a waiting or failed import again now',
    footer: true,
    unavailable: (ctx) =>
      !isImportView(ctx.state.view) ? 'retry import — only in the waiting and failed imports views' : selectedImport(ctx.state) ? null : 'retry import — no import selected',
    intent: (ctx) => ({ type: 'reprocess', requisitionId: selectedImport(ctx.state)?.requisitionId ?? '' }),
  },
];
