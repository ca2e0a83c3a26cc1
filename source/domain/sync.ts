// The sync loop's decisions, pure: which requisitions are imported, skipped or waited on; when a
// project is polled again (the polling plan under Procore's hourly request budget); when a failed
// import is retried; and the state a vault's sync keeps between cycles.
import type { JobKind } from './jobs.js';
import { BEHAVIOR_LABELS, procoreConfigOf } from './procore-config.js';
import type { ProcoreProject, ProcoreRequisition } from './procore-mapping.js';
import { hasLicence, type Vault } from './vault.js';

/** Statuses that mean the subcontractor invoice reached Approved in Procore. */
export const APPROVED_STATUSES = ['approved', 'approved_as_noted'] as const;
/** Statuses from which a requisition can still become approved: the projects worth polling often. */
export const IN_FLIGHT_STATUSES = ['draft', 'under_review', 'pending_owner_approval', 'revise_and_resubmit'] as const;

export const NO_FILE_REASON = 'no file attached in Procore';

export function isApproved(status: string | null | undefined): boolean {
  return (APPROVED_STATUSES as readonly string[]).includes(status ?? '');
}

export function isInFlight(status: string | null | undefined): boolean {
  return (IN_FLIGHT_STATUSES as readonly string[]).includes(status ?? '');
}

/** A requisition seen approved and not imported, and what to do with it. */
export type RequisitionDecision =
  | { action: 'ignore'; reason: string }
  | { action: 'skip'; reason: string }
  | { action: 'wait'; reason: string }
  | { action: 'import'; notes: string[] };

/**
 * What the importer does with a requisition that is not in the vault yet. The status is checked
 * here, whatever filter asked for it: a list filter is a request, not a promise.
 */
export function decideRequisition(requisition: ProcoreRequisition): RequisitionDecision {
  if (!isApproved(requisition.status)) return { action: 'ignore', reason: `its status is ${requisition.status ?? 'unknown'}, not approved` };
  const synced = syncedElsewhere(requisition);
  if (synced) return { action: 'skip', reason: synced };
  if (requisition.attachments.length === 0) return { action: 'wait', reason: NO_FILE_REASON };
  const notes: string[] = [];
  if (requisition.electronicSignatureId) notes.push(DOCUSIGN_NOTE);
  return { action: 'import', notes };
}

/** Why a requisition belongs to another integration's accounting system, or null. */
export function syncedElsewhere(requisition: Pick<ProcoreRequisition, 'originId' | 'erpStatus'>): string | null {
  if (requisition.originId) return `synced to an accounting system by another integration (origin_id ${requisition.originId})`;
  if (requisition.erpStatus) return `synced to an accounting system by another integration (ERP status ${requisition.erpStatus})`;
  return null;
}

/** The product page's workaround for invoices signed through DocuSign. */
export const DOCUSIGN_NOTE =
  'signed through DocuSign in Procore: the signed DocuSign document is not included. To include it, download the signed document from the invoice in Procore, add it to a queue, and fill that document from this requisition with Procore Import (apdesk procore import --document)';

/** One thing a job did, as people read it: on desk.events ('sync') and in the log. */
export type SyncEvent =
  | { kind: 'started'; vaultId: string; job: JobKind }
  | { kind: 'finished'; vaultId: string; job: JobKind; outcome: 'ok' | 'error'; error?: string }
  | { kind: 'imported'; vaultId: string; requisitionId: string; invoiceId: string; routed: boolean; reasons: readonly string[] }
  | { kind: 'waiting'; vaultId: string; requisitionId: string; reason: string }
  | { kind: 'skipped'; vaultId: string; requisitionId: string; reason: string }
  | { kind: 'failed'; vaultId: string; requisitionId?: string; invoiceId?: string; error: string }
  | { kind: 'payment-created'; vaultId: string; invoiceId: string; paymentId: string; amount: string }
  | { kind: 'document-added'; vaultId: string; invoiceId: string; file: string }
  | { kind: 'rate-limit-pause'; vaultId: string; waitMs: number }
  | { kind: 'error'; vaultId: string; job: JobKind; error: string };

/** What stops a vault's automated import before it asks Procore anything, or null. */
export function importBlocker(vault: Vault): string | null {
  if (!vault.procore) return `vault '${vault.name}' is not configured for Procore`;
  const config = procoreConfigOf(vault);
  if (!hasLicence(vault, 'procore')) return `vault '${vault.name}' has no procore licence`;
  if (!hasLicence(vault, 'cloud-sync')) return `vault '${vault.name}' has no cloud-sync licence: automated import needs it (manual import does not)`;
  if (config.behavior === 'manual') return `vault '${vault.name}' imports by hand (${BEHAVIOR_LABELS.manual}): choose an automated import behaviour, or disable the procore-import job`;
  if (config.connection.state === 'not-connected') return `vault '${vault.name}' is not connected to Procore — Grant Access first`;
  if (config.connection.state === 'reconnect-needed') return `the Procore connection of vault '${vault.name}' must be granted again (${config.connection.reason})`;
  if (!config.companyId) return `vault '${vault.name}' has no Procore company chosen`;
  if (!config.queueId) return `vault '${vault.name}' has no queue chosen for Procore invoices`;
  return null;
}

/**
 * One line on whether a vault's Procore invoices flow in, and why not: the import behaviour, what
 * blocks it, the job, the loop. Null for a vault without Procore.
 */
export function importState(vault: Vault, input: { jobEnabled: boolean; loopRunning: boolean; lastRun?: JobRunRecord | null }): string | null {
  if (!vault.procore) return null;
  const config = procoreConfigOf(vault);
  if (config.behavior === 'manual') return `${BEHAVIOR_LABELS.manual}: invoices come in only by hand (apdesk procore import)`;
  const blocked = importBlocker(vault);
  if (blocked) return `nothing imports: ${blocked}`;
  if (!input.jobEnabled) return `nothing imports: the procore-import job is not enabled — apdesk jobs enable --vault ${vault.id} procore-import`;
  if (!input.loopRunning) return 'nothing imports until the sync loop runs — apdesk sync (or once: apdesk sync --once)';
  const last = input.lastRun;
  return last ? `importing; last run ${last.startedAt}: ${last.outcome === 'ok' ? last.summary : `error: ${last.error}`}` : 'importing; not run yet';
}

// ---- the state a vault's sync keeps ----

/** What the importer knows of one project between cycles. */
export interface ProjectPoll {
  /** The project as last listed: the importer maps its job from it between listings. */
  project?: ProcoreProject | null;
  /** The newest updated_at seen in the project's requisitions: the next poll asks from here (less an overlap). */
  watermark: string | null;
  lastPolledAt: string | null;
  /** Requisitions that may still become approved, by id, with their status. */
  inFlight: Record<string, string>;
  name: string | null;
}

export interface WaitingRequisition {
  requisitionId: string;
  projectId: string;
  reason: string;
  since: string;
  checkedAt: string;
}

export interface ImportFailure {
  requisitionId: string;
  projectId: string;
  error: string;
  attempts: number;
  firstAt: string;
  lastAt: string;
  nextAttemptAt: string;
}

export interface SkippedRequisition {
  requisitionId: string;
  projectId: string;
  reason: string;
  at: string;
}

/** The last run of a job: what `jobs list` shows. */
export interface JobRunRecord {
  startedAt: string;
  finishedAt: string;
  outcome: 'ok' | 'error';
  error: string | null;
  /** One line of what it did ("3 imported, 1 waiting"). */
  summary: string;
  requests: number;
  /** Procore's rate limit as the run's last answer stated it (absent in records from before it was kept). */
  rateLimit?: { limit: number | null; remaining: number; resetAt: string } | null;
}

export interface SyncState {
  /** The Procore company this state is about: another company starts afresh. */
  companyId: string | null;
  projects: Record<string, ProjectPoll>;
  /** Projects the connected user can see, as of the last projects list. */
  projectsVisible: number | null;
  projectsListedAt: string | null;
  waiting: Record<string, WaitingRequisition>;
  failures: Record<string, ImportFailure>;
  skipped: Record<string, SkippedRequisition>;
  runs: Partial<Record<JobKind, JobRunRecord>>;
}

export function emptySyncState(): SyncState {
  return { companyId: null, projects: {}, projectsVisible: null, projectsListedAt: null, waiting: {}, failures: {}, skipped: {}, runs: {} };
}

// ---- retries ----

const MINUTE = 60_000;
/** 1, 2, 4 … minutes, at most 6 hours apart. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MINUTE * 2 ** Math.max(0, attempts - 1), 6 * 60 * MINUTE);
}

export function recordFailure(previous: ImportFailure | undefined, input: { requisitionId: string; projectId: string; error: string; now: number }): ImportFailure {
  const attempts = (previous?.attempts ?? 0) + 1;
  const at = new Date(input.now).toISOString();
  return {
    requisitionId: input.requisitionId,
    projectId: input.projectId,
    error: input.error,
    attempts,
    firstAt: previous?.firstAt ?? at,
    lastAt: at,
    nextAttemptAt: new Date(input.now + retryDelayMs(attempts)).toISOString(),
  };
}

// ---- the polling plan ----

/**
 * How often projects are polled, within a share of the app's hourly request budget. Only
 * requisitions in flight can become approved, so a project holding some ("hot") is polled often,
 * the others ("cold": where a new requisition could appear) rarely. The budget is shared: a few
 * hot projects are polled every `hotMinMs`; many stretch the interval so the total stays within.
 */
export interface PollPolicy {
  /** Requests per hour the import may spend (Procore gives 3,600 per app and user; default half). */
  budgetPerHour: number;
  /** The shortest hot interval. */
  hotMinMs: number;
  /** The longest a cold project waits. */
  coldMs: number;
  /** Overlap taken off the watermark, for clocks that disagree and updates landing late. */
  overlapMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = { budgetPerHour: 1800, hotMinMs: 60_000, coldMs: 30 * MINUTE, overlapMs: 5 * MINUTE };

export interface PollPlan {
  hotMs: number;
  coldMs: number;
  hotProjects: number;
  coldProjects: number;
  /** What the plan costs when nothing changes, requests per hour (the projects list included). */
  requestsPerHour: number;
  budgetPerHour: number;
}

/** The intervals for this many hot and cold projects, keeping idle polling within the budget. */
export function pollPlan(hotProjects: number, coldProjects: number, policy: PollPolicy = DEFAULT_POLL_POLICY, listEveryMs = policy.coldMs): PollPlan {
  const hour = 60 * MINUTE;
  const listing = hour / listEveryMs;
  // The cold projects first: their rate is fixed by coldMs, stretched only if it alone overspends.
  let coldMs = policy.coldMs;
  const coldShare = (policy.budgetPerHour - listing) / 4;
  if (coldProjects > 0 && (coldProjects * hour) / coldMs > coldShare) coldMs = Math.ceil((coldProjects * hour) / Math.max(1, coldShare));
  const left = policy.budgetPerHour - listing - (coldProjects * hour) / coldMs;
  let hotMs = policy.hotMinMs;
  if (hotProjects > 0 && (hotProjects * hour) / hotMs > left) hotMs = Math.ceil((hotProjects * hour) / Math.max(1, left));
  const requestsPerHour = Math.round(listing + (hotProjects * hour) / hotMs + (coldProjects * hour) / coldMs);
  return { hotMs, coldMs, hotProjects, coldProjects, requestsPerHour, budgetPerHour: policy.budgetPerHour };
}

export function isHot(poll: ProjectPoll | undefined): boolean {
  return poll !== undefined && Object.keys(poll.inFlight).length > 0;
}

/** Whether a project is due a poll now (never polled: yes). */
export function projectDue(poll: ProjectPoll | undefined, plan: PollPlan, now: number): boolean {
  if (!poll?.lastPolledAt) return true;
  const interval = isHot(poll) ? plan.hotMs : plan.coldMs;
  return now - Date.parse(poll.lastPolledAt) >= interval;
}

/** The updated_at window to ask for: from the watermark less the overlap (everything when there is none). */
export function pollWindow(poll: ProjectPoll | undefined, now: number, policy: PollPolicy = DEFAULT_POLL_POLICY): [string, string] | null {
  if (!poll?.watermark) return null;
  const from = new Date(Date.parse(poll.watermark) - policy.overlapMs).toISOString();
  // A day ahead: a Procore clock ahead of ours must not hide an update.
  const to = new Date(now + 24 * 60 * MINUTE).toISOString();
  return [from, to];
}

/** The project's poll state after seeing these requisitions (a full list replaces what was in flight). */
export function afterPoll(
  poll: ProjectPoll | undefined,
  seen: readonly Pick<ProcoreRequisition, 'id' | 'status' | 'updatedAt'>[],
  input: { now: number; full: boolean; project: ProcoreProject },
): ProjectPoll {
  const inFlight: Record<string, string> = input.full ? {} : { ...(poll?.inFlight ?? {}) };
  let watermark = poll?.watermark ?? null;
  for (const requisition of seen) {
    if (isInFlight(requisition.status)) inFlight[requisition.id] = requisition.status!;
    else delete inFlight[requisition.id];
    if (requisition.updatedAt && (!watermark || Date.parse(requisition.updatedAt) > Date.parse(watermark))) watermark = requisition.updatedAt;
  }
  return { project: input.project, watermark, lastPolledAt: new Date(input.now).toISOString(), inFlight, name: input.project.name ?? poll?.name ?? null };
}

/** "3 imported, 1 waiting, 2 skipped" — the parts that are not zero, or "nothing to do". */
export function countsLine(parts: readonly [number, string][]): string {
  const shown = parts.filter(([count]) => count > 0).map(([count, what]) => `${count} ${what}`);
  return shown.length ? shown.join(', ') : 'nothing to do';
}
