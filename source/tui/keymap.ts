// Key bindings as data: the dispatcher, the footer hints and the `?` overlay all read this one
// table, so what the screen says and what the keys do cannot drift apart.
import type { Key } from './ink.js';

export type UiAction =
  | { type: 'move'; delta: number }
  | { type: 'move-to'; index: 'first' | 'last' }
  | { type: 'toggle-help' }
  | { type: 'close-overlay' }
  | { type: 'refresh' }
  | { type: 'dismiss-problem' }
  | { type: 'quit' };

export type KeyName = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'escape' | 'return' | 'tab';

export interface Binding {
  /** Characters typed, or named keys. */
  keys: readonly (string | { name: KeyName })[];
  /** How the footer shows the keys. */
  label: string;
  description: string;
  action: UiAction;
  /** The footer's short hint; bindings without one show only in the `?` overlay. */
  hint?: string;
}

export const BINDINGS: readonly Binding[] = [
  { keys: [{ name: 'upArrow' }, 'k'], label: '↑/k', description: 'previous vault', action: { type: 'move', delta: -1 }, hint: '↑↓ move' },
  { keys: [{ name: 'downArrow' }, 'j'], label: '↓/j', description: 'next vault', action: { type: 'move', delta: 1 } },
  { keys: [{ name: 'pageUp' }], label: 'PgUp', description: 'up a page', action: { type: 'move', delta: -10 } },
  { keys: [{ name: 'pageDown' }], label: 'PgDn', description: 'down a page', action: { type: 'move', delta: 10 } },
  { keys: [{ name: 'home' }, 'g'], label: 'Home/g', description: 'first vault', action: { type: 'move-to', index: 'first' } },
  { keys: [{ name: 'end' }, 'G'], label: 'End/G', description: 'last vault', action: { type: 'move-to', index: 'last' } },
  { keys: ['r'], label: 'r', description: 'reload from disk', action: { type: 'refresh' }, hint: 'r reload' },
  { keys: ['?'], label: '?', description: 'show or hide these keys', action: { type: 'toggle-help' }, hint: '? keys' },
  { keys: [{ name: 'escape' }], label: 'Esc', description: 'close the overlay', action: { type: 'close-overlay' } },
  // The problem banner shows its own hint while there is one.
  { keys: ['x'], label: 'x', description: 'dismiss the problem shown', action: { type: 'dismiss-problem' } },
  { keys: ['q'], label: 'q', description: 'quit', action: { type: 'quit' }, hint: 'q quit' },
];

function matches(binding: Binding, input: string, key: Key): boolean {
  return binding.keys.some((candidate) =>
    typeof candidate === 'string' ? input === candidate && !key.ctrl && !key.meta : key[candidate.name] === true,
  );
}

/** Which action a key press means, if any. */
export function resolveKey(input: string, key: Key, bindings: readonly Binding[] = BINDINGS): UiAction | undefined {
  return bindings.find((binding) => matches(binding, input, key))?.action;
}
