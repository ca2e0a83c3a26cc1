// The Queue pane: where imported Procore invoices go, whether processors may edit them, whether
// payments are written back to Procore, and OK / Cancel, which save or drop the whole page (the
// company chosen in Company and the behaviour chosen in Import Behavior included) with one
// configure call.
import type { ReactElement } from 'react';
import { UserError } from '../../../domain/errors.js';
import { BEHAVIOR_LABELS, type ImportBehavior } from '../../../domain/procore-config.js';
import { JOB_LABELS } from '../../../domain/jobs.js';
import type { PaneBinding, PaneEnv, PaneModule, PaneViewProps } from '../../shell/pane.js';
import type { Line } from '../line.js';
import { loadedPage, pageBlocked, pageStandIn, LinesView, paragraphs, procoreGate, type ProcoreGate } from '../procore-common.js';
import { draftSettings, draftToChanges, emptyDraft, isDirty, reduceDraft, settingsOf, type DraftAction, type ProcoreDraft } from '../procore-draft.js';

/** The rows the cursor moves over, top to bottom. */
export const QUEUE_ROWS = ['company', 'behavior', 'queue', 'allow-edit', 'create-payments', 'ok', 'cancel'] as const;
export type QueueRow = (typeof QUEUE_ROWS)[number];

export interface QueueState {
  loaded: boolean;
  gate: ProcoreGate;
  vaultName: string | null;
  /** The page's unsaved configuration (see procore-draft.ts): held here, for this pane and Import Behavior. */
  draft: ProcoreDraft;
  queues: { id: string; name: string }[];
  backfiller: { configured: boolean; enabled: boolean };
  cursor: number;
  /** What the last save said besides "saved": the configuration's warnings. */
  notices: string[];
}

export type QueueAction =
  | { type: 'loaded'; vaultName: string; gate: ProcoreGate; draft?: DraftAction & { type: 'saved' }; queues?: QueueState['queues']; backfiller?: QueueState['backfiller'] }
  | { type: 'no-vault' }
  | { type: 'draft'; action: DraftAction }
  | { type: 'move'; by: number }
  | { type: 'saved'; notices: string[] };

export type QueueIntent =
  | { type: 'move'; by: number }
  | { type: 'activate'; row: QueueRow }
  | { type: 'ok' }
  | { type: 'cancel' }
  | { type: 'enable-backfiller' }
  /** From Company and Import Behavior (openPane('queue', …)): the choice goes into the draft, unsaved. */
  | { type: 'set-company'; company: { id: string; name: string } }
  | { type: 'set-behavior'; behavior: ImportBehavior };

export const initialQueueState: QueueState = {
  loaded: false,
  gate: null,
  vaultName: null,
  draft: emptyDraft,
  queues: [],
  backfiller: { configured: false, enabled: false },
  cursor: QUEUE_ROWS.indexOf('queue'),
  notices: [],
};

export function reduceQueue(state: QueueState, action: QueueAction): QueueState {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        ...loadedPage(action),
        draft: action.draft ? reduceDraft(state.draft, action.draft) : state.draft,
        queues: action.queues ?? [],
        backfiller: action.backfiller ?? { configured: false, enabled: false },
      };
    case 'no-vault':
      return { ...initialQueueState, loaded: true };
    case 'draft':
      return { ...state, draft: reduceDraft(state.draft, action.action), notices: action.action.type === 'discard' ? [] : state.notices };
    case 'move':
      return { ...state, cursor: Math.min(QUEUE_ROWS.length - 1, Math.max(0, state.cursor + action.by)) };
    case 'saved':
      return { ...state, notices: action.notices };
  }
}

type Ctx = { state: QueueState; vaultId: string | null };

function blocked({ state, vaultId }: Ctx): string | null {
  const page = pageBlocked({ state, vaultId });
  if (page) return page;
  return null;
}

export const PAYMENTS_REQUIREMENT = `Create payments in Procore needs the ${JOB_LABELS['check-backfiller']} job enabled`;

/** Why turning payments on is refused now, or null. */
function paymentsRefusal(state: QueueState): string | null {
  const settings = draftSettings(state.draft);
  if (settings?.createPayments || state.backfiller.enabled) return null;
  return `${PAYMENTS_REQUIREMENT}: it is ${state.backfiller.configured ? 'disabled' : 'not set up'} — press b to enable it`;
}

const rowAt = (state: QueueState): QueueRow => QUEUE_ROWS[state.cursor] ?? 'queue';
const SCOPE = 'pane:queue' as const;

export const queueBindings: readonly PaneBinding<QueueState, QueueIntent>[] = [
  { keys: ['up', 'k'], scope: SCOPE, label: 'up', description: 'Move to the setting above', unavailable: blocked, intent: () => ({ type: 'move', by: -1 }) },
  { keys: ['down', 'j'], scope: SCOPE, label: 'down', description: 'Move to the setting below', unavailable: blocked, intent: () => ({ type: 'move', by: 1 }) },
  {
    keys: ['enter', 'space'],
    scope: SCOPE,
    label: 'change',
    description: 'Change the setting under the cursor (choose the queue, turn an option on or off, OK, Cancel)',
    footer: true,
    unavailable: (ctx) =>
      blocked(ctx) ??
      (rowAt(ctx.state) === 'create-payments'
        ? paymentsRefusal(ctx.state)
        : rowAt(ctx.state) === 'queue' && !ctx.state.queues.length
          ? 'the vault has no queues yet — add one first'
          : ['ok', 'cancel'].includes(rowAt(ctx.state)) && !isDirty(ctx.state.draft)
            ? 'nothing changed'
            : null),
    intent: ({ state }) => ({ type: 'activate', row: rowAt(state) }),
  },
  {
    keys: ['o'],
    scope: SCOPE,
    label: 'OK',
    description: 'OK: save the whole Procore configuration (company, behaviour, queue, options) at once',
    footer: true,
    unavailable: (ctx) => blocked(ctx) ?? (isDirty(ctx.state.draft) ? null : 'nothing changed'),
    intent: () => ({ type: 'ok' }),
  },
  {
    keys: ['c'],
    scope: SCOPE,
    label: 'cancel',
    description: 'Cancel: drop the unsaved changes (company, behaviour, queue, options)',
    footer: true,
    unavailable: (ctx) => blocked(ctx) ?? (isDirty(ctx.state.draft) ? null : 'nothing changed'),
    intent: () => ({ type: 'cancel' }),
  },
  {
    keys: ['b'],
    scope: SCOPE,
    label: 'enable backfiller',
    description: `Enable the ${JOB_LABELS['check-backfiller']} job (Create payments in Procore needs it)`,
    unavailable: (ctx) => blocked(ctx) ?? (ctx.state.backfiller.enabled ? 'the backfiller job is already enabled' : null),
    intent: () => ({ type: 'enable-backfiller' }),
  },
];

export async function loadQueue(env: PaneEnv<QueueAction>): Promise<void> {
  if (env.vaultId === null) return env.dispatch({ type: 'no-vault' });
  const vault = await env.desk.vaults.get(env.vaultId);
  const gate = procoreGate(vault);
  if (gate) return env.dispatch({ type: 'loaded', vaultName: vault.name, gate });
  const view = await env.desk.procore.view(vault.id);
  const job = (await env.desk.jobs.list(vault.id)).find((candidate) => candidate.kind === 'check-backfiller');
  env.dispatch({
    type: 'loaded',
    vaultName: vault.name,
    gate: null,
    draft: { type: 'saved', settings: settingsOf(view.config) },
    queues: vault.queues.map((queue) => ({ id: queue.id, name: queue.name })),
    backfiller: { configured: job !== undefined, enabled: job?.enabled ?? false },
  });
}

function requireVaultId(env: PaneEnv<QueueAction>): string {
  if (env.vaultId === null) throw new UserError('no vault yet: create one first (Vaults)');
  return env.vaultId;
}

async function save(env: PaneEnv<QueueAction>, state: QueueState): Promise<void> {
  const vault = requireVaultId(env);
  if (!isDirty(state.draft)) return;
  const outcome = await env.desk.procore.configure({ vault, ...draftToChanges(state.draft) });
  env.dispatch({ type: 'loaded', vaultName: outcome.vault.name, gate: null, draft: { type: 'saved', settings: settingsOf(outcome.config) }, queues: state.queues, backfiller: state.backfiller });
  env.dispatch({ type: 'draft', action: { type: 'discard' } });
  const notices = outcome.warnings.map((warning) => warning.message);
  // The page's "run cloud sync service": an automated import saved while no loop runs says so.
  const lease = outcome.config.behavior === 'manual' ? null : await env.desk.sync.leaseHolder();
  if (outcome.config.behavior !== 'manual' && (!lease || lease.expired)) {
    notices.push('The cloud sync is not running: nothing imports until it runs — start it in 7 Sync & Jobs (s), or with apdesk sync.');
  }
  env.dispatch({ type: 'saved', notices });
  env.notify(`Saved the Procore configuration of vault '${outcome.vault.name}'${notices.length ? ` — ${notices.length} warning${notices.length === 1 ? '' : 's'} below` : ''}.`);
}

async function activate(env: PaneEnv<QueueAction>, state: QueueState, row: QueueRow): Promise<void> {
  switch (row) {
    case 'company':
      return env.openPane('company');
    case 'behavior':
      return env.openPane('behavior');
    case 'queue': {
      const current = draftSettings(state.draft)?.queueId ?? null;
      const chosen = await env.modals.pick(
        'Queue for imported Procore invoices',
        state.queues.map((queue) => ({ label: `${queue.id === current ? '●' : '○'} ${queue.name}`, value: queue.id })),
        { initial: Math.max(0, state.queues.findIndex((queue) => queue.id === current)) },
      );
      if (chosen !== null) env.dispatch({ type: 'draft', action: { type: 'set-queue', queueId: chosen } });
      return;
    }
    case 'allow-edit':
      return env.dispatch({ type: 'draft', action: { type: 'toggle-allow-edit' } });
    case 'create-payments': {
      const refusal = paymentsRefusal(state);
      if (refusal) throw new UserError(refusal);
      return env.dispatch({ type: 'draft', action: { type: 'toggle-create-payments' } });
    }
    case 'ok':
      return save(env, state);
    case 'cancel':
      return discard(env, state);
  }
}

function discard(env: PaneEnv<QueueAction>, state: QueueState): void {
  if (!isDirty(state.draft)) return;
  env.dispatch({ type: 'draft', action: { type: 'discard' } });
  env.notify('Discarded the unsaved Procore configuration; nothing was saved.');
}

export async function handleQueue(intent: QueueIntent, env: PaneEnv<QueueAction>, state: QueueState): Promise<void> {
  switch (intent.type) {
    case 'move':
      return env.dispatch({ type: 'move', by: intent.by });
    case 'activate':
      return activate(env, state, intent.row);
    case 'ok':
      return save(env, state);
    case 'cancel':
      return discard(env, state);
    case 'enable-backfiller': {
      const vault = requireVaultId(env);
      await env.desk.jobs.set({ vault, kind: 'check-backfiller', enabled: true });
      env.notify(`Enabled the ${JOB_LABELS['check-backfiller']} job: Create payments in Procore can be turned on.`);
      return loadQueue(env);
    }
    case 'set-company':
      env.dispatch({ type: 'draft', action: { type: 'set-company', company: intent.company } });
      env.notify(`Company '${intent.company.name}' chosen, not saved yet: OK (o) saves the page, Cancel (c) drops it.`);
      return;
    case 'set-behavior':
      env.dispatch({ type: 'draft', action: { type: 'set-behavior', behavior: intent.behavior } });
      env.notify(`${BEHAVIOR_LABELS[intent.behavior]} chosen, not saved yet: OK (o) saves the page, Cancel (c) drops it.`);
      return;
  }
}

const box = (on: boolean) => (on ? '[x]' : '[ ]');

export function QueueView({ state, width, height, vaultId, focused }: PaneViewProps<QueueState>): ReactElement {
  const standIn = pageStandIn({ state, vaultId, width, height });
  if (standIn) return standIn;
  const settings = draftSettings(state.draft);
  if (!settings) return <LinesView lines={[[{ text: 'Loading…', dim: true }]]} width={width} height={height} />;
  const changed = state.draft.changes;
  const dirty = isDirty(state.draft);
  const queueName = state.queues.find((queue) => queue.id === settings.queueId)?.name ?? 'none chosen';
  // The cursor is a '>' as well as inverse video: readable with NO_COLOR.
  const row = (name: QueueRow, pieces: Line): Line => {
    const here = focused && QUEUE_ROWS[state.cursor] === name;
    return [{ text: here ? '> ' : '  ', bold: here }, ...pieces];
  };
  const mark = (key: keyof typeof changed): Line => (key in changed ? [{ text: ' *', bold: true }] : []);
  const lines: Line[] = [
    [{ text: `Procore configuration of ${state.vaultName}`, bold: true }, { text: dirty ? '  — unsaved changes' : '' }],
    [],
    row('company', [{ text: 'Company           ' }, { text: settings.company ? `${settings.company.name} (${settings.company.id})` : 'none chosen — Enter picks one' }, ...mark('company')]),
    row('behavior', [{ text: 'Import behaviour  ' }, { text: BEHAVIOR_LABELS[settings.behavior] }, ...mark('behavior')]),
    row('queue', [{ text: 'Queue             ' }, { text: queueName }, ...mark('queueId')]),
    row('allow-edit', [{ text: `${box(settings.allowEdit)} Allow edit of imported Procore invoices` }, ...mark('allowEdit')]),
    row('create-payments', [{ text: `${box(settings.createPayments)} Create payments in Procore` }, ...mark('createPayments')]),
    ...paragraphs(
      [
        `${PAYMENTS_REQUIREMENT}: ${state.backfiller.enabled ? 'it is enabled.' : `it is ${state.backfiller.configured ? 'disabled' : 'not set up'} — press b to enable it.`}`,
      ],
      Math.max(1, width - 4),
    ).map((line) => [{ text: '    ' }, ...line.map((piece) => ({ ...piece, dim: state.backfiller.enabled }))]),
    [],
    [...row('ok', [{ text: '[ OK ]', bold: dirty }]), { text: '   ' }, { text: focused && QUEUE_ROWS[state.cursor] === 'cancel' ? '> ' : '  ' }, { text: '[ Cancel ]', bold: dirty }],
    paragraphs([dirty ? '* changed, not saved: OK (o) saves the page; Cancel (c) drops the changes.' : 'Nothing changed.'], width, { dim: true })[0]!,
  ];
  if (state.notices.length) {
    lines.push([], [{ text: 'Saved, with warnings:', bold: true }], ...paragraphs(state.notices.map((notice) => `! ${notice}`), width));
  }
  return <LinesView lines={lines} width={width} height={height} />;
}

export const queuePane: PaneModule<QueueState, QueueAction, QueueIntent> = {
  id: 'queue',
  title: 'Queue',
  initialState: initialQueueState,
  reduce: reduceQueue,
  bindings: queueBindings,
  handle: handleQueue,
  load: (env) => loadQueue(env),
  reloadOn: ['settings.changed'],
  View: QueueView,
};
