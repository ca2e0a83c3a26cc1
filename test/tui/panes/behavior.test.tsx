// The Import Behavior pane: its reducer and bindings, the three behaviours with the default and the
// saved one marked at 80×24, the page's explanation and notes for the one under the cursor with the
// licence and sync warnings, and a choice that goes to the Queue pane's draft (saved only by OK
// there) on a real desk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from '../../../source/tui/shell/bindings.js';
import { BEHAVIOR_LABELS } from '../../../source/domain/procore-config.js';
import { behaviorPane, initialBehaviorState, reduceBehavior, type BehaviorState } from '../../../source/tui/panes/behavior/index.js';
import { initialQueueState, queuePane, reduceQueue } from '../../../source/tui/panes/queue/index.js';
import { paneFrame, PANE_ROWS_AT_80X24, DEMO_VAULT, demoDesk, paneEnv, type DemoDesk } from './procore-env.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

async function frameOf(state: BehaviorState, vaultId: string | null = DEMO_VAULT): Promise<string> {
  const frame = await paneFrame(behaviorPane.View, state, { vaultId, height: PANE_ROWS_AT_80X24 });
  expect(frame).not.toContain('more line');
  return frame;
}

const loaded = (extra: Partial<Parameters<typeof reduceBehavior>[1] & { type: 'loaded' }> = {}) =>
  reduceBehavior(initialBehaviorState, { type: 'loaded', vaultName: 'Demo Construction', gate: null, saved: 'auto-route', cloudSyncLicence: true, syncRunning: true, importState: 'importing; not run yet', ...extra });

describe('the reducer and bindings', () => {
  it('starts the cursor on the saved behaviour and keeps it within the three', () => {
    const state = loaded();
    expect(state.cursor).toBe(1);
    expect(reduceBehavior(state, { type: 'move', by: 9 }).cursor).toBe(2);
    expect(reduceBehavior(state, { type: 'move', by: -9 }).cursor).toBe(0);
    // A reload leaves the cursor where the user put it.
    const moved = reduceBehavior(state, { type: 'move', by: 1 });
    expect(reduceBehavior(moved, { type: 'loaded', vaultName: 'Demo Construction', gate: null, saved: 'auto-queue' }).cursor).toBe(2);
  });

  it('Enter chooses the behaviour under the cursor; nothing acts on a gated vault', () => {
    expect(resolve(behaviorPane.bindings, ['pane:behavior'], 'enter', { state: loaded(), vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'choose', behavior: 'auto-route' } });
    const gated = reduceBehavior(initialBehaviorState, { type: 'loaded', vaultName: 'X', gate: { kind: 'not-sage', message: 'm' } });
    expect(resolve(behaviorPane.bindings, ['pane:behavior'], 'enter', { state: gated, vaultId: 'x' })).toMatchObject({ kind: 'unavailable' });
  });
});

describe('the view at 80×24', () => {
  it('shows the three behaviours, the default, the saved one marked, and what each does', async () => {
    const frame = await frameOf(loaded());
    expect(frame).toContain(`○ ${BEHAVIOR_LABELS['auto-queue']} (default)`);
    expect(frame).toContain(`> ● ${BEHAVIOR_LABELS['auto-route']} — saved`);
    expect(frame).toContain(`○ ${BEHAVIOR_LABELS.manual}`);
    const flat = frame.replace(/\s+/g, ' ');
    // Auto Route under the cursor: its explanation in the page's terms, and the notes.
    expect(flat).toContain('Routing needs the invoice to pass validation and every line to get a reviewer from the routing rules; if validation fails or a line has none, the invoice stays in the chosen queue.');
    expect(flat).toContain('Now: importing; not run yet');
    expect(flat).toMatch(/DocuSign documents linked to an invoice cannot be read from Procore and are not imported: add the downloaded document to the invoice's attachments in Procore, or use Manual Import \(the document in your queue, then Procore Import\)/);
    expect(flat).toContain('Vendor and commitment in Procore must match valid values in the accounting system, or the invoice fails validation here.');
    const queue = (await frameOf(reduceBehavior(loaded(), { type: 'move', by: -1 }))).replace(/\s+/g, ' ');
    expect(queue).toContain('An invoice must have a file attached to import; all its files are combined into one document.');
    const manual = (await frameOf(reduceBehavior(loaded(), { type: 'move', by: 1 }))).replace(/\s+/g, ' ');
    expect(manual).toContain("picks an approved Procore invoice with Procore Import, which fills the form. The invoice's files in Procore are not imported this way.");
    expect(manual).not.toContain('DocuSign');
  });

  it('warns when the cloud-sync licence is missing or the sync loop is not running, but not for Manual Import', async () => {
    const frame = (await frameOf(loaded({ cloudSyncLicence: false, syncRunning: false }))).replace(/\s+/g, ' ');
    expect(frame).toContain('! Needs the cloud-sync licence (an admin grants it) and the cloud sync running (7 Sync & Jobs, s): nothing imports until then.');
    expect((await frameOf(loaded({ syncRunning: false }))).replace(/\s+/g, ' ')).toContain('The cloud sync is not running: nothing imports until it runs — start it in 7 Sync & Jobs (s)');
    expect((await frameOf(loaded({ cloudSyncLicence: false }))).replace(/\s+/g, ' ')).toContain('! Needs the cloud-sync licence: nothing imports until an admin grants it. Manual Import works without it.');
    const manual = reduceBehavior(loaded({ cloudSyncLicence: false, syncRunning: false }), { type: 'move', by: 1 });
    expect((await frameOf(manual)).replace(/\s+/g, ' ')).not.toContain('Needs the cloud-sync licence');
  });

  it('shows the licence prompt alone', async () => {
    const gated = reduceBehavior(initialBehaviorState, { type: 'loaded', vaultName: 'Harbor', gate: { kind: 'no-licence', message: "A license is required for Procore. Vault 'Harbor' has none — an admin can grant it" } });
    const frame = await frameOf(gated, 'harbor');
    expect(frame.replace(/\s+/g, ' ')).toContain('A license is required for Procore.');
    expect(frame).not.toContain(BEHAVIOR_LABELS['auto-queue']);
  });
});

describe('on a real desk', () => {
  let demo: DemoDesk;
  beforeAll(async () => {
    demo = await demoDesk();
  });
  afterAll(async () => {
    await demo.sandbox.close();
  });

  it('loads the demo (default behaviour, licence, no sync running), and a choice goes to the Queue draft unsaved until OK', async () => {
    const env = paneEnv(demo.desk, reduceBehavior, initialBehaviorState);
    await behaviorPane.load!(env, env.state);
    expect(env.state).toMatchObject({ saved: 'auto-queue', cloudSyncLicence: true, syncRunning: false });
    await behaviorPane.handle({ type: 'choose', behavior: 'manual' }, env, env.state);
    expect(env.opened).toEqual([{ id: 'queue', intent: { type: 'set-behavior', behavior: 'manual' } }]);
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.behavior).toBe('auto-queue');
    // What the shell does with it: the Queue pane takes the intent, and its OK saves.
    const queue = paneEnv(demo.desk, reduceQueue, initialQueueState);
    await queuePane.load!(queue, queue.state);
    await queuePane.handle(env.opened[0]!.intent as never, queue, queue.state);
    await queuePane.handle({ type: 'ok' }, queue, queue.state);
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.behavior).toBe('manual');
    await behaviorPane.load!(env, env.state);
    expect(env.state.saved).toBe('manual');
  });
});
