// What the Procore pane tests share: a real desk on a temp data dir with the demo vault and the
// sandbox running in the test's process, and a pane env whose modals answer from a script — the
// only stand-in, for the user's keys.
import { expect } from 'vitest';
import { openDesk, type Desk } from '../../../source/app/desk.js';
import { DEMO_USERS, ensureSandbox, type RunningSandbox } from '../../../source/sandbox/index.js';
import { OOB_REDIRECT } from '../../../source/procore/redirects.js';
import type { FormField, Modals, PaneEnv, PickItem } from '../../../source/tui/shell/pane.js';
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
