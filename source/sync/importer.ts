// The cloud sync (`procore-import`): approved requisitions of the company's projects become
// invoices in the vault's queue, each with its attachments merged into one PDF. Incremental: an
// updated_at watermark per project (less an overlap), so an idle cycle costs about one request per
// project; a requisition already in the vault is never fetched or downloaded again; projects with
// requisitions in flight are polled often and the rest rarely (domain/sync.ts pollPlan).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from '../app/procore.js';
import type { MergedAttachments, RequisitionImport } from '../app/imports.js';
import { UserError } from '../domain/errors.js';
import { procoreConfigOf } from '../domain/procore-config.js';
import { costCodeIndex, namesCostCodeByIdAlone, withProjectCostCodes, type ProcoreCommitment, type ProcoreProject, type ProcoreRequisition, type ProcoreVendor } from '../domain/procore-mapping.js';
import {
  afterPoll,
  decideRequisition,
  importBlocker,
  DEFAULT_POLL_POLICY,
  isApproved,
  isHot,
  pollPlan,
  pollWindow,
  projectDue,
  recordFailure,
  type PollPolicy,
  type SyncState,
} from '../domain/sync.js';
import { emptyReport, type JobContext, type JobReport } from './job.js';

export { importBlocker };

export interface ImporterOptions {
  policy?: PollPolicy;
  /** Poll every project now, whatever the plan says (`sync --once`, `jobs run`). */
  everyProject?: boolean;
  /** Only these projects (reprocessing one requisition). */
  onlyProjects?: readonly string[];
  /** Requisitions downloaded and merged at once. */
  concurrency?: number;
  /** Requisitions recorded per transaction. */
  batchSize?: number;
  mergeDeadlineMs?: number;
  downloadDeadlineMs?: number;
}

/** Why the import cannot run for this vault at all (not a single requisition's failure). */
export class CannotRunError extends UserError {}

interface Lookups {
  commitments: Map<string, Promise<ProcoreCommitment>>;
  vendors: Map<string, Promise<ProcoreVendor | null>>;
  /** Per project: cost code id → full code, read only when an item names its cost code by id alone. */
  costCodes: Map<string, Promise<ReadonlyMap<string, string>>>;
}

export async function runProcoreImport(ctx: JobContext, options: ImporterOptions = {}): Promise<JobReport> {
  const blocked = importBlocker(ctx.vault);
  if (blocked) throw new CannotRunError(blocked);
  const { desk, vault } = ctx;
  const config = procoreConfigOf(vault);
  const companyId = config.companyId!;
  const policy = options.policy ?? DEFAULT_POLL_POLICY;
  const report = emptyReport();
  const resources = await import('../procore/resources.js');
  const { downloadFile } = await import('../procore/files.js');
  const { mergeAttachments } = await import('../documents/merge.js');

  await desk.imports.sweepStaging(vault.id);
  const connection = await ctx.procore();
  const http = connection.http;
  let state = await desk.imports.syncState(vault.id);
  const now = ctx.now();

  // The projects list — the "+ 1" of an idle cycle, and how a new project is found — when the
  // cold interval has passed; between listings the projects are those of the last one.
  const listedAt = state.projectsListedAt ? Date.parse(state.projectsListedAt) : null;
  let projects: ProcoreProject[];
  if (options.everyProject || listedAt === null || now - listedAt >= policy.coldMs || Object.keys(state.projects).length === 0) {
    projects = await resources.projects(http, companyId);
    const visible = new Set(projects.map((project) => project.id as string));
    state = await desk.imports.updateSyncState(vault.id, (draft, at) => {
      draft.projectsVisible = projects.length;
      draft.projectsListedAt = at;
      for (const id of Object.keys(draft.projects)) if (!visible.has(id)) delete draft.projects[id];
      return draft;
    });
  } else {
    projects = Object.values(state.projects).flatMap((poll) => (poll.project ? [poll.project] : []));
  }

  const hot = projects.filter((project) => isHot(state.projects[project.id])).length;
  const plan = pollPlan(hot, projects.length - hot, policy);
  const lookups: Lookups = { commitments: new Map(), vendors: new Map(), costCodes: new Map() };
  const due = projects.filter(
    (project) =>
      (!options.onlyProjects || options.onlyProjects.includes(project.id)) &&
      (options.everyProject || projectDue(state.projects[project.id], plan, now) || hasRecheck(state, project.id, now)),
  );
  report.projectsPolled = due.length;

  for (const project of due) {
    if (ctx.signal.aborted) break;
    try {
      await pollProject(ctx, { connection, project, state, policy, options, lookups, report, resources, downloadFile, mergeAttachments });
    } catch (error) {
      if (error instanceof CannotRunError) throw error;
      if (isAccessProblem(error)) throw new CannotRunError((error as Error).message);
      report.errors.push(`project ${project.name ?? project.id}: ${(error as Error).message}`);
      ctx.report({ kind: 'error', vaultId: vault.id, job: 'procore-import', error: `project ${project.name ?? project.id}: ${(error as Error).message}` });
    }
    state = await desk.imports.syncState(vault.id);
  }
  // Each requisition's downloads are removed once it is recorded; the area itself goes too.
  await desk.imports.sweepStaging(vault.id);
  return report;
}

function hasRecheck(state: SyncState, projectId: string, now: number): boolean {
  return (
    Object.values(state.waiting).some((entry) => entry.projectId === projectId) ||
    Object.values(state.failures).some((entry) => entry.projectId === projectId && Date.parse(entry.nextAttemptAt) <= now)
  );
}

function isAccessProblem(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === 'AccessRefusedError' || name === 'ReconnectNeededError';
}

interface PollInput {
  connection: Connection;
  project: ProcoreProject;
  state: SyncState;
  policy: PollPolicy;
  options: ImporterOptions;
  lookups: Lookups;
  report: JobReport;
  resources: typeof import('../procore/resources.js');
  downloadFile: typeof import('../procore/files.js').downloadFile;
  mergeAttachments: typeof import('../documents/merge.js').mergeAttachments;
}

async function pollProject(ctx: JobContext, input: PollInput): Promise<void> {
  const { desk, vault } = ctx;
  const { connection, project, state, policy, report, resources } = input;
  const now = ctx.now();
  const companyId = procoreConfigOf(vault).companyId!;
  const previous = state.projects[project.id];
  const window = pollWindow(previous, now, policy);
  const listed = await resources.requisitionsChecked(connection.http, project.id, { view: 'extended', ...(window ? { updatedAt: window } : {}) });

  // Waiting ones (no file yet) and failures due a retry are asked for by id: a file added in
  // Procore may not move updated_at.
  const recheck = new Set<string>();
  for (const entry of Object.values(state.waiting)) if (entry.projectId === project.id) recheck.add(entry.requisitionId);
  for (const entry of Object.values(state.failures)) if (entry.projectId === project.id && (input.options.everyProject || Date.parse(entry.nextAttemptAt) <= now)) recheck.add(entry.requisitionId);
  for (const requisition of listed.requisitions) recheck.delete(requisition.id);
  const rechecked = recheck.size ? await resources.requisitionsChecked(connection.http, project.id, { ids: [...recheck], view: 'extended' }) : { requisitions: [], refused: [] };

  const changes: { waiting: Map<string, string | null>; failures: Map<string, string | null>; skipped: Map<string, string> } = {
    waiting: new Map(),
    failures: new Map(),
    skipped: new Map(),
  };
  for (const refused of [...listed.refused, ...rechecked.refused]) {
    const id = refused.id ?? 'unknown';
    report.failed.push({ id, reason: `Procore sent requisition ${id} in a shape apdesk cannot read: ${refused.reason}` });
    if (refused.id) changes.failures.set(refused.id, `Procore sent it in a shape apdesk cannot read: ${refused.reason}`);
    ctx.report({ kind: 'failed', vaultId: vault.id, ...(refused.id ? { requisitionId: refused.id } : {}), error: refused.reason });
  }

  const seen = [...listed.requisitions, ...rechecked.requisitions];
  const candidates: ProcoreRequisition[] = [];
  for (const requisition of seen) {
    if (!isApproved(requisition.status)) {
      // No longer approved (sent back for revision): nothing to wait for or retry.
      if (state.waiting[requisition.id]) changes.waiting.set(requisition.id, null);
      if (state.failures[requisition.id]) changes.failures.set(requisition.id, null);
      continue;
    }
    report.requisitionsSeen += 1;
    if (await desk.imports.whereInVault(vault.id, companyId, requisition.id)) {
      if (state.waiting[requisition.id]) changes.waiting.set(requisition.id, null);
      if (state.failures[requisition.id]) changes.failures.set(requisition.id, null);
      continue;
    }
    const decision = decideRequisition(requisition);
    if (decision.action === 'skip') {
      report.skipped.push({ id: requisition.id, reason: decision.reason });
      changes.skipped.set(requisition.id, decision.reason);
      ctx.report({ kind: 'skipped', vaultId: vault.id, requisitionId: requisition.id, reason: decision.reason });
    } else if (decision.action === 'wait') {
      report.waiting.push({ id: requisition.id, reason: decision.reason });
      changes.waiting.set(requisition.id, decision.reason);
      ctx.report({ kind: 'waiting', vaultId: vault.id, requisitionId: requisition.id, reason: decision.reason });
    } else if (decision.action === 'import') {
      candidates.push(requisition);
    }
  }

  const forget = (id: string) => {
    if (state.waiting[id]) changes.waiting.set(id, null);
    if (state.failures[id]) changes.failures.set(id, null);
  };
  const fail = (id: string, message: string) => {
    report.failed.push({ id, reason: message });
    changes.failures.set(id, message);
    ctx.report({ kind: 'failed', vaultId: vault.id, requisitionId: id, error: message });
  };
  // Downloaded and merged a few at a time; recorded a batch per transaction, the next batch
  // downloading while the one before is written.
  const batchSize = input.options.batchSize ?? 16;
  let recording: Promise<void> = Promise.resolve();
  for (let start = 0; start < candidates.length && !ctx.signal.aborted; start += batchSize) {
    const batch = candidates.slice(start, start + batchSize);
    const prepared: { requisition: ProcoreRequisition; import: RequisitionImport }[] = [];
    await inTurns(batch, input.options.concurrency ?? 4, ctx.signal, async (requisition) => {
      try {
        prepared.push({ requisition, import: await prepareImport(ctx, input, requisition) });
      } catch (error) {
        if (error instanceof CannotRunError || isAccessProblem(error)) throw error;
        fail(requisition.id, (error as Error).message);
      }
    });
    await recording;
    recording = (async () => {
      const outcomes = await desk.imports.recordMany(prepared.map((entry) => entry.import));
      outcomes.forEach((outcome, index) => {
        const { requisition } = prepared[index]!;
        if (outcome.state === 'failed') return fail(requisition.id, outcome.error);
        forget(requisition.id);
        if (outcome.state === 'already') return;
        const invoiceId = outcome.invoice.id;
        report.imported.push(invoiceId);
        if (outcome.routed) report.routed.push(invoiceId);
        else report.leftInQueue.push({ id: invoiceId, reason: outcome.reasons.join(' | ') || 'auto-queue: waits in the queue for a clerk' });
        ctx.report({ kind: 'imported', vaultId: vault.id, requisitionId: requisition.id, invoiceId, routed: outcome.routed, reasons: outcome.reasons });
      });
    })();
    // Awaited before the next batch is recorded; until then a failure must not count as unhandled.
    recording.catch(() => undefined);
  }
  await recording;

  // Last, and only once every import above is recorded: the watermark may move past them.
  await desk.imports.updateSyncState(vault.id, (draft, at) => {
    const stamp = ctx.now();
    // A requisition left failed must be seen again by the next poll: the watermark stays below it.
    const failedIds = new Set([...changes.failures].filter(([, error]) => error !== null).map(([id]) => id));
    const passed = ctx.signal.aborted ? [] : seen.filter((requisition) => !failedIds.has(requisition.id));
    if (!ctx.signal.aborted) draft.projects[project.id] = afterPoll(draft.projects[project.id], passed, { now: stamp, full: window === null, project });
    for (const [id, reason] of changes.waiting) {
      if (reason === null) delete draft.waiting[id];
      else draft.waiting[id] = { requisitionId: id, projectId: project.id, reason, since: draft.waiting[id]?.since ?? at, checkedAt: at };
    }
    for (const [id, error] of changes.failures) {
      if (error === null) delete draft.failures[id];
      else draft.failures[id] = recordFailure(draft.failures[id], { requisitionId: id, projectId: project.id, error, now: stamp });
    }
    for (const [id, reason] of changes.skipped) draft.skipped[id] = { requisitionId: id, projectId: project.id, reason, at };
  });
}

/** Everything a requisition's import needs, read and downloaded: the batch records it. */
async function prepareImport(ctx: JobContext, input: PollInput, listed: ProcoreRequisition): Promise<RequisitionImport> {
  const { vault } = ctx;
  const { connection, project, resources } = input;
  const config = procoreConfigOf(vault);
  // The list with view=extended carries items; a list that does not is completed by one GET.
  const requisition = await withCostCodes(input, listed.items ? listed : await resources.requisition(connection.http, project.id, listed.id));
  const decision = decideRequisition(requisition);
  if (decision.action !== 'import') throw new Error(`requisition ${requisition.id} changed while it was read (${decision.reason}); it is looked at again next cycle`);
  const commitmentId = requisition.commitmentId;
  if (!commitmentId) throw new Error(`requisition ${requisition.id} names no commitment`);
  const commitment = await cached(input.lookups.commitments, commitmentId, () => resources.commitment(connection.http, project.id, commitmentId));
  const vendorId = requisition.vendorId ?? commitment.vendor?.id ?? null;
  const vendor = vendorId
    ? await cached(input.lookups.vendors, vendorId, () => resources.vendor(connection.http, config.companyId!, vendorId).catch(() => null))
    : null;

  let attachments: MergedAttachments;
  try {
    attachments = await downloadAndMerge(ctx, input, requisition);
  } catch (error) {
    // A pre-signed link outlived its time (a long cycle, a slow queue): read the requisition
    // again for fresh links, once.
    if ((error as Error).name !== 'DownloadLinkExpiredError') throw error;
    attachments = await downloadAndMerge(ctx, input, await resources.requisition(connection.http, project.id, requisition.id));
  }
  return {
    vault: vault.id,
    bundle: { requisition, commitment, vendor, project, companyId: config.companyId! },
    attachments,
    route: config.behavior === 'auto-route',
    notes: decision.notes,
    mode: 'auto',
  };
}

/**
 * An item that names its cost code by id alone (no code, no WBS segment) gets the code from the
 * project's cost codes, read once per project and run, and only when some item needs them.
 */
async function withCostCodes(input: PollInput, requisition: ProcoreRequisition): Promise<ProcoreRequisition> {
  if (!requisition.items?.some(namesCostCodeByIdAlone)) return requisition;
  const { connection, project, resources } = input;
  const codes = await cached(input.lookups.costCodes, project.id, async () => {
    try {
      return costCodeIndex(await resources.costCodes(connection.http, project.id));
    } catch (error) {
      if (isAccessProblem(error)) throw error;
      throw new UserError(`the cost codes of Procore project ${project.name ?? project.id} could not be read (its items name their cost code by id alone): ${(error as Error).message}`);
    }
  });
  return withProjectCostCodes(requisition, codes);
}

/**
 * One read per key and run. A failed read is kept for the rest of the run too: the client has
 * already retried it, so asking again for each requisition only multiplies the requests; the
 * requisitions that needed it fail with its reason and are retried next cycle.
 */
function cached<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (!found) {
    found = read();
    // Awaited by each requisition that needs it; until then a failure must not count as unhandled.
    found.catch(() => undefined);
    map.set(key, found);
  }
  return found;
}

async function downloadAndMerge(ctx: JobContext, input: PollInput, requisition: ProcoreRequisition): Promise<MergedAttachments> {
  const { desk, vault } = ctx;
  const { connection } = input;
  const dir = await desk.imports.stagingFolder(vault.id, requisition.id);
  try {
    const files: { name: string; bytes: Uint8Array }[] = [];
    for (const [index, attachment] of requisition.attachments.entries()) {
      const name = attachment.filename?.trim() || `attachment-${index + 1}`;
      const path = join(dir, `${index + 1}`);
      await input.downloadFile(attachment.url, path, {
        environment: connection.environment,
        tokens: connection.tokens,
        logger: connection.logger,
        ...(input.options.downloadDeadlineMs ? { deadlineMs: input.options.downloadDeadlineMs } : {}),
      });
      input.report.downloads += 1;
      files.push({ name, bytes: await readFile(path) });
    }
    const merged = await input.mergeAttachments(files, input.options.mergeDeadlineMs ? { deadlineMs: input.options.mergeDeadlineMs } : {});
    return { pdf: merged.pdf, pages: merged.pages, kept: merged.kept, names: files.map((file) => file.name) };
  } finally {
    await desk.imports.removeStaging(dir);
  }
}

/** Runs `work` over the items, `limit` at a time, stopping before new items once `signal` aborts. */
async function inTurns<T>(items: readonly T[], limit: number, signal: AbortSignal, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length && !signal.aborted && failure === null) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
