// What a pane is to the shell. Each pane is a folder under tui/panes/ exporting one PaneModule:
// its state (a reducer with named actions, testable without a terminal), its bindings (data, in
// the shell's one table), how it acts on an intent (services, modals), and its view. The shell owns
// the keys, the header and footer, `?`, the modal stack, and the desk's events.
import type { ReactElement } from 'react';
import type { Desk } from '../../app/desk.js';
import type { DeskEventName } from '../../app/events.js';
import type { Binding, KeyName } from './bindings.js';
import type { LoopControl } from './loop-control.js';

/** What a pane's bindings look at to decide if they apply, and what intent they send. */
export interface BindingContext<State> {
  state: State;
  /** The vault the header shows (null before one exists). */
  vaultId: string | null;
}

export type PaneBinding<State, Intent> = Binding<BindingContext<State>, Intent>;

export interface PickItem<T> {
  label: string;
  value: T;
  /** A second, dimmer column. */
  detail?: string;
  /** Shown but not choosable, with why. */
  disabled?: string;
}

export interface FormField {
  name: string;
  label: string;
  value?: string;
  /** Typed without echo (a password). */
  secret?: boolean;
  hint?: string;
}

/** The modal stack: each call opens a modal over the pane and resolves when the user answers. */
export interface Modals {
  /** Yes / no; Esc is no. */
  confirm(question: string): Promise<boolean>;
  /** A list to choose from; `/` filters it; Esc gives null. */
  pick<T>(title: string, items: readonly PickItem<T>[], options?: { initial?: number }): Promise<T | null>;
  /** Text fields; Enter on the last field submits, Esc gives null. */
  form(title: string, fields: readonly FormField[]): Promise<Record<string, string> | null>;
  /** Lines to read (an authorize URL on a line of its own, a long reason); any key closes it. */
  message(title: string, lines: readonly string[]): Promise<void>;
}

/** What a pane's handler may use. */
export interface PaneEnv<Action> {
  desk: Desk;
  /** The vault the header shows; a handler that needs one says so when it is null. */
  vaultId: string | null;
  dispatch(action: Action): void;
  modals: Modals;
  /** One line in the status bar: what just happened, or what went wrong (a UserError's message). */
  notify(message: string, tone?: 'info' | 'error'): void;
  /** Brings another pane forward, optionally sending it an intent (Invoices → Invoice Entry). */
  openPane(id: string, intent?: unknown): void;
  /** The sync loop in the console's process (start, stop, its runs). */
  loop?: LoopControl;
}

export interface PaneViewProps<State> {
  state: State;
  width: number;
  height: number;
  vaultId: string | null;
  /** Whether the pane has the keys (no modal over it). */
  focused: boolean;
}

export interface PaneModule<State, Action, Intent> {
  /** 'connection', 'company', 'behavior', 'queue', 'invoices', 'entry', 'sync'. */
  id: string;
  title: string;
  initialState: State;
  reduce(state: State, action: Action): State;
  /** Scope `pane:<id>`: the dispatcher, the footer and `?` read them. */
  bindings: readonly PaneBinding<State, Intent>[];
  /** Acts on an intent: dispatches actions, calls services, opens modals. Errors it throws are notified. */
  handle(intent: Intent, env: PaneEnv<Action>, state: State): void | Promise<void>;
  /** Reads what the pane shows from the services: when it opens, when the vault changes, on `reloadOn` events. */
  load?(env: PaneEnv<Action>, state: State): Promise<void>;
  reloadOn?: readonly DeskEventName[];
  /** While true the pane takes every key (typing in a field): q, digits and Tab go to it. */
  typing?(state: State): boolean;
  /** The keys a typing pane receives: a character or a KeyName; an intent to handle, or null. */
  typed?(state: State, key: KeyName, text: string): Intent | null;
  /** The action that tells the pane its body's height (for paging), sent when it changes. */
  resize?(height: number): Action;
  View(props: PaneViewProps<State>): ReactElement;
}

/** A pane of any state (the shell's registry holds them side by side). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPane = PaneModule<any, any, any>;
