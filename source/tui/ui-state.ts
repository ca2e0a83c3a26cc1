// The console's UI state and its transitions: pure, tested without a terminal.
import type { UiAction } from './keymap.js';

export interface UiState {
  selected: number;
  help: boolean;
}

export const initialUiState: UiState = { selected: 0, help: false };

export function uiReducer(state: UiState, action: UiAction & { count?: number }): UiState {
  const count = action.count ?? 0;
  const clamp = (index: number) => Math.max(0, Math.min(index, Math.max(count - 1, 0)));
  switch (action.type) {
    case 'move':
      return { ...state, selected: clamp(state.selected + action.delta) };
    case 'move-to':
      return { ...state, selected: action.index === 'first' ? 0 : clamp(count - 1) };
    case 'toggle-help':
      return { ...state, help: !state.help };
    case 'close-overlay':
      return { ...state, help: false };
    case 'refresh':
    case 'dismiss-problem':
    case 'quit':
      return state;
  }
}

/** The rows of a list that fit in `height`, keeping the selected row in view. */
export function visibleWindow(count: number, selected: number, height: number): { start: number; end: number } {
  if (height <= 0) return { start: 0, end: 0 };
  if (count <= height) return { start: 0, end: count };
  const start = Math.max(0, Math.min(selected - Math.floor(height / 2), count - height));
  return { start, end: start + height };
}
