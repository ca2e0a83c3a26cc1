// What the Invoices pane's intents do: move through pages fetched around the cursor, switch
// views, and send the open invoice through the workflow by the desk's services. Every list read
// is one page of the index (or the sync state's short import lists), never the whole vault.
import { join } from 'node:path';
import type { InvoiceQuery } from '../../../app/invoices.js';
import { UserError } from '../../../domain/errors.js';
import { procoreConfigOf } from '../../../domain/procore-config.js';
import { reprocess } from '../../../sync/reprocess.js';
import type { PaneEnv } from '../../shell/pane.js';
import type { InvoicesIntent } from './bindings.js';
import { detailLines } from './view.js';
import {
  isImportView,
  PAGE_SIZE,
  pageCovers,
  pageOffsetFor,
  queryKeyOf,
  reduceInvoices,
  VIEW_SPECS,
  type ImportRow,
  type InvoicesAction,
  type InvoicesState,
  type ViewId,
} from './state.js';

type Env = PaneEnv<InvoicesAction>;

function needVault(env: Env): string | null {
  return env.vaultId;
}

/** The page query for this state, at `offset`. */
function pageQuery(vault: string, state: InvoicesState, offset: number, limit: number): InvoiceQuery {
  const spec = VIEW_SPECS[state.view].query ?? {};
  return {
    vault,
    ...(spec.status ? { status: spec.status } : {}),
    ...(spec.source ? { source: spec.source } : {}),
    ...(state.filter ? { text: state.filter } : {}),
    sort: state.sort,
    descending: state.descending,
    offset,
    limit,
  };
}

/**
 * The rows the view shows. With `keepId` (a reload after rows were added) the page is wider, from a
 * page before the cursor to one after it, so the selected invoice is found if it moved by up to a
 * page; further than that the page API cannot say where it went, and the cursor keeps its index.
 */
export async function loadRows(env: Env, state: InvoicesState, keepId: string | null = null): Promise<void> {
  const vault = needVault(env);
  if (!vault) return;
  if (isImportView(state.view)) {
    env.dispatch({ type: 'importsLoaded', view: state.view, rows: await importRows(env, vault, state.view) });
    return;
  }
  const offset = keepId ? Math.max(0, state.cursor - PAGE_SIZE) : pageOffsetFor(state.cursor);
  const limit = keepId ? PAGE_SIZE * 2 + 1 : PAGE_SIZE;
  const page = await env.desk.invoices.list(pageQuery(vault, state, offset, limit));
  env.dispatch({ type: 'pageLoaded', queryKey: queryKeyOf(state), offset, rows: page.rows, total: page.total, keepId });
}

async function importRows(env: Env, vault: string, view: ViewId): Promise<ImportRow[]> {
  const sync = await env.desk.imports.syncState(vault);
  const rows: ImportRow[] =
    view === 'waiting'
      ? Object.values(sync.waiting).map((w) => ({ requisitionId: w.requisitionId, projectId: w.projectId, reason: w.reason, attempts: null, nextAt: w.checkedAt }))
      : Object.values(sync.failures).map((f) => ({ requisitionId: f.requisitionId, projectId: f.projectId, reason: f.error, attempts: f.attempts, nextAt: f.nextAttemptAt }));
  return rows.sort((a, b) => a.requisitionId.localeCompare(b.requisitionId, undefined, { numeric: true }));
}

/** Counts per view: statuses from the index's head, the failover by one empty page, imports from the sync state. */
export async function loadCounts(env: Env): Promise<void> {
  const vault = needVault(env);
  if (!vault) return;
  const [summary, failover, sync] = await Promise.all([
    env.desk.vaults.summary(vault),
    env.desk.invoices.list({ vault, status: ['unprocessed'], source: ['procore-auto'], limit: 0 }),
    env.desk.imports.syncState(vault),
  ]);
  env.dispatch({
    type: 'countsLoaded',
    counts: {
      unprocessed: summary.byStatus.unprocessed,
      failover: failover.total,
      pending: summary.byStatus.pending,
      approved: summary.byStatus.approved,
      exported: summary.byStatus.exported,
      paid: summary.byStatus.paid,
      waiting: Object.keys(sync.waiting).length,
      failed: Object.keys(sync.failures).length,
      all: summary.invoices,
    },
  });
}

async function loadActor(env: Env): Promise<void> {
  const vault = needVault(env);
  if (!vault) return;
  const [users, found] = await Promise.all([env.desk.users.list(), env.desk.vaults.get(vault)]);
  const roles = users.find((user) => user.name === env.desk.user)?.roles ?? [];
  env.dispatch({ type: 'actorLoaded', user: { name: env.desk.user, roles }, allowEditImported: procoreConfigOf(found).allowEdit });
}

async function loadDetail(env: Env, id: string): Promise<void> {
  env.dispatch({ type: 'detailLoaded', invoice: await env.desk.invoices.get(id) });
}

/** Everything the pane shows, again: on opening, a vault change, and the desk's change events. */
export async function loadInvoices(env: Env, state: InvoicesState): Promise<void> {
  if (!env.vaultId) {
    env.dispatch({ type: 'loadFailed', error: 'no vault yet — create one from a shell (apdesk vault add NAME --accounting sage300), or the demo (apdesk demo)' });
    return;
  }
  try {
    await Promise.all([
      loadCounts(env),
      loadActor(env),
      loadRows(env, state, state.selectedId),
      state.mode === 'detail' && state.detail ? loadDetail(env, state.detail.id) : Promise.resolve(),
    ]);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    env.dispatch({ type: 'loadFailed', error: error.message });
  }
}

/** Whether a PDF viewer can appear where the clerk is: a local display, and not over SSH. */
export function viewerAvailable(environment: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (environment.SSH_CONNECTION || environment.SSH_TTY) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(environment.DISPLAY || environment.WAYLAND_DISPLAY);
}

/** Applies an action and returns the state it makes, for what the handler does next. */
function step(env: Env, state: InvoicesState, action: InvoicesAction): InvoicesState {
  env.dispatch(action);
  return reduceInvoices(state, action);
}

async function reason(env: Env, title: string): Promise<string | null> {
  const answer = await env.modals.form(title, [{ name: 'reason', label: 'Reason', hint: 'the next person reads it' }]);
  const text = answer?.reason?.trim();
  return text ? text : null;
}

function notifyOutcome(env: Env, outcome: { ok: true; id: string; result: { detail: string; invoice: { status: string } } } | { ok: false; id: string; error: UserError } | undefined): void {
  if (!outcome) return;
  if (outcome.ok) env.notify(`${outcome.id}: ${outcome.result.detail} — now ${outcome.result.invoice.status}`);
  else env.notify(outcome.error.message, 'error');
}

export interface HandleOptions {
  /** Where a viewer could appear (the process's environment by default). */
  environment?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Opens a file in the desktop's viewer (the `open` package by default). */
  openFile?: (path: string) => Promise<unknown>;
}

export async function handleInvoices(intent: InvoicesIntent, env: Env, state: InvoicesState, options: HandleOptions = {}): Promise<void> {
  switch (intent.type) {
    case 'move':
    case 'moveTo':
    case 'page': {
      const action: InvoicesAction = intent.type === 'move' ? { type: 'move', by: intent.by } : intent.type === 'moveTo' ? { type: 'moveTo', where: intent.where } : { type: 'page', direction: intent.direction };
      const next = step(env, state, action);
      if (!pageCovers(next)) await loadRows(env, next);
      return;
    }
    case 'view':
      return loadRows(env, step(env, state, { type: 'view', view: intent.view }));
    case 'filterOpen':
      step(env, state, { type: 'filterOpened' });
      return;
    case 'filterType':
      step(env, state, { type: 'filterTyped', draft: intent.draft });
      return;
    case 'filterApply':
      return loadRows(env, step(env, state, { type: 'filterApplied' }));
    case 'filterClear': {
      const next = step(env, state, { type: 'filterCleared' });
      if (next.queryKey !== state.queryKey) await loadRows(env, next);
      return;
    }
    case 'sortCycle':
      return loadRows(env, step(env, state, { type: 'sortCycled' }));
    case 'sortFlip':
      return loadRows(env, step(env, state, { type: 'sortFlipped' }));
    case 'detailOpen':
      step(env, state, { type: 'detailOpened', id: intent.id });
      return loadDetail(env, intent.id);
    case 'detailClose':
      step(env, state, { type: 'detailClosed' });
      return;
    case 'detailScroll': {
      // The pane's width is the view's; at 80 columns the count is near enough that j after the end does not pile up.
      const invoice = state.detail?.invoice;
      const max = invoice ? Math.max(0, detailLines(invoice, 80).length - state.viewport) : 0;
      step(env, state, { type: 'detailScrolled', by: intent.by, max });
      return;
    }
    case 'validate':
      return notifyOutcome(env, (await env.desk.workflow.validate([intent.id]))[0]);
    case 'route':
      return notifyOutcome(env, (await env.desk.workflow.route([intent.id]))[0]);
    case 'edit':
      env.openPane('entry', { type: 'edit', id: intent.id });
      return;
    case 'approve': {
      const done = await env.desk.workflow.approve(intent.id);
      env.notify(`${intent.id}: ${done.detail} — now ${done.invoice.status}`);
      return;
    }
    case 'reject': {
      const why = await reason(env, `Reject ${intent.id}`);
      if (!why) return env.notify(`${intent.id} not rejected: no reason given`);
      const done = await env.desk.workflow.reject(intent.id, why);
      env.notify(`${intent.id}: ${done.detail} — now ${done.invoice.status}`);
      return;
    }
    case 'hold': {
      const why = await reason(env, `Hold ${intent.id}`);
      if (!why) return env.notify(`${intent.id} not held: no reason given`);
      await env.desk.workflow.hold(intent.id, why);
      env.notify(`${intent.id}: on hold — ${why}`);
      return;
    }
    case 'release': {
      const done = await env.desk.workflow.release(intent.id);
      env.notify(`${intent.id}: released — now ${done.invoice.status}`);
      return;
    }
    case 'export': {
      const vault = env.vaultId;
      if (!vault) return env.notify('export — no vault selected', 'error');
      const done = await env.desk.workflow.export(vault, [intent.id]);
      env.notify(done.file ? `${intent.id}: exported to ${done.file}` : `${intent.id}: nothing exported`);
      return;
    }
    case 'reset': {
      const done = await env.desk.workflow.reset(intent.id);
      env.notify(`${intent.id}: reset for edit — now ${done.invoice.status}`);
      return;
    }
    case 'openPdf': {
      const invoice = state.detail?.invoice?.id === intent.id ? state.detail.invoice : await env.desk.invoices.get(intent.id);
      const document = invoice.attachments.find((attachment) => attachment.role === 'document');
      if (!document) return env.notify(`${intent.id} has no document`, 'error');
      const path = join(env.desk.dataDir, document.path);
      if (viewerAvailable(options.environment, options.platform)) {
        const openFile = options.openFile ?? (async (file: string) => (await import('open')).default(file));
        await openFile(path);
        env.notify(`${intent.id}: opened ${document.name} in the viewer`);
        return;
      }
      await env.modals.message(`The PDF of ${intent.id}`, ['No viewer can open here (no display, or over SSH). Its file:', path]);
      return;
    }
    case 'reprocess': {
      const vault = env.vaultId;
      if (!vault) return env.notify('retry import — no vault selected', 'error');
      const result = await reprocess(env.desk, vault, intent.requisitionId);
      env.notify(result.message, result.state === 'failed' ? 'error' : 'info');
      // The sync state changed without an invoices event when it failed again or still waits.
      await Promise.all([loadCounts(env), loadRows(env, state)]);
      return;
    }
  }
}
