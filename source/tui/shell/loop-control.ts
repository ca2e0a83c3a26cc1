// The sync loop inside the console's own process: started and stopped from the Sync & Jobs pane,
// one per data dir (it takes the same lease as `apdesk sync`, and says who holds it otherwise).
import type { Desk } from '../../app/desk.js';
import type { JobRun } from '../../sync/loop.js';

export type LoopState =
  | { state: 'stopped'; error: string | null }
  | { state: 'starting' }
  | { state: 'running'; since: string }
  | { state: 'stopping' };

export interface LoopControl {
  current(): LoopState;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Told on every change of state and after every job run. */
  subscribe(listener: () => void): () => void;
  /** The last runs, newest first (at most 50). */
  runs(): readonly JobRun[];
}

export function loopControl(desk: Desk): LoopControl {
  let state: LoopState = { state: 'stopped', error: null };
  let controller: AbortController | null = null;
  let finished: Promise<void> = Promise.resolve();
  const listeners = new Set<() => void>();
  const recent: JobRun[] = [];
  const set = (next: LoopState) => {
    state = next;
    for (const listener of listeners) listener();
  };
  return {
    current: () => state,
    runs: () => recent,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (state.state !== 'stopped') return;
      set({ state: 'starting' });
      let lease;
      try {
        lease = await desk.sync.takeLease('apdesk (console)');
      } catch (error) {
        set({ state: 'stopped', error: (error as Error).message });
        throw error;
      }
      const { runLoop } = await import('../../sync/loop.js');
      controller = new AbortController();
      set({ state: 'running', since: new Date().toISOString() });
      const held = lease;
      finished = runLoop(desk, {
        signal: controller.signal,
        heartbeat: () => held.renew(),
        onRun: (run) => {
          recent.unshift(run);
          recent.length = Math.min(recent.length, 50);
          for (const listener of listeners) listener();
        },
      }).then(
        () => set({ state: 'stopped', error: null }),
        (error: unknown) => set({ state: 'stopped', error: (error as Error).message }),
      ).finally(() => held.release().catch(() => undefined));
    },
    async stop() {
      if (state.state !== 'running' || !controller) return;
      set({ state: 'stopping' });
      controller.abort();
      await finished;
    },
  };
}
