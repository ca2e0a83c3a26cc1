// The sync loop: runs each vault's enabled jobs — the Procore import, the check backfiller with
// payments to Procore, the folder watch — once (`sync --once`, `jobs run`) or on their schedules
// until stopped (`apdesk sync`, the console). One loop per data dir: the caller holds the lease.
// Every step is told on desk.events ('sync') and written to the log; each run is recorded for
// `jobs list` (last run, outcome, error, requests).
import type { Desk } from '../app/desk.js';
import type { Connection } from '../app/procore.js';
import { UserError } from '../domain/errors.js';
import { JOB_KINDS, type Job, type JobKind } from '../domain/jobs.js';
import { countsLine, DEFAULT_POLL_POLICY, type JobRunRecord, type PollPolicy, type SyncEvent } from '../domain/sync.js';
import type { Vault } from '../domain/vault.js';
import { fileLogger, type Logger } from '../log/log.js';
import { runCheckBackfiller } from './check-backfiller.js';
import { runFolderWatch } from './folder-watch.js';
import { CannotRunError, runProcoreImport, type ImporterOptions } from './importer.js';
import { emptyReport, type JobContext, type JobReport } from './job.js';

export interface RunOptions {
  now?: () => number;
  signal?: AbortSignal;
  logger?: Logger;
  importer?: ImporterOptions;
}

/** One job's run for one vault. */
export interface JobRun {
  vaultId: string;
  job: JobKind;
  /** ok: it ran (records may still have failed); error: it ran into an error part-way; not-run: it could not start. */
  outcome: 'ok' | 'error' | 'not-run';
  error: string | null;
  report: JobReport;
  /** Requests made to Procore's API (retries included). */
  requests: number;
  startedAt: string;
  finishedAt: string;
}

export interface VaultCycle {
  vaultId: string;
  vaultName: string;
  runs: JobRun[];
  /** Why nothing ran for this vault, when nothing did. */
  note: string | null;
}

/** The import's polling interval for projects holding invoices in flight: how often the loop wakes it. */
const IMPORT_WAKE_MS = DEFAULT_POLL_POLICY.hotMinMs;

/** How long a job waits until it runs again: the import wakes often, the plan says which projects it polls. */
export function wakeEveryMs(job: Job): number {
  return job.kind === 'procore-import' ? Math.min(IMPORT_WAKE_MS, job.everyMinutes * 60_000) : job.everyMinutes * 60_000;
}

/** The import's policy for a job: its interval is the longest a project waits between polls. */
export function policyFor(job: Job, base: PollPolicy = DEFAULT_POLL_POLICY): PollPolicy {
  return { ...base, coldMs: job.everyMinutes * 60_000 };
}

/** Runs one job for one vault now, and records the run. A job that could not start says why. */
export async function runJob(desk: Desk, vault: Vault, job: Job, options: RunOptions = {}): Promise<JobRun> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? fileLogger(desk.dataDir);
  const signal = options.signal ?? new AbortController().signal;
  const startedAt = new Date(now()).toISOString();
  const emit = (event: SyncEvent) => {
    desk.events.emit('sync', event);
    logger.log(event.kind === 'failed' || event.kind === 'error' ? 'warn' : 'info', `sync ${event.kind}`, { ...event });
  };
  let connection: Connection | null = null;
  let opening: Promise<Connection> | null = null;
  const ctx: JobContext = {
    desk,
    vault,
    signal,
    now,
    report: emit,
    procore: () => {
      opening ??= desk.procore.open(vault.id, { logger }).then((opened) => {
        connection = opened;
        opened.http.onRateLimitPause = (waitMs) => emit({ kind: 'rate-limit-pause', vaultId: vault.id, waitMs });
        return opened;
      });
      return opening;
    },
  };
  emit({ kind: 'started', vaultId: vault.id, job: job.kind });
  let report = emptyReport();
  let outcome: JobRun['outcome'] = 'ok';
  let error: string | null = null;
  try {
    report = await runner(job.kind, options)(ctx);
  } catch (caught) {
    if (!(caught instanceof UserError) && !(caught instanceof Error)) throw caught;
    // Not connected, reconnect needed, no licence, no access: the job cannot start at all.
    outcome = caught instanceof CannotRunError || isConnectionRefusal(caught) ? 'not-run' : 'error';
    error = caught.message;
    if (!(caught instanceof UserError)) logger.log('error', 'sync job failed', { vault: vault.id, job: job.kind, error: caught.message, stack: caught.stack });
    emit({ kind: 'error', vaultId: vault.id, job: job.kind, error: caught.message });
  } finally {
    const opened = connection as Connection | null;
    if (opened) await opened.close().catch(() => undefined);
  }
  if (outcome === 'ok' && report.errors.length) {
    outcome = 'error';
    error = report.errors.join('; ');
  }
  const requests = (connection as Connection | null)?.http.requests ?? 0;
  const rateLimit = (connection as Connection | null)?.http.rateLimit ?? null;
  const finishedAt = new Date(now()).toISOString();
  const record: JobRunRecord = { startedAt, finishedAt, outcome: outcome === 'ok' ? 'ok' : 'error', error, summary: summaryLine(report), requests, rateLimit };
  await desk.imports.updateSyncState(vault.id, (state) => {
    state.runs[job.kind] = record;
  });
  emit({ kind: 'finished', vaultId: vault.id, job: job.kind, outcome: record.outcome, ...(error ? { error } : {}) });
  await logger.flush();
  return { vaultId: vault.id, job: job.kind, outcome, error, report, requests, startedAt, finishedAt };
}

/**
 * Runs one job now, by hand (`jobs run`, `sync reprocess`, the console's "run now"), under the data
 * dir's lease — a LeaseHeldError names the loop that has it — polling every project, whatever the
 * plan says.
 */
export async function runJobNow(desk: Desk, vault: Vault, job: Job, command: string, options: RunOptions = {}): Promise<JobRun> {
  const lease = await desk.sync.takeLease(command);
  try {
    return await runJob(desk, vault, job, { ...options, importer: { everyProject: true, policy: policyFor(job, options.importer?.policy), ...options.importer } });
  } finally {
    await lease.release().catch(() => undefined);
  }
}

function isConnectionRefusal(error: Error): boolean {
  return ['AccessRefusedError', 'ReconnectNeededError'].includes(error.name) || /not connected to Procore|must be granted again|no Procore client|not configured for Procore/.test(error.message);
}

function runner(kind: JobKind, options: RunOptions): (ctx: JobContext) => Promise<JobReport> {
  switch (kind) {
    case 'procore-import':
      return (ctx) => runProcoreImport(ctx, options.importer ?? {});
    case 'check-backfiller':
      return runCheckBackfiller;
    case 'folder-watch':
      return runFolderWatch;
  }
}

/** One line of what a run did, for `jobs list` and the log. */
export function summaryLine(report: JobReport): string {
  return countsLine([
    [report.imported.length, 'imported'],
    [report.routed.length, 'routed'],
    [report.leftInQueue.length, 'left in the queue'],
    [report.waiting.length, 'waiting'],
    [report.skipped.length, 'skipped'],
    [report.failed.length, 'failed'],
    [report.paid.length, 'paid'],
    [report.paymentsCreated.length, report.paymentsCreated.length === 1 ? 'payment created' : 'payments created'],
    [report.documentsAdded.length, report.documentsAdded.length === 1 ? 'document added' : 'documents added'],
  ]);
}

/** The vaults a cycle covers: one, or every vault of the data dir. */
async function vaultsOf(desk: Desk, vaultRef?: string): Promise<Vault[]> {
  return vaultRef !== undefined ? [await desk.vaults.get(vaultRef)] : desk.vaults.list();
}

/** Every enabled job of each vault, once, now, whatever its schedule (`sync --once`). */
export async function runCycle(desk: Desk, options: RunOptions & { vault?: string } = {}): Promise<VaultCycle[]> {
  const cycles: VaultCycle[] = [];
  const jobs = await desk.jobs.list(options.vault);
  for (const vault of await vaultsOf(desk, options.vault)) {
    const enabled = JOB_KINDS.flatMap((kind) => jobs.filter((job) => job.vaultId === vault.id && job.kind === kind && job.enabled));
    const importOff = vault.procore && vault.procore.behavior !== 'manual' && !enabled.some((job) => job.kind === 'procore-import');
    const cycle: VaultCycle = {
      vaultId: vault.id,
      vaultName: vault.name,
      runs: [],
      note: !enabled.length ? `no job is enabled for vault '${vault.name}'` : importOff ? `the Procore import (cloud sync) of vault '${vault.name}' is not enabled, so no Procore invoice comes in` : null,
    };
    for (const job of enabled) {
      if (options.signal?.aborted) break;
      cycle.runs.push(await runJob(desk, vault, job, { ...options, importer: { ...options.importer, everyProject: true, policy: policyFor(job, options.importer?.policy) } }));
    }
    cycles.push(cycle);
  }
  return cycles;
}

export interface LoopOptions extends RunOptions {
  vault?: string;
  /** How often the loop looks for due jobs (ms). */
  tickMs?: number;
  /** Renews the lease; a rejection (the lease was lost) stops the loop. */
  heartbeat?: () => Promise<void>;
  heartbeatMs?: number;
  /** Waits between ticks; a test may pass one that resolves at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Told of each job run as it ends (the console's Sync pane, a benchmark's request count). */
  onRun?: (run: JobRun) => void;
}

/** When a job is due next: never run → now; otherwise its last start plus its wake interval. */
export function nextRunAt(job: Job, last: JobRunRecord | undefined): number {
  return last ? Date.parse(last.startedAt) + wakeEveryMs(job) : 0;
}

/**
 * Runs jobs as they fall due until the signal aborts: the job in hand finishes its current
 * record, then the loop returns. A lost lease ends it with that error.
 */
export async function runLoop(desk: Desk, options: LoopOptions & { signal: AbortSignal }): Promise<void> {
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 5_000;
  const sleep = options.sleep ?? abortableSleep;
  let lost: unknown = null;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | null = null;
  if (options.heartbeat) {
    timer = setInterval(() => {
      options.heartbeat!().catch((error: unknown) => {
        lost = error;
        stop.abort();
      });
    }, options.heartbeatMs ?? 20_000);
    timer.unref();
  }
  try {
    while (!stop.signal.aborted) {
      const jobs = (await desk.jobs.list(options.vault)).filter((job) => job.enabled);
      for (const vault of await vaultsOf(desk, options.vault)) {
        const state = await desk.imports.syncState(vault.id);
        for (const job of jobs.filter((candidate) => candidate.vaultId === vault.id)) {
          if (stop.signal.aborted) break;
          if (nextRunAt(job, state.runs[job.kind]) > now()) continue;
          const run = await runJob(desk, vault, job, { ...options, signal: stop.signal, importer: { ...options.importer, policy: policyFor(job, options.importer?.policy) } });
          options.onRun?.(run);
        }
      }
      if (!stop.signal.aborted) await sleep(tickMs, stop.signal);
    }
  } finally {
    if (timer) clearInterval(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
  if (lost) throw lost;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

