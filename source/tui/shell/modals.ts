// The modal stack's state, pure: a confirmation, a picker with its filter, a form with its fields,
// a message. The shell renders the top modal and sends it the keys; answering one resolves the
// promise the pane's handler awaits.
import type { FormField, PickItem } from './pane.js';
import type { KeyName } from './bindings.js';

export type Modal =
  | { kind: 'confirm'; question: string; resolve(answer: boolean): void }
  | { kind: 'pick'; title: string; items: readonly PickItem<unknown>[]; cursor: number; filter: string; filtering: boolean; resolve(value: unknown): void }
  | { kind: 'form'; title: string; fields: readonly FormField[]; values: string[]; field: number; resolve(values: Record<string, string> | null): void }
  | { kind: 'message'; title: string; lines: readonly string[]; resolve(): void };

/** The items a picker shows: those whose label or detail hold every word of the filter. */
export function visibleItems(modal: Extract<Modal, { kind: 'pick' }>): { item: PickItem<unknown>; index: number }[] {
  const words = modal.filter.toLowerCase().split(/\s+/).filter(Boolean);
  return modal.items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => words.every((word) => `${item.label} ${item.detail ?? ''}`.toLowerCase().includes(word)));
}

/**
 * What a key does to the top modal: the modal as it becomes (null once answered, after calling
 * its resolve), or the same one when the key means nothing to it.
 */
export function modalKey(modal: Modal, key: KeyName, text: string): Modal | null {
  switch (modal.kind) {
    case 'confirm':
      if (key === 'y' || key === 'Y') return answer(() => modal.resolve(true));
      if (key === 'n' || key === 'N' || key === 'escape') return answer(() => modal.resolve(false));
      return modal;
    case 'message':
      return answer(() => modal.resolve());
    case 'pick': {
      const shown = visibleItems(modal);
      if (modal.filtering) {
        if (key === 'enter' || key === 'down') return { ...modal, filtering: false };
        if (key === 'escape') return { ...modal, filtering: false, filter: '', cursor: 0 };
        if (key === 'backspace' || key === 'delete') return { ...modal, filter: modal.filter.slice(0, -1), cursor: 0 };
        if (printable(key, text)) return { ...modal, filter: modal.filter + text, cursor: 0 };
        return modal;
      }
      if (key === 'escape') return answer(() => modal.resolve(null));
      if (key === '/') return { ...modal, filtering: true };
      if (key === 'down' || key === 'j') return { ...modal, cursor: Math.min(modal.cursor + 1, Math.max(shown.length - 1, 0)) };
      if (key === 'up' || key === 'k') return { ...modal, cursor: Math.max(modal.cursor - 1, 0) };
      if (key === 'pagedown') return { ...modal, cursor: Math.min(modal.cursor + 10, Math.max(shown.length - 1, 0)) };
      if (key === 'pageup') return { ...modal, cursor: Math.max(modal.cursor - 10, 0) };
      if (key === 'home' || key === 'g') return { ...modal, cursor: 0 };
      if (key === 'end' || key === 'G') return { ...modal, cursor: Math.max(shown.length - 1, 0) };
      if (key === 'enter') {
        const chosen = shown[modal.cursor];
        if (!chosen || chosen.item.disabled) return modal;
        return answer(() => modal.resolve(chosen.item.value));
      }
      return modal;
    }
    case 'form': {
      if (key === 'escape') return answer(() => modal.resolve(null));
      if (key === 'tab' || key === 'down') return { ...modal, field: (modal.field + 1) % modal.fields.length };
      if (key === 'shift-tab' || key === 'up') return { ...modal, field: (modal.field - 1 + modal.fields.length) % modal.fields.length };
      if (key === 'enter') {
        if (modal.field < modal.fields.length - 1) return { ...modal, field: modal.field + 1 };
        return answer(() => modal.resolve(Object.fromEntries(modal.fields.map((field, index) => [field.name, modal.values[index] ?? '']))));
      }
      const values = [...modal.values];
      if (key === 'backspace' || key === 'delete') values[modal.field] = (values[modal.field] ?? '').slice(0, -1);
      else if (printable(key, text) || text.length > 1) values[modal.field] = (values[modal.field] ?? '') + text.replace(/[\r\n]+/g, '');
      else return modal;
      return { ...modal, values };
    }
  }
}

function printable(key: KeyName, text: string): boolean {
  return text.length >= 1 && !key.startsWith('ctrl-') && !['enter', 'escape', 'tab', 'shift-tab', 'up', 'down', 'left', 'right', 'pageup', 'pagedown', 'home', 'end', 'backspace', 'delete'].includes(key);
}

function answer(resolve: () => void): null {
  resolve();
  return null;
}
