// Scheduled jobs of a vault, as configuration: which exist, whether they are enabled, how often
// they run. Running them is the sync loop's business.
import { UserError } from './errors.js';
import type { VaultId } from './ids.js';

export const JOB_KINDS = ['procore-import', 'check-backfiller', 'folder-watch'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const JOB_LABELS: Record<JobKind, string> = {
  'procore-import': 'Procore import (cloud sync)',
  'check-backfiller': 'Job Poll Invoice Check Backfiller',
  'folder-watch': 'Folder Watch Import',
};

export interface Job {
  vaultId: VaultId;
  kind: JobKind;
  enabled: boolean;
  everyMinutes: number;
  updatedAt: string;
  updatedBy: string;
}

export function parseJobKind(value: string): JobKind {
  const normal = value.trim().toLowerCase();
  const found = JOB_KINDS.find((kind) => kind === normal);
  if (!found) throw new UserError(`job '${value}' is not one of: ${JOB_KINDS.join(', ')}`);
  return found;
}

/** "15m", "2h", "30" (minutes) → minutes, between 1 minute and a day. */
export function parseInterval(value: string): number {
  const match = /^(\d+)\s*(m|min|h)?$/i.exec(value.trim());
  if (!match) throw new UserError(`interval '${value}' is not like 15m or 2h`);
  const minutes = Number(match[1]) * (match[2]?.toLowerCase() === 'h' ? 60 : 1);
  if (minutes < 1 || minutes > 24 * 60) throw new UserError(`interval '${value}' must be between 1m and 24h`);
  return minutes;
}

export function findJob(jobs: readonly Job[], vaultId: string, kind: JobKind): Job | undefined {
  return jobs.find((job) => job.vaultId === vaultId && job.kind === kind);
}
