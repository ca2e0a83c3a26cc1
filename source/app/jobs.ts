// Turning a vault's scheduled jobs on and off. (What they do when they run is the sync loop's.)
import { remedy, UserError } from '../domain/errors.js';
import { findJob, JOB_LABELS, type Job, type JobKind } from '../domain/jobs.js';
import { requireAdmin, requireVault } from '../domain/vault.js';
import type { VaultId } from '../domain/ids.js';
import type { DeskContext } from './context.js';

export const DEFAULT_EVERY_MINUTES: Record<JobKind, number> = {
  'procore-import': 15,
  'check-backfiller': 60,
  'folder-watch': 5,
};

export async function listJobs(desk: DeskContext, vaultRef?: string): Promise<Job[]> {
  const settings = await desk.store.settings();
  const vaults = vaultRef !== undefined ? [requireVault(settings.vaults, vaultRef)] : settings.vaults;
  return (settings.jobs ?? []).filter((job) => vaults.some((vault) => vault.id === job.vaultId));
}

export async function setJob(
  desk: DeskContext,
  input: { vault: string; kind: JobKind; enabled: boolean; everyMinutes?: number },
): Promise<Job> {
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, `${input.enabled ? 'enable' : 'disable'} a job`);
    const vault = requireVault(tx.settings.vaults, input.vault);
    tx.settings.jobs ??= [];
    if (!input.enabled && input.kind === 'check-backfiller' && vault.procore?.createPayments) {
      throw new UserError(`Create payments in Procore is on for vault '${vault.name}' and needs the ${JOB_LABELS['check-backfiller']} — turn payments off first`, {
        remedy: remedy('procore.configure', { vault: vault.id, setting: 'create-payments', value: 'off' }),
      });
    }
    let job = findJob(tx.settings.jobs, vault.id, input.kind);
    if (!job) {
      job = {
        vaultId: vault.id as VaultId,
        kind: input.kind,
        enabled: input.enabled,
        everyMinutes: input.everyMinutes ?? DEFAULT_EVERY_MINUTES[input.kind],
        updatedAt: tx.now,
        updatedBy: tx.user,
      };
      tx.settings.jobs.push(job);
    } else {
      job.enabled = input.enabled;
      if (input.everyMinutes !== undefined) job.everyMinutes = input.everyMinutes;
      job.updatedAt = tx.now;
      job.updatedBy = tx.user;
    }
    return job;
  });
}
