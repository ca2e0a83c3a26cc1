// Sync & Jobs: the sync loop running or stopped (start / stop here; one per data dir, and who holds
// it otherwise), each job's interval, last and next run, last error, run one now; the import's
// requests and the rate-limit budget; the steps streaming in; the failed imports, with reprocess.
import { Box, Text } from '../../ink.js';
import type { Desk } from '../../../app/desk.js';
import type { ImportFailure, JobRunRecord, SyncEvent } from '../../../domain/sync.js';
import type { JobKind } from '../../../domain/jobs.js';
import type { JobStatus } from '../../../sync/status.js';
import { localClock, localClockSeconds, localMinute } from '../../../text/time.js';
import { truncate } from '../../../text/width.js';
import type { LoopControl, LoopState } from '../../shell/loop-control.js';
import type { PaneBinding, PaneEnv, PaneModule } from '../../shell/pane.js';

export interface SyncPaneState {
  jobs: JobStatus[];
  failures: ImportFailure[];
  loop: LoopState;
  /** Another process holding the lease, named; null when none does. */
  holder: string | null;
  events: string[];
  /** Over jobs, then failures. */
  cursor: number;
}

export type SyncPaneAction =
  | { type: 'loaded'; jobs: JobStatus[]; failures: ImportFailure[]; loop: LoopState; holder: string | null; events: string[] }
  | { type: 'move'; delta: number };

export type SyncPaneIntent =
  | { type: 'move'; delta: number }
  | { type: 'start' }
  | { type: 'stop' }
  | { type: 'run'; vaultId: string; kind: JobKind }
  | { type: 'reprocess'; vaultId: string; requisitionId: string };

export const initialSyncState: SyncPaneState = { jobs: [], failures: [], loop: { state: 'stopped', error: null }, holder: null, events: [], cursor: 0 };

export function reduceSync(state: SyncPaneState, action: SyncPaneAction): SyncPaneState {
  switch (action.type) {
    case 'loaded': {
      const rows = action.jobs.length + action.failures.length;
      return { ...state, ...action, cursor: Math.min(state.cursor, Math.max(rows - 1, 0)) };
    }
    case 'move': {
      const rows = state.jobs.length + state.failures.length;
      return { ...state, cursor: Math.max(0, Math.min(state.cursor + action.delta, rows - 1)) };
    }
  }
}

const selectedJob = (state: SyncPaneState) => (state.cursor < state.jobs.length ? state.jobs[state.cursor] : undefined);
const selectedFailure = (state: SyncPaneState) => (state.cursor >= state.jobs.length ? state.failures[state.cursor - state.jobs.length] : undefined);

/** The steps of the loop, newest first, kept per desk while the console runs. */
const logs = new WeakMap<Desk, string[]>();
function eventLog(desk: Desk): string[] {
  let log = logs.get(desk);
  if (!log) {
    const lines: string[] = [];
    log = lines;
    logs.set(desk, lines);
    desk.events.on('sync', (event) => {
      const line = describe(event);
      if (!line) return;
      lines.unshift(`${localClockSeconds(new Date())} ${line}`);
      lines.length = Math.min(lines.length, 200);
    });
  }
  return log;
}

function describe(event: SyncEvent): string | null {
  switch (event.kind) {
    case 'started':
      return `${event.job} started`;
    case 'finished':
      return `${event.job} finished${event.outcome === 'error' ? `: ${event.error ?? 'error'}` : ''}`;
    case 'imported':
      return `${event.requisitionId} → ${event.invoiceId}${event.routed ? ' routed' : event.reasons.length ? ' left in the queue' : ''}`;
    case 'waiting':
      return `${event.requisitionId} waits: ${event.reason}`;
    case 'skipped':
      return `${event.requisitionId} skipped: ${event.reason}`;
    case 'failed':
      return `${event.requisitionId ?? event.invoiceId ?? ''} failed: ${event.error}`;
    case 'payment-created':
      return `payment ${event.paymentId} for ${event.invoiceId}`;
    case 'document-added':
      return `${event.file} → ${event.invoiceId}`;
    case 'rate-limit-pause':
      return `rate limit: waiting ${Math.ceil(event.waitMs / 1000)} s`;
    case 'error':
      return `${event.job}: ${event.error}`;
  }
}

const running = (state: SyncPaneState) => state.loop.state === 'running';

const watchers = new WeakMap<LoopControl, { env: PaneEnv<SyncPaneAction> }>();

const bindings: PaneBinding<SyncPaneState, SyncPaneIntent>[] = [
  { keys: ['down', 'j'], scope: 'pane:sync', label: 'move', description: 'next job or failure', intent: () => ({ type: 'move', delta: 1 }) },
  { keys: ['up', 'k'], scope: 'pane:sync', label: 'move', description: 'previous job or failure', intent: () => ({ type: 'move', delta: -1 }) },
  {
    keys: ['s'],
    scope: 'pane:sync',
    label: 'start/stop',
    description: 'start the sync loop in this console, or stop it',
    footer: true,
    unavailable: ({ state }) => (state.holder && !running(state) ? `the loop runs in ${state.holder}` : state.loop.state === 'starting' || state.loop.state === 'stopping' ? `the loop is ${state.loop.state}` : null),
    intent: ({ state }) => (running(state) ? { type: 'stop' } : { type: 'start' }),
  },
  {
    keys: ['r'],
    scope: 'pane:sync',
    label: 'run now',
    description: 'run the selected job now',
    footer: true,
    unavailable: ({ state }) => {
      const job = selectedJob(state);
      if (!job) return 'select a job';
      if (!job.enabled) return 'the job is disabled';
      if (running(state)) return 'the loop is running: it runs jobs on their schedule (stop it to run one by hand)';
      if (state.holder) return `the loop runs in ${state.holder}`;
      return null;
    },
    intent: ({ state }) => ({ type: 'run', vaultId: selectedJob(state)!.vaultId, kind: selectedJob(state)!.kind }),
  },
  {
    keys: ['p'],
    scope: 'pane:sync',
    label: 'reprocess',
    description: 'import the selected failed requisition again now',
    footer: true,
    unavailable: ({ state, vaultId }) => (!selectedFailure(state) ? 'select a failed import' : !vaultId ? 'no vault' : null),
    intent: ({ state, vaultId }) => ({ type: 'reprocess', vaultId: vaultId!, requisitionId: selectedFailure(state)!.requisitionId }),
  },
];

export const syncPane: PaneModule<SyncPaneState, SyncPaneAction, SyncPaneIntent> = {
  id: 'sync',
  title: 'Sync & Jobs',
  initialState: initialSyncState,
  reduce: reduceSync,
  bindings,
  reloadOn: ['sync', 'settings.changed'],
  async load(env) {
    const { jobStatuses } = await import('../../../sync/status.js');
    const jobs = await jobStatuses(env.desk, env.vaultId ?? undefined);
    const failures = env.vaultId ? Object.values((await env.desk.imports.syncState(env.vaultId)).failures) : [];
    const lease = await env.desk.sync.leaseHolder();
    const loop = env.loop?.current() ?? { state: 'stopped', error: null };
    const mine = lease && lease.holder.pid === process.pid;
    const holder = lease && !lease.expired && !mine ? `process ${lease.holder.pid} on ${lease.holder.host} (${lease.holder.user}) since ${localMinute(lease.holder.since)}` : null;
    env.dispatch({ type: 'loaded', jobs, failures, loop, holder, events: [...eventLog(env.desk)] });
    // The loop's state changes (started, a run done, stopped) reload the pane: one subscription per
    // loop, reloading through the latest pane environment.
    if (env.loop) {
      const known = watchers.get(env.loop);
      if (known) known.env = env;
      else {
        const watcher = { env };
        watchers.set(env.loop, watcher);
        env.loop.subscribe(() => void syncPane.load!(watcher.env, initialSyncState).catch(() => undefined));
      }
    }
  },
  async handle(intent, env) {
    switch (intent.type) {
      case 'move':
        return env.dispatch({ type: 'move', delta: intent.delta });
      case 'start':
        if (!env.loop) throw new Error('this console cannot run the loop');
        eventLog(env.desk);
        await env.loop.start();
        return env.notify('sync loop started in this console');
      case 'stop':
        await env.loop?.stop();
        return env.notify('sync loop stopped');
      case 'run': {
        const { runJobNow } = await import('../../../sync/loop.js');
        const vault = await env.desk.vaults.get(intent.vaultId);
        const job = (await env.desk.jobs.list(vault.id)).find((candidate) => candidate.kind === intent.kind)!;
        eventLog(env.desk);
        env.notify(`${intent.kind} running…`);
        const run = await runJobNow(env.desk, vault, job, `apdesk (console) run ${intent.kind}`);
        env.notify(run.outcome === 'ok' ? `${intent.kind}: done` : `${intent.kind}: ${run.error}`, run.outcome === 'ok' ? 'info' : 'error');
        return syncPane.load!(env, initialSyncState);
      }
      case 'reprocess': {
        const { reprocess } = await import('../../../sync/reprocess.js');
        const result = await reprocess(env.desk, intent.vaultId, intent.requisitionId);
        env.notify(result.message, result.state === 'failed' ? 'error' : 'info');
        return syncPane.load!(env, initialSyncState);
      }
    }
  },
  View: SyncView,
};

const time = localClock;

/** What the last run asked of Procore, and how much of Procore's rate limit its last answer said was left. */
export function apiLine(run: JobRunRecord): string {
  const asked = `last run ${run.requests} API request${run.requests === 1 ? '' : 's'}`;
  const rate = run.rateLimit;
  if (!rate) return asked;
  return `${asked}; Procore's limit: ${rate.remaining.toLocaleString('en-US')}${rate.limit !== null ? ` of ${rate.limit.toLocaleString('en-US')}` : ''} left, resets ${time(rate.resetAt)}`;
}

function loopLine(state: SyncPaneState): string {
  switch (state.loop.state) {
    case 'running':
      return `Sync loop: RUNNING in this console since ${time(state.loop.since)} — s stops it`;
    case 'starting':
      return 'Sync loop: starting…';
    case 'stopping':
      return 'Sync loop: stopping (finishing the step in hand)…';
    case 'stopped':
      return state.holder ? `Sync loop: runs in ${state.holder}` : `Sync loop: STOPPED — s starts it here${state.loop.error ? ` (last: ${state.loop.error})` : ''}`;
  }
}

export function SyncView({ state, width, height }: { state: SyncPaneState; width: number; height: number }) {
  const lines: { text: string; bold?: boolean; dim?: boolean; cursor?: boolean }[] = [];
  lines.push({ text: loopLine(state), bold: true });
  lines.push({ text: 'JOB               ON   EVERY  LAST   OUTCOME                    NEXT', dim: true });
  state.jobs.forEach((job, index) => {
    const outcome = job.lastRun ? (job.lastRun.outcome === 'ok' ? job.lastRun.summary : `error: ${job.lastRun.error ?? ''}`) : '-';
    const next = job.enabled ? (running(state) || state.holder ? time(job.nextRunAt) : 'loop off') : '-';
    lines.push({ text: `${index === state.cursor ? '›' : ' '} ${job.kind.padEnd(16)} ${job.enabled ? 'yes' : 'no '}  ${`${job.everyMinutes}m`.padEnd(5)}  ${time(job.lastRun?.startedAt)}  ${truncate(outcome, 26).padEnd(26)} ${next}`, cursor: index === state.cursor });
    if (job.enabled && job.blocker) lines.push({ text: `    nothing imports: ${job.blocker}`, dim: true });
    if (job.plan && job.enabled && !job.blocker) {
      lines.push({
        text: `    polling ${job.plan.hotProjects} busy project${job.plan.hotProjects === 1 ? '' : 's'}/${Math.round(job.plan.hotMs / 1000)} s, ${job.plan.coldProjects} other${job.plan.coldProjects === 1 ? '' : 's'}/${Math.round(job.plan.coldMs / 60_000)} min: ≈${job.plan.requestsPerHour.toLocaleString('en-US')} of ${job.plan.budgetPerHour.toLocaleString('en-US')} requests/h`,
        dim: true,
      });
    }
    if (job.enabled && job.lastRun) lines.push({ text: `    ${apiLine(job.lastRun)}`, dim: true });
  });
  if (state.failures.length) {
    lines.push({ text: `Failed imports (${state.failures.length}) — p reprocesses the selected one`, bold: true });
    state.failures.forEach((failure, offset) => {
      const index = state.jobs.length + offset;
      lines.push({ text: `${index === state.cursor ? '›' : ' '} ${failure.requisitionId}  ${failure.attempts}×  next ${time(failure.nextAttemptAt)}  ${failure.error}`, cursor: index === state.cursor });
    });
  }
  lines.push({ text: 'Recent steps', bold: true });
  const room = Math.max(height - lines.length, 1);
  for (const event of state.events.slice(0, room)) lines.push({ text: `  ${event}`, dim: true });
  if (!state.events.length) lines.push({ text: '  none yet', dim: true });
  return (
    <Box flexDirection="column">
      {lines.slice(0, height).map((line, index) => (
        <Text key={index} wrap="truncate" bold={line.bold} dimColor={line.dim} inverse={line.cursor}>
          {truncate(line.text, width)}
        </Text>
      ))}
    </Box>
  );
}
