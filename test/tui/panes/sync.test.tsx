// The Sync & Jobs pane on a real desk: its reducer, the loop started and stopped in the console's
// process (holding the data dir's lease while it runs), a job run now, and what its keys say when
// they cannot act.
import { describe, expect, it } from 'vitest';
import { openDesk, type Desk } from '../../../source/app/desk.js';
import { initialSyncState, reduceSync, syncPane, type SyncPaneAction, type SyncPaneState } from '../../../source/tui/panes/sync/index.js';
import { loopControl, type LoopControl } from '../../../source/tui/shell/loop-control.js';
import { resolve } from '../../../source/tui/shell/bindings.js';
import type { PaneEnv } from '../../../source/tui/shell/pane.js';
import { tempDir } from '../../helpers/temp.js';

function harness(desk: Desk, loop: LoopControl) {
  let state: SyncPaneState = initialSyncState;
  const notes: string[] = [];
  const env: PaneEnv<SyncPaneAction> = {
    desk,
    vaultId: 'demo-construction',
    dispatch: (action) => (state = reduceSync(state, action)),
    modals: { confirm: async () => false, pick: async () => null, form: async () => null, message: async () => undefined },
    notify: (message) => notes.push(message),
    openPane: () => undefined,
    loop,
  };
  return { env, notes, state: () => state };
}

describe('Sync & Jobs', () => {
  it('lists the jobs, runs one now, and starts and stops the loop here under the lease', async () => {
    const desk = await openDesk({ dataDir: await tempDir() });
    await desk.demo.create();
    const loop = loopControl(desk);
    const pane = harness(desk, loop);
    await syncPane.load!(pane.env, pane.state());
    expect(pane.state().jobs.map((job) => job.kind)).toEqual(['check-backfiller', 'procore-import']);

    // Run the check backfiller now (the cursor is on it).
    await syncPane.handle({ type: 'run', vaultId: 'demo-construction', kind: 'check-backfiller' }, pane.env, pane.state());
    expect(pane.notes).toContain('check-backfiller: done');
    expect(pane.state().jobs[0]!.lastRun).toMatchObject({ outcome: 'ok', summary: 'nothing to do' });

    await syncPane.handle({ type: 'start' }, pane.env, pane.state());
    expect(loop.current().state).toBe('running');
    expect((await desk.sync.leaseHolder())?.holder.pid).toBe(process.pid);
    await syncPane.load!(pane.env, pane.state());
    // While the loop runs here, a job is not run by hand beside it.
    expect(resolve(syncPane.bindings, ['pane:sync'], 'r', { state: pane.state(), vaultId: 'demo-construction' })).toMatchObject({
      kind: 'unavailable',
      why: 'the loop is running: it runs jobs on their schedule (stop it to run one by hand)',
    });
    await syncPane.handle({ type: 'stop' }, pane.env, pane.state());
    expect(loop.current().state).toBe('stopped');
    expect(await desk.sync.leaseHolder()).toBeNull();
  });

  it('moves over jobs and failures within bounds', () => {
    const loaded = reduceSync(initialSyncState, { type: 'loaded', jobs: [{} as never, {} as never], failures: [{} as never], loop: { state: 'stopped', error: null }, holder: null, events: [] });
    expect(reduceSync(loaded, { type: 'move', delta: 10 }).cursor).toBe(2);
    expect(reduceSync(loaded, { type: 'move', delta: -1 }).cursor).toBe(0);
  });
});
