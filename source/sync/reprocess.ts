// `sync reprocess`: a failed or waiting requisition imported again now — by this process when no
// sync loop runs, or by the running loop at its next poll (it is marked due at once).
import type { Desk } from '../app/desk.js';
import { UserError } from '../domain/errors.js';
import { procoreConfigOf } from '../domain/procore-config.js';
import { runJobNow, type JobRun } from './loop.js';

export interface ReprocessResult {
  requisitionId: string;
  /** imported: it is in the vault now; queued: the running loop takes it next; failed / waiting: still so, with why. */
  state: 'imported' | 'queued' | 'failed' | 'waiting' | 'already';
  invoiceId: string | null;
  message: string;
}

/**
 * A requisition id (digits) is an import to try again; an invoice id is a Procore payment that
 * Procore refused, asked for again once the user has fixed the cause.
 */
export async function reprocess(desk: Desk, vaultRef: string, ref: string): Promise<ReprocessResult> {
  if (!/^\d+$/.test(ref)) return reprocessPayment(desk, vaultRef, ref);
  const requisitionId = ref;
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
  const job = (await desk.jobs.list(vault.id)).find((candidate) => candidate.kind === 'procore-import') ?? {
    vaultId: vault.id,
    kind: 'procore-import' as const,
    enabled: true,
    everyMinutes: 15,
    updatedAt: '',
    updatedBy: '',
  };
  const run = await unlessLoopRuns(() => runJobNow(desk, vault, job, `apdesk sync reprocess ${requisitionId}`, { importer: { onlyProjects: [record.projectId] } }));
  if (!run) {
    return { requisitionId, state: 'queued', invoiceId: null, message: `The running sync loop will import requisition ${requisitionId} at its next poll of project ${record.projectId} (it is due now).` };
  }
  if (run.outcome === 'not-run') throw new UserError(`requisition ${requisitionId} could not be imported: ${run.error}`);
  const invoiceId = companyId ? await desk.imports.whereInVault(vault.id, companyId, requisitionId) : undefined;
  if (invoiceId) return { requisitionId, state: 'imported', invoiceId, message: `Requisition ${requisitionId} is imported as ${invoiceId}.` };
  const failed = run.report.failed.find((entry) => entry.id === requisitionId);
  if (failed) return { requisitionId, state: 'failed', invoiceId: null, message: `Requisition ${requisitionId} failed again: ${failed.reason}` };
  const waiting = run.report.waiting.find((entry) => entry.id === requisitionId);
  if (waiting) return { requisitionId, state: 'waiting', invoiceId: null, message: `Requisition ${requisitionId} still waits: ${waiting.reason}` };
  const skipped = run.report.skipped.find((entry) => entry.id === requisitionId);
  throw new UserError(`requisition ${requisitionId} was not imported${skipped ? `: ${skipped.reason}` : ': Procore no longer lists it as approved in that project'}`);
}

async function reprocessPayment(desk: Desk, vaultRef: string, invoiceRef: string): Promise<ReprocessResult> {
  const vault = await desk.vaults.get(vaultRef);
  const invoice = await desk.invoices.get(invoiceRef);
  if (invoice.vaultId !== vault.id) throw new UserError(`invoice ${invoice.id} is in vault '${invoice.vaultId}', not '${vault.name}'`);
  await desk.payments.retry(invoice.id);
  const job = (await desk.jobs.list(vault.id)).find((candidate) => candidate.kind === 'check-backfiller');
  if (!job) throw new UserError(`vault '${vault.name}' has no check-backfiller job — enable it: apdesk jobs enable --vault ${vault.id} check-backfiller`);
  const run = await unlessLoopRuns(() => runJobNow(desk, vault, job, `apdesk sync reprocess ${invoice.id}`));
  if (!run) {
    return { requisitionId: invoice.id, state: 'queued', invoiceId: invoice.id, message: `The running sync loop will ask Procore for the payment of ${invoice.id} at the check backfiller's next run.` };
  }
  if (run.report.paymentsCreated.includes(invoice.id)) {
    return { requisitionId: invoice.id, state: 'imported', invoiceId: invoice.id, message: `The payment of ${invoice.id} is created in Procore.` };
  }
  const failed = run.report.failed.find((entry) => entry.id === invoice.id);
  if (failed) return { requisitionId: invoice.id, state: 'failed', invoiceId: invoice.id, message: `Procore refused the payment of ${invoice.id} again: ${failed.reason}` };
  const error = run.error ? ` (${run.error})` : '';
  return { requisitionId: invoice.id, state: 'queued', invoiceId: invoice.id, message: `The payment of ${invoice.id} is asked for again; the check backfiller's next run sends it${error}.` };
}

/** The run, or null when a sync loop holds the lease (it will do the work itself). */
async function unlessLoopRuns(run: () => Promise<JobRun>): Promise<JobRun | null> {
  try {
    return await run();
  } catch (error) {
    if ((error as Error).name === 'LeaseHeldError') return null;
    throw error;
  }
}
