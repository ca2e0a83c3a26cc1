// What `jobs list` (and the console's Sync & Jobs pane) shows of each job: its schedule, its last
// run and the next, why it cannot import, and for the Procore import what its polling plan costs.
import type { Desk } from '../app/desk.js';
import { JOB_LABELS, type JobKind } from '../domain/jobs.js';
import { isHot, pollPlan, type JobRunRecord, type PollPlan } from '../domain/sync.js';
import { importBlocker } from './importer.js';
import { nextRunAt, policyFor, wakeEveryMs } from './loop.js';

export interface JobStatus {
  vaultId: string;
  kind: JobKind;
  label: string;
  enabled: boolean;
  everyMinutes: number;
  /** How often the loop wakes the job (the import more often than its interval: see the plan). */
  wakeEveryMs: number;
  lastRun: JobRunRecord | null;
  /** When the running loop will start it next (null while disabled). */
  nextRunAt: string | null;
  /** Why the job cannot do its work now, or null. */
  blocker: string | null;
  /** The Procore import's polling plan, from what the last runs saw. */
  plan: PollPlan | null;
  projectsVisible: number | null;
}

export async function jobStatuses(desk: Desk, vaultRef?: string): Promise<JobStatus[]> {
  const jobs = await desk.jobs.list(vaultRef);
  const vaults = await desk.vaults.list();
  const rows: JobStatus[] = [];
  for (const job of jobs) {
    const vault = vaults.find((candidate) => candidate.id === job.vaultId);
    if (!vault) continue;
    const state = await desk.imports.syncState(vault.id);
    const last = state.runs[job.kind] ?? null;
    let plan: PollPlan | null = null;
    if (job.kind === 'procore-import') {
      const polls = Object.values(state.projects);
      const hot = polls.filter((poll) => isHot(poll)).length;
      plan = pollPlan(hot, Math.max(0, (state.projectsVisible ?? polls.length) - hot), policyFor(job));
    }
    const next = job.enabled ? Math.max(nextRunAt(job, last ?? undefined), Date.now()) : null;
    rows.push({
      vaultId: job.vaultId,
      kind: job.kind,
      label: JOB_LABELS[job.kind],
      enabled: job.enabled,
      everyMinutes: job.everyMinutes,
      wakeEveryMs: wakeEveryMs(job),
      lastRun: last,
      nextRunAt: next === null ? null : new Date(next).toISOString(),
      blocker: job.kind === 'procore-import' ? importBlocker(vault) : null,
      plan,
      projectsVisible: job.kind === 'procore-import' ? state.projectsVisible : null,
    });
  }
  return rows;
}
