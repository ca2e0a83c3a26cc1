// What the Procore pane tests share: a real desk on a temp data dir with the demo vault and the
// sandbox running in the test's process, a pane env whose modals answer from a script (the only
// stand-in, for the user's keys), and a pane's view drawn alone within its size.
import { expect } from 'vitest';
import { createElement, act, type ComponentType } from 'react';
import { render } from 'ink-testing-library';
import { openDesk, type Desk } from '../../../source/app/desk.js';
import { DEMO_USERS, ensureSandbox, type RunningSandbox } from '../../../source/sandbox/index.js';
import { OOB_REDIRECT } from '../../../source/procore/redirects.js';
import type { FormField, Modals, PaneEnv, PaneViewProps, PickItem } from '../../../source/tui/shell/pane.js';
import { tempDir } from '../../helpers/temp.js';

export const DEMO_VAULT = 'demo-construction';

export interface DemoDesk {
  dir: string;
  desk: Desk;
  sandbox: RunningSandbox;
}

export async function demoDesk(): Promise<DemoDesk> {
  const dir = await tempDir();
  const desk = await openDesk({ dataDir: dir });
  await desk.demo.create();
  const sandbox = await ensureSandbox(dir);
  return { dir, desk, sandbox };
}

/** Connects a vault to the sandbox as the demo admin, by the sandbox's login (allowing the app once). */
export async function connect(desk: Desk, vault: string): Promise<void> {
  const grant = await desk.procore.beginGrant(vault, OOB_REDIRECT);
  try {
    const reply = await desk.procore.sandboxSignIn(grant.url, DEMO_USERS[0]!.email, DEMO_USERS[0]!.password);
    await desk.procore.completeGrant(grant, await desk.procore.readGrantReply(reply, grant.state));
  } finally {
    await grant.close();
  }
}

/** One answer the script gives, checked against what the pane asked. */
export type Answer =
  | { confirm: boolean; asked?: RegExp }
  | { pick: (items: readonly PickItem<unknown>[]) => unknown; title?: RegExp }
  | { form: Record<string, string> | null; title?: RegExp }
  | { message: true };

export interface Asked {
  kind: 'confirm' | 'pick' | 'form' | 'message';
  title: string;
  fields?: readonly FormField[];
  items?: readonly PickItem<unknown>[];
  lines?: readonly string[];
}

/** Modals that answer in order from `script`, and fail the test when asked something else. */
export class ScriptedModals implements Modals {
  readonly asked: Asked[] = [];
  constructor(private readonly script: Answer[]) {}
  private next<K extends string>(kind: K): Answer {
    const answer = this.script.shift();
    if (!answer || !(kind in answer)) throw new Error(`the pane asked for a ${kind} the script did not expect (${JSON.stringify(this.asked.at(-1)?.title)})`);
    return answer;
  }
  async confirm(question: string): Promise<boolean> {
    this.asked.push({ kind: 'confirm', title: question });
    const answer = this.next('confirm') as { confirm: boolean; asked?: RegExp };
    if (answer.asked) expect(question).toMatch(answer.asked);
    return answer.confirm;
  }
  async pick<T>(title: string, items: readonly PickItem<T>[]): Promise<T | null> {
    this.asked.push({ kind: 'pick', title, items });
    const answer = this.next('pick') as { pick: (items: readonly PickItem<unknown>[]) => unknown; title?: RegExp };
    if (answer.title) expect(title).toMatch(answer.title);
    return answer.pick(items) as T | null;
  }
  async form(title: string, fields: readonly FormField[]): Promise<Record<string, string> | null> {
    this.asked.push({ kind: 'form', title, fields });
    const answer = this.next('form') as { form: Record<string, string> | null; title?: RegExp };
    if (answer.title) expect(title).toMatch(answer.title);
    return answer.form;
  }
  async message(title: string, lines: readonly string[]): Promise<void> {
    this.asked.push({ kind: 'message', title, lines });
    this.next('message');
  }
  /** Every scripted answer was used. */
  done(): void {
    expect(this.script).toEqual([]);
  }
}

export interface TestEnv<State, Action> extends PaneEnv<Action> {
  state: State;
  notices: { message: string; tone: 'info' | 'error' }[];
  opened: { id: string; intent?: unknown }[];
  modals: ScriptedModals;
}

/** A pane env over a real desk whose dispatch applies the pane's reducer to `env.state`. */
export function paneEnv<State, Action>(
  desk: Desk,
  reduce: (state: State, action: Action) => State,
  initial: State,
  script: Answer[] = [],
  vaultId: string | null = DEMO_VAULT,
): TestEnv<State, Action> {
  const env: TestEnv<State, Action> = {
    desk,
    vaultId,
    state: initial,
    notices: [],
    opened: [],
    modals: new ScriptedModals(script),
    dispatch(action) {
      env.state = reduce(env.state, action);
    },
    notify(message, tone = 'info') {
      env.notices.push({ message, tone });
    },
    openPane(id, intent) {
      env.opened.push({ id, ...(intent !== undefined ? { intent } : {}) });
    },
  };
  return env;
}

/** The rows the shell gives a pane at 80×24: one row is kept free; header, tabs, rule, status and footer take 5. */
export const PANE_ROWS_AT_80X24 = 18;

/** A pane's view drawn alone (in act), checked to stay within `width` × `height`. */
export async function paneFrame<State>(
  View: ComponentType<PaneViewProps<State>>,
  state: State,
  { vaultId = DEMO_VAULT, width = 80, height = 24 }: { vaultId?: string | null; width?: number; height?: number } = {},
): Promise<string> {
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(createElement(View, { state, width, height, vaultId, focused: true }));
  });
  const frame = app.lastFrame() ?? '';
  await act(async () => app.unmount());
  for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
  expect(frame.split('\n').length).toBeLessThanOrEqual(height);
  return frame;
}
