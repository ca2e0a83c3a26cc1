// Vaults: every vault of the data dir with its licences, queues and counts per status — the
// console's first view of a data dir. `v` (anywhere) makes another vault the one the panes work on.
import type { VaultSummary } from '../../../app/summary.js';
import { Text } from '../../ink.js';
import type { PaneBinding, PaneModule } from '../../shell/pane.js';
import { VaultsPane } from './view.js';

export interface VaultsState {
  vaults: readonly VaultSummary[] | null;
  selected: number;
}

export type VaultsAction = { type: 'loaded'; vaults: readonly VaultSummary[] } | { type: 'move'; delta: number } | { type: 'move-to'; index: 'first' | 'last' };

export function reduceVaults(state: VaultsState, action: VaultsAction): VaultsState {
  const count = action.type === 'loaded' ? action.vaults.length : (state.vaults?.length ?? 0);
  const clamp = (index: number) => Math.max(0, Math.min(index, Math.max(count - 1, 0)));
  switch (action.type) {
    case 'loaded':
      return { vaults: action.vaults, selected: clamp(state.selected) };
    case 'move':
      return { ...state, selected: clamp(state.selected + action.delta) };
    case 'move-to':
      return { ...state, selected: action.index === 'first' ? 0 : clamp(count - 1) };
  }
}

const move = (keys: string[], description: string, action: VaultsAction): PaneBinding<VaultsState, VaultsAction> => ({
  keys,
  scope: 'pane:vaults',
  label: 'move',
  description,
  intent: () => action,
});

export const vaultsPane: PaneModule<VaultsState, VaultsAction, VaultsAction | { type: 'reload' }> = {
  id: 'vaults',
  title: 'Vaults',
  initialState: { vaults: null, selected: 0 },
  reduce: reduceVaults,
  bindings: [
    move(['up', 'k'], 'previous vault', { type: 'move', delta: -1 }),
    move(['down', 'j'], 'next vault', { type: 'move', delta: 1 }),
    move(['pageup'], 'up a page', { type: 'move', delta: -10 }),
    move(['pagedown'], 'down a page', { type: 'move', delta: 10 }),
    move(['home', 'g'], 'first vault', { type: 'move-to', index: 'first' }),
    move(['end', 'G'], 'last vault', { type: 'move-to', index: 'last' }),
    { keys: ['r'], scope: 'pane:vaults', label: 'reload', description: 'read the vaults again', footer: true, intent: () => ({ type: 'reload' }) },
  ],
  reloadOn: ['invoices.changed', 'settings.changed'],
  async load(env) {
    env.dispatch({ type: 'loaded', vaults: await env.desk.status.vaults() });
  },
  async handle(intent, env, state) {
    if (intent.type === 'reload') return vaultsPane.load!(env, state);
    env.dispatch(intent);
  },
  View: ({ state, width, height }) => (state.vaults === null ? <Text dimColor>Loading…</Text> : <VaultsPane vaults={state.vaults} selected={state.selected} height={height} width={width} />),
};
