// Key bindings as data, for every pane and modal: the dispatcher, the footer and the `?` help all
// read the same table, so what the screen says and what the keys do cannot drift apart. A binding
// names its keys, where it applies, when it is unavailable (and why), whether it must be confirmed
// (it cannot be undone), and the intent it sends.
import type { Key } from '../ink.js';

/**
 * A key as the tables name it: a character ('j', '/', '?', 'G', '1'), or a named key ('up', 'down',
 * 'pageup', 'pagedown', 'home', 'end', 'enter', 'escape', 'tab', 'shift-tab', 'backspace',
 * 'delete', 'left', 'right', 'space'), 'ctrl-' and a letter ('ctrl-c'), or 'paste' (several characters
 * at once).
 */
export type KeyName = string;

/** Where a binding applies: everywhere, in one pane, or in one kind of modal (then only there). */
export type Scope = 'global' | `pane:${string}` | `modal:${string}`;

export interface Binding<Ctx, Intent> {
  keys: readonly KeyName[];
  scope: Scope;
  /** Short, for the footer: "route". */
  label: string;
  /** What it does, for `?`. */
  description: string;
  /** Shown in the footer (the pane's main keys); every binding is in `?`. */
  footer?: boolean;
  /** Null when the key can act now; otherwise why not, said by `?` (key absent) and when the key is pressed. */
  unavailable?: (ctx: Ctx, key?: KeyName) => string | null;
  /** Asked before acting, for what cannot be undone: the question ("Export 3 invoices?"). */
  confirm?: (ctx: Ctx) => string;
  /** What the key asks for (given the key, for a binding of several: 1–9): the pane acts on it. */
  intent: (ctx: Ctx, key: KeyName) => Intent;
}

/** The table's name for an Ink key press. */
export function keyName(input: string, key: Key): KeyName | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace) return 'backspace';
  if (key.delete) return 'delete';
  if (key.ctrl && input) return `ctrl-${input.toLowerCase()}`;
  if (key.meta) return null;
  if (input === ' ') return 'space';
  if (input.length === 1) return input;
  // Several characters at once: pasted text (a code, a URL), which fields take whole.
  return input.length > 1 ? 'paste' : null;
}

/** How a key shows in the footer and the help: ↑ ↓ PgUp Enter Esc … */
export function keyLabel(name: KeyName): string {
  const labels: Record<string, string> = {
    up: '↑',
    down: '↓',
    left: '←',
    right: '→',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    enter: 'Enter',
    escape: 'Esc',
    tab: 'Tab',
    'shift-tab': 'S-Tab',
    backspace: 'Bksp',
    delete: 'Del',
    space: 'Space',
  };
  return labels[name] ?? (name.startsWith('ctrl-') ? `^${name.slice(5).toUpperCase()}` : name);
}

export type Resolution<Ctx, Intent> =
  | { kind: 'act'; binding: Binding<Ctx, Intent>; intent: Intent }
  | { kind: 'confirm'; binding: Binding<Ctx, Intent>; question: string; intent: Intent }
  | { kind: 'unavailable'; binding: Binding<Ctx, Intent>; why: string };

/**
 * The binding a key means in these scopes, most specific first (a modal's, then the pane's, then
 * the global ones): acted on, asked about first, or refused with why. Null when no binding has it.
 */
export function resolve<Ctx, Intent>(
  table: readonly Binding<Ctx, Intent>[],
  scopes: readonly Scope[],
  key: KeyName,
  ctx: Ctx,
): Resolution<Ctx, Intent> | null {
  for (const scope of scopes) {
    const binding = table.find((candidate) => candidate.scope === scope && candidate.keys.includes(key));
    if (!binding) continue;
    const why = binding.unavailable?.(ctx, key) ?? null;
    if (why) return { kind: 'unavailable', binding, why };
    const intent = binding.intent(ctx, key);
    if (binding.confirm) return { kind: 'confirm', binding, question: binding.confirm(ctx), intent };
    return { kind: 'act', binding, intent };
  }
  return null;
}

/** The footer: the bindings marked for it in these scopes, "keys label", the available ones only. */
export function footerHints<Ctx, Intent>(table: readonly Binding<Ctx, Intent>[], scopes: readonly Scope[], ctx: Ctx): string[] {
  return scopes.flatMap((scope) =>
    table.filter((binding) => binding.scope === scope && binding.footer && !binding.unavailable?.(ctx)).map((binding) => `${binding.keys.map(keyLabel).join('/')} ${binding.label}`),
  );
}

/** `?`: every binding of these scopes, with its keys, what it does, and why it is unavailable now. */
export function helpRows<Ctx, Intent>(table: readonly Binding<Ctx, Intent>[], scopes: readonly Scope[], ctx: Ctx): { keys: string; description: string; unavailable: string | null; dangerous: boolean }[] {
  // A key a nearer scope binds is that scope's here: the farther binding says so instead of
  // promising the key (the Invoices pane's v validates; the global v cannot switch vaults there).
  const claimed = new Map<KeyName, string>();
  return scopes.flatMap((scope) => {
    const rows = table
      .filter((binding) => binding.scope === scope)
      .map((binding) => {
        const shadowed = binding.keys.filter((key) => claimed.has(key));
        const free = binding.keys.filter((key) => !claimed.has(key));
        const shadow = shadowed.length && !free.length ? `here ${keyLabel(shadowed[0]!)} is ${claimed.get(shadowed[0]!)}` : null;
        return {
          keys: (free.length ? free : binding.keys).map(keyLabel).join(' '),
          description: binding.description,
          unavailable: shadow ?? binding.unavailable?.(ctx) ?? null,
          dangerous: binding.confirm !== undefined,
        };
      });
    for (const binding of table) if (binding.scope === scope) for (const key of binding.keys) if (!claimed.has(key)) claimed.set(key, `'${binding.label}'`);
    return rows;
  });
}
