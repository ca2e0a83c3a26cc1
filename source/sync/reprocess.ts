// `sync reprocess`: a failed or waiting requisition imported again now — by this process when no
// sync loop runs, or by the running loop at its next poll (it is marked due at once).
import type { Desk } from '../app/desk.js';
import { UserError } from '../domain/errors.js';
import { procoreConfigOf } from '../domain/procore-config.js';
import { runJob } from './loop.js';

export interface ReprocessResult {
  requisitionId: string;
  /** imported: it is in the vault now; queued: the running loop takes it next; failed / waiting: still so, with why. */
  state: 'imported' | 'queued' | 'failed' | 'waiting' | 'already';
  invoiceId: string | null;
  message: string;
}

export async function reprocess(desk: Desk, vaultRef: string, requisitionId: string): Promise<ReprocessResult> {
  const vault = await desk.vaults.get(vaultRef);
  const companyId = procoreConfigOf(vault).companyId;
  const already = companyId ? await desk.imports.whereInVault(vault.id, companyId, requisitionId) : undefined;
  if (already) {
    return { requisitionId, state: 'already', invoiceId: already, message: `Requisition ${requisitionId} is already imported as ${already}; nothing to do.` };
  }
  const state = await desk.imports.syncState(vault.id);
  const record = state.failures[requisitionId] ?? state.waiting[requisitionId];
  if (!record) {
    throw new UserError(`requisition ${requisitionId} is not among vault '${vault.name}'s failed or waiting imports — see apdesk sync failures --vault ${vault.id}`);
  }
  // Due now: a running loop retries it at its next poll of the project, whatever the backoff said.
  await desk.imports.updateSyncState(vault.id, (draft, at) => {
    const failure = draft.failures[requisitionId];
    if (failure) failure.nextAttemptAt = at;
  });
  let lease;
  try {
    lease = await desk.sync.takeLease(`apdesk sync reprocess ${requisitionId}`);
  } catch (error) {
    if ((error as Error).name !== 'LeaseHeldError') throw error;
    return { requisitionId, state: 'queued', invoiceId: null, message: `The running sync loop will import requisition ${requisitionId} at its next poll of project ${record.projectId} (it is due now).` };
  }
  try {
    const job = (await desk.jobs.list(vault.id)).find((candidate) => candidate.kind === 'procore-import') ?? {
      vaultId: vault.id,
      kind: 'procore-import' as const,
      enabled: true,
      everyMinutes: 15,
      updatedAt: '',
      updatedBy: '',
    };
    const run = await runJob(desk, vault, job, { importer: { onlyProjects: [record.projectId], everyProject: true } });
    if (run.outcome === 'not-run') throw new UserError(`requisition ${requisitionId} could not be imported: ${run.error}`);
    const invoiceId = companyId ? await desk.imports.whereInVault(vault.id, companyId, requisitionId) : undefined;
    if (invoiceId) return { requisitionId, state: 'imported', invoiceId, message: `Requisition ${requisitionId} is imported as ${invoiceId}.` };
    const failed = run.report.failed.find((entry) => entry.id === requisitionId);
    if (failed) return { requisitionId, state: 'failed', invoiceId: null, message: `Requisition ${requisitionId} failed again: ${failed.reason}` };
    const waiting = run.report.waiting.find((entry) => entry.id === requisitionId);
    if (waiting) return { requisitionId, state: 'waiting', invoiceId: null, message: `Requisition ${requisitionId} still waits: ${waiting.reason}` };
    const skipped = run.report.skipped.find((entry) => entry.id === requisitionId);
    throw new UserError(`requisition ${requisitionId} was not imported${skipped ? `: ${skipped.reason}` : ': Procore no longer lists it as approved in that project'}`);
  } finally {
    await lease.release().catch(() => undefined);
  }
}
