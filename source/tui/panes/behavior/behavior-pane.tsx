// The Import Behavior pane: the three ways Procore invoices come in, what each does, the saved one
// marked, and what keeps an automated one from importing (no cloud-sync licence, no sync running).
// Choosing does not save: the choice goes to the Queue pane's draft, whose OK saves the page.
import type { ReactElement } from 'react';
import { BEHAVIOR_LABELS, IMPORT_BEHAVIORS, type ImportBehavior } from '../../../domain/procore-config.js';
import { hasLicence } from '../../../domain/vault.js';
import type { PaneBinding, PaneEnv, PaneModule, PaneViewProps } from '../../shell/pane.js';
import type { Line } from '../line.js';
import { loadedPage, pageBlocked, pageStandIn, LinesView, paragraphs, procoreGate, type ProcoreGate } from '../procore-common.js';

/** What each behaviour does, as the configuration page explains it. */
export const BEHAVIOR_EXPLANATIONS: Record<ImportBehavior, string> = {
  'auto-queue':
    'Procore subcontractor invoices come into the chosen queue once they are Approved in Procore. An invoice must have a file attached to import; all its files are combined into one document.',
  'auto-route':
    'Imports as above, then routes each invoice. Routing needs the invoice to pass validation and every line to get a reviewer from the routing rules; if validation fails or a line has none, the invoice stays in the chosen queue.',
  manual:
    "A processor opens Invoice Entry and picks an approved Procore invoice with Procore Import, which fills the form. The invoice's files in Procore are not imported this way. Works without the cloud sync running.",
};

/** The page's notes under the choices: which behaviours each concerns. */
export const BEHAVIOR_NOTES: { text: string; applies: (behavior: ImportBehavior) => boolean }[] = [
  {
    text: "DocuSign documents linked to an invoice cannot be read from Procore and are not imported: add the downloaded document to the invoice's attachments in Procore, or use Manual Import (the document in your queue, then Procore Import).",
    applies: (behavior) => behavior !== 'manual',
  },
  {
    text: "Vendor and commitment in Procore must match valid values in the accounting system, or the invoice fails validation here.",
    applies: () => true,
  },
];

export interface BehaviorState {
  loaded: boolean;
  gate: ProcoreGate;
  vaultName: string | null;
  saved: ImportBehavior | null;
  cursor: number;
  cloudSyncLicence: boolean;
  syncRunning: boolean;
  /** The desk's line on whether this vault's invoices import now, and why not. */
  importState: string | null;
}

export type BehaviorAction =
  | { type: 'loaded'; vaultName: string; gate: ProcoreGate; saved?: ImportBehavior; cloudSyncLicence?: boolean; syncRunning?: boolean; importState?: string | null }
  | { type: 'no-vault' }
  | { type: 'move'; by: number };

export type BehaviorIntent = { type: 'move'; by: number } | { type: 'choose'; behavior: ImportBehavior };

export const initialBehaviorState: BehaviorState = {
  loaded: false,
  gate: null,
  vaultName: null,
  saved: null,
  cursor: 0,
  cloudSyncLicence: false,
  syncRunning: false,
  importState: null,
};

export function reduceBehavior(state: BehaviorState, action: BehaviorAction): BehaviorState {
  switch (action.type) {
    case 'loaded': {
      const saved = action.saved ?? null;
      // The cursor starts on the saved behaviour; later reloads leave it where the user put it.
      const cursor = state.loaded || saved === null ? state.cursor : IMPORT_BEHAVIORS.indexOf(saved);
      return {
        ...state,
        ...loadedPage(action),
        saved,
        cursor,
        cloudSyncLicence: action.cloudSyncLicence ?? false,
        syncRunning: action.syncRunning ?? false,
        importState: action.importState ?? null,
      };
    }
    case 'no-vault':
      return { ...initialBehaviorState, loaded: true };
    case 'move':
      return { ...state, cursor: Math.min(IMPORT_BEHAVIORS.length - 1, Math.max(0, state.cursor + action.by)) };
  }
}

type Ctx = { state: BehaviorState; vaultId: string | null };

function blocked({ state, vaultId }: Ctx): string | null {
  const page = pageBlocked({ state, vaultId });
  if (page) return page;
  return null;
}

const SCOPE = 'pane:behavior' as const;
const under = (state: BehaviorState): ImportBehavior => IMPORT_BEHAVIORS[state.cursor] ?? 'auto-queue';

export const behaviorBindings: readonly PaneBinding<BehaviorState, BehaviorIntent>[] = [
  { keys: ['up', 'k'], scope: SCOPE, label: 'up', description: 'Move to the behaviour above', unavailable: blocked, intent: () => ({ type: 'move', by: -1 }) },
  { keys: ['down', 'j'], scope: SCOPE, label: 'down', description: 'Move to the behaviour below', unavailable: blocked, intent: () => ({ type: 'move', by: 1 }) },
  {
    keys: ['enter', 'space'],
    scope: SCOPE,
    label: 'choose',
    description: 'Choose this behaviour; OK in the Queue pane saves it with the rest of the page',
    footer: true,
    unavailable: blocked,
    intent: ({ state }) => ({ type: 'choose', behavior: under(state) }),
  },
];

export async function loadBehavior(env: PaneEnv<BehaviorAction>): Promise<void> {
  if (env.vaultId === null) return env.dispatch({ type: 'no-vault' });
  const vault = await env.desk.vaults.get(env.vaultId);
  const gate = procoreGate(vault);
  if (gate) return env.dispatch({ type: 'loaded', vaultName: vault.name, gate });
  const [view, status] = await Promise.all([env.desk.procore.view(vault.id), env.desk.status.desk()]);
  env.dispatch({
    type: 'loaded',
    vaultName: vault.name,
    gate: null,
    saved: view.config.behavior,
    cloudSyncLicence: hasLicence(vault, 'cloud-sync'),
    syncRunning: status.sync !== null && !status.sync.expired,
    importState: status.imports.find((line) => line.vaultId === vault.id)?.state ?? null,
  });
}

export async function handleBehavior(intent: BehaviorIntent, env: PaneEnv<BehaviorAction>): Promise<void> {
  switch (intent.type) {
    case 'move':
      return env.dispatch({ type: 'move', by: intent.by });
    case 'choose':
      // The Queue pane holds the page's draft (procore-draft.ts): the choice waits there for OK.
      env.openPane('queue', { type: 'set-behavior', behavior: intent.behavior });
      return;
  }
}

/** What stands between an automated behaviour and invoices coming in, in the page's words. */
export function behaviorWarnings(state: BehaviorState, behavior: ImportBehavior): string[] {
  if (behavior === 'manual') return [];
  // The behaviour's name is the heading above these lines: they start with what is missing.
  if (!state.cloudSyncLicence && !state.syncRunning) {
    return ['Needs the cloud-sync licence (an admin grants it) and the cloud sync running (7 Sync & Jobs, s): nothing imports until then. Manual Import needs neither.'];
  }
  if (!state.cloudSyncLicence) return ['Needs the cloud-sync licence: nothing imports until an admin grants it. Manual Import works without it.'];
  if (!state.syncRunning) return ['The cloud sync is not running: nothing imports until it runs — start it in 7 Sync & Jobs (s), or with apdesk sync.'];
  return [];
}

export function BehaviorView({ state, width, height, vaultId, focused }: PaneViewProps<BehaviorState>): ReactElement {
  const standIn = pageStandIn({ state, vaultId, width, height });
  if (standIn) return standIn;
  const lines: Line[] = [[{ text: `Import behaviour of ${state.vaultName}`, bold: true }]];
  IMPORT_BEHAVIORS.forEach((behavior, index) => {
    const here = focused && index === state.cursor;
    // ● marks the saved behaviour and '>' the cursor: both readable with NO_COLOR.
    lines.push([
      { text: here ? '> ' : '  ', bold: here },
      { text: behavior === state.saved ? '● ' : '○ ' },
      { text: BEHAVIOR_LABELS[behavior], bold: behavior === state.saved },
      { text: behavior === 'auto-queue' ? ' (default)' : '' },
      { text: behavior === state.saved ? ' — saved' : '', dim: true },
    ]);
  });
  // The behaviour under the cursor, explained in full with the notes that concern it: all three
  // at once do not fit 80×24.
  const under = IMPORT_BEHAVIORS[state.cursor] ?? 'auto-queue';
  const warnings = behaviorWarnings(state, under);
  lines.push([], [{ text: `${BEHAVIOR_LABELS[under]}:`, bold: true }], ...paragraphs([BEHAVIOR_EXPLANATIONS[under]], width));
  if (warnings.length) lines.push(...paragraphs(warnings.map((warning) => `! ${warning}`), width));
  else if (state.importState) lines.push(...paragraphs([`Now: ${state.importState}`], width, { dim: true }));
  lines.push(...paragraphs(BEHAVIOR_NOTES.filter((note) => note.applies(under)).map((note) => `Note: ${note.text}`), width, { dim: true }));
  return <LinesView lines={lines} width={width} height={height} />;
}

export const behaviorPane: PaneModule<BehaviorState, BehaviorAction, BehaviorIntent> = {
  id: 'behavior',
  title: 'Import Behavior',
  initialState: initialBehaviorState,
  reduce: reduceBehavior,
  bindings: behaviorBindings,
  handle: (intent, env) => handleBehavior(intent, env),
  load: (env) => loadBehavior(env),
  reloadOn: ['settings.changed'],
  View: BehaviorView,
};
