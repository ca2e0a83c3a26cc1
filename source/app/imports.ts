// Procore requisitions becoming invoices: the one transaction that records an import (mapped,
// validated, routed when auto-route says so), exactly once per requisition and vault; manual
// import into a new invoice or a queued document's; the sync state a vault keeps between cycles;
// and the staging folder where attachments are downloaded before they are merged.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { remedy, UserError } from '../domain/errors.js';
import { procoreInvoiceId, type InvoiceId, type ProcoreId, type QueueId } from '../domain/ids.js';
import { newDocument, type Attachment, type ContentType, type Invoice } from '../domain/invoice.js';
import { procoreConfigOf } from '../domain/procore-config.js';
import { mapRequisition, type RequisitionBundle } from '../domain/procore-mapping.js';
import { routeLines } from '../domain/routing.js';
import { emptyVaultRules } from '../domain/rules.js';
import type { SyncState } from '../domain/sync.js';
import { requireQueue, requireRole, requireVault, type Vault } from '../domain/vault.js';
import { decideRoute, plural, summariseIssues } from '../domain/workflow.js';
import { removeDeadWritersFiles } from '../disk/json-file.js';
import { writeDocumentFiles, type DocumentFile } from '../store/documents.js';
import { layout } from '../store/layout.js';
import type { Transaction } from '../store/store.js';
import type { Ledger } from '../domain/ledger.js';
import type { DeskContext } from './context.js';
import { issuesFor, vaultLedger } from './workflow.js';

const PROCESSING = ['admin', 'processor'] as const;

/** The attachments of a requisition as one PDF and the files kept as they came. */
export interface MergedAttachments {
  pdf: Uint8Array | null;
  pages: number;
  /** Files that could not be merged, byte for byte, each with the reason that names it. */
  kept: { name: string; bytes: Uint8Array; contentType: ContentType | null; reason: string }[];
  /** The attachments' names, in order, for the audit trail. */
  names: string[];
}

export interface RequisitionImport {
  vault: string;
  bundle: RequisitionBundle;
  /** Present for the sync's import; a manual import brings no attachments. */
  attachments: MergedAttachments | null;
  /** Auto-route: route it, or leave it in its queue with the reasons (the failover). */
  route: boolean;
  notes: readonly string[];
  /** Who brings it: the sync loop, or a person's manual import. */
  mode: 'auto' | 'manual';
  /** The queue for a new invoice (manual import's --queue); the configured queue otherwise. */
  queue?: string;
  /** Manual import into this queued document's invoice instead of a new one. */
  documentId?: string;
}

export type ImportOutcome =
  | { state: 'imported'; invoice: Invoice; routed: boolean; reasons: string[] }
  | { state: 'already'; invoiceId: InvoiceId; vaultId: string; status: string };

/** Where a requisition is already, in any vault of this data dir: the duplicate a user is told about. */
export async function whereImported(desk: DeskContext, companyId: string, requisitionId: string): Promise<{ vaultId: string; vaultName: string; invoiceId: InvoiceId; status: string } | null> {
  for (const vault of (await desk.store.settings()).vaults) {
    const id = await desk.store.invoiceForRequisition(vault.id, companyId, requisitionId);
    if (!id) continue;
    const row = await desk.store.indexRow(vault.id, id);
    return { vaultId: vault.id, vaultName: vault.name, invoiceId: id, status: row?.status ?? 'unknown' };
  }
  return null;
}

/**
 * Records one requisition as an invoice, in one transaction: mapped, validated and — with
 * auto-route — routed or left unprocessed with its reasons. The requisition is looked for in the
 * vault's index under the data-dir lock first, so a second import (another process, a retry after
 * a crash, a manual import) finds the first and changes nothing.
 */
export async function recordImport(desk: DeskContext, input: RequisitionImport): Promise<ImportOutcome> {
  const [outcome] = await recordImports(desk, [input]);
  if (outcome!.state === 'failed') throw new UserError(outcome!.error);
  return outcome!;
}

/** A requisition the batch could not record (its data cannot make an invoice); the others go on. */
export type BatchImportOutcome = ImportOutcome | { state: 'failed'; error: string };

interface Prepared {
  input: RequisitionImport;
  mapped: ReturnType<typeof mapRequisition>;
  files: DocumentFile[];
  flags: string[];
  notes: string[];
  what: string;
}

/**
 * Records several requisitions of one vault in one transaction (a sync cycle's batch: one lock,
 * one write of each changed file), each exactly once, each as `recordImport` would.
 */
export async function recordImports(desk: DeskContext, inputs: readonly RequisitionImport[]): Promise<BatchImportOutcome[]> {
  if (!inputs.length) return [];
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, PROCESSING, 'import Procore invoices');
  const vaultIds = new Set(inputs.map((input) => requireVault(settings.vaults, input.vault).id));
  if (vaultIds.size > 1) throw new Error('recordImports takes the requisitions of one vault');
  const vault = requireVault(settings.vaults, inputs[0]!.vault);
  const config = procoreConfigOf(vault);

  const outcomes: (BatchImportOutcome | Prepared)[] = [];
  for (const input of inputs) {
    let mapped: Prepared['mapped'];
    try {
      mapped = mapRequisition({ ...input.bundle, ...(config.companyId ? { companyId: config.companyId } : {}) });
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      outcomes.push({ state: 'failed', error: error.message });
      continue;
    }
    // Checked before the work below and again under the lock: the common case costs one lookup.
    const earlier = await desk.store.invoiceForRequisition(vault.id, mapped.procore.companyId, mapped.procore.requisitionId);
    if (earlier) {
      outcomes.push(await already(desk, vault.id, earlier));
      continue;
    }
    const { requisition } = input.bundle;
    outcomes.push({
      input,
      mapped,
      files: input.attachments ? documentFiles(input.attachments) : [],
      flags: input.attachments ? flagsOf(input.attachments) : [],
      notes: [...input.notes, ...mapped.warnings],
      what: `Procore requisition ${mapped.procore.requisitionId}${requisition.number ? ` (#${requisition.number})` : ''}`,
    });
  }
  const work = outcomes.filter((entry): entry is Prepared => 'input' in entry);
  if (!work.length) return outcomes as BatchImportOutcome[];

  const { ledger } = vault.ledger ? await vaultLedger(desk, vault.id) : { ledger: null };
  const recorded = await desk.store.transact(async (tx) => {
    requireRole(tx.settings.users, tx.user, PROCESSING, 'import Procore invoices');
    const current = requireVault(tx.settings.vaults, vault.id);
    const done = new Map<Prepared, BatchImportOutcome>();
    for (const prepared of work) {
      try {
        done.set(prepared, await recordOne(desk, tx, current, prepared, ledger));
      } catch (error) {
        // One requisition's refusal (no such document to fill, no queue) is its own.
        if (!(error instanceof UserError)) throw error;
        done.set(prepared, { state: 'failed', error: error.message });
      }
    }
    return done;
  });
  const ids = [...recorded.values()].flatMap((outcome) => (outcome.state === 'imported' ? [outcome.invoice.id] : []));
  if (ids.length) desk.events.emit('invoices.changed', { vaultId: vault.id, ids, action: 'imported' });
  return outcomes.map((entry) => ('input' in entry ? recorded.get(entry)! : entry));
}

async function recordOne(desk: DeskContext, tx: Transaction, vault: Vault, prepared: Prepared, ledger: Ledger | null): Promise<ImportOutcome> {
  const { input, mapped, files, flags, notes, what } = prepared;
  const link = mapped.procore;
  const again = await tx.invoiceForRequisition(vault.id, link.companyId, link.requisitionId);
  if (again) return already(desk, vault.id, again, tx);
  const source = input.mode === 'auto' ? { kind: 'procore-auto' as const, procore: link } : { kind: 'procore-manual' as const, procore: link };

  let invoice: Invoice;
  if (input.documentId) {
    invoice = fillDocument(await documentToFill(tx, vault, input.documentId), { header: mapped.header, lines: mapped.lines, source, notes, tx, what });
  } else {
    const queueId = queueFor(vault, input.queue);
    const id = procoreInvoiceId(link.companyId, link.requisitionId);
    const attachments: Attachment[] = files.length ? await writeDocumentFiles(tx, vault.id, id, files) : [];
    const pages = input.attachments?.pages ?? 0;
    invoice = newDocument({
      id,
      vaultId: vault.id,
      queueId,
      source,
      attachments,
      user: tx.user,
      now: tx.now,
      detail: input.attachments
        ? `imported ${what} with ${plural(input.attachments.names.length, 'attachment')} (${plural(pages, 'page')} merged${flags.length ? `, ${plural(input.attachments.kept.length, 'file')} kept as ${input.attachments.kept.length === 1 ? 'it came' : 'they came'}` : ''})`
        : `imported ${what} by hand, without its attachments`,
    });
    invoice = { ...invoice, header: mapped.header, lines: mapped.lines, flags, ...(notes.length ? { notes } : {}) };
  }

  // Validated as it lands; routed too under auto-route, or left where it is with every reason.
  let decision: { routed: boolean; reasons: string[] } = { routed: false, reasons: [] };
  if (ledger) {
    const issues = await issuesFor(desk, invoice, vault, 'before-routing', ledger, tx);
    if (input.route) {
      const route = decideRoute(invoice, issues, routeLines(invoice, (vault.rules ?? emptyVaultRules()).routing, ledger), tx.now, { failover: true });
      decision = { routed: route.routed, reasons: route.reasons };
      invoice = entry(
        route.invoice,
        tx,
        route.routed ? 'invoice.routed' : 'invoice.route-failed',
        route.routed ? (issues.length ? 'warning' : 'ok') : 'error',
        route.routed ? `auto-routed to ${route.reviewers.join(', ')}` : `auto-route left it in its queue: ${route.reasons.join(' | ')}`,
      );
    } else {
      const summary = summariseIssues(issues);
      invoice = entry({ ...invoice, validation: { at: tx.now, level: 'before-routing', issues } }, tx, 'invoice.validated', summary.outcome, summary.detail);
      decision = { routed: false, reasons: issues.filter((issue) => issue.level === 'error').map((issue) => issue.message) };
    }
  } else if (input.route) {
    decision = { routed: false, reasons: [`vault '${vault.name}' has no accounting data to validate against — import the accounting folder`] };
    invoice = { ...invoice, routing: { at: tx.now, outcome: 'failed', reasons: decision.reasons } };
  }
  await tx.putInvoice(invoice);
  return { state: 'imported', invoice, ...decision };
}

async function already(desk: DeskContext, vaultId: string, invoiceId: InvoiceId, tx?: Transaction): Promise<ImportOutcome> {
  const row = await (tx ?? desk.store).indexRow(vaultId, invoiceId);
  return { state: 'already', invoiceId, vaultId, status: row?.status ?? 'unknown' };
}

function queueFor(vault: Vault, asked: string | undefined): QueueId {
  if (asked !== undefined) return requireQueue(vault, asked).id;
  const configured = procoreConfigOf(vault).queueId;
  if (configured) return requireQueue(vault, configured).id;
  throw new UserError(`vault '${vault.name}' has no queue chosen for Procore invoices — choose one on the Procore configuration's Queue`, {
    remedy: remedy('procore.configure', { vault: vault.id, setting: 'queue' }),
  });
}

function documentFiles(attachments: MergedAttachments): DocumentFile[] {
  const files: DocumentFile[] = [];
  if (attachments.pdf) files.push({ role: 'document', name: 'document.pdf', bytes: attachments.pdf, contentType: 'application/pdf', pages: attachments.pages });
  for (const kept of attachments.kept) files.push({ role: 'original', name: kept.name, bytes: kept.bytes, contentType: kept.contentType, pages: null });
  return files;
}

function flagsOf(attachments: MergedAttachments): string[] {
  const flags = attachments.kept.map((kept) => kept.reason);
  if (!attachments.pdf) flags.push('no attachment could be merged into a PDF: the invoice has only the files kept as they came');
  return flags;
}

function entry(invoice: Invoice, tx: Transaction, action: string, outcome: 'ok' | 'warning' | 'error', detail: string): Invoice {
  return { ...invoice, updatedAt: tx.now, audit: [...invoice.audit, { at: tx.now, user: tx.user, action, outcome, detail }] };
}

/** A queued document a manual import may fill: in this vault, not from Procore, not yet routed. */
async function documentToFill(tx: Transaction, vault: Vault, documentId: string): Promise<Invoice> {
  const id = documentId.trim().toUpperCase();
  const invoice = await tx.getInvoice(vault.id, id);
  if (!invoice) throw new UserError(`no document '${documentId}' in vault '${vault.name}' — give the id of a document in one of its queues`, { remedy: remedy('invoices.list', { vault: vault.id }) });
  if (invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual') {
    throw new UserError(`${invoice.id} is already filled from Procore requisition ${invoice.source.procore.requisitionId}; nothing was changed`);
  }
  if (invoice.status !== 'unprocessed' && invoice.status !== 'incomplete') {
    throw new UserError(`${invoice.id} is ${invoice.status}; only a document still in its queue (unprocessed or incomplete) can be filled from Procore — reset it for edit first`, {
      remedy: remedy('invoices.reset', { invoice: invoice.id }),
    });
  }
  return invoice;
}

function fillDocument(
  invoice: Invoice,
  input: { header: Invoice['header']; lines: Invoice['lines']; source: Invoice['source']; notes: string[]; tx: Transaction; what: string },
): Invoice {
  const filled: Invoice = { ...invoice, header: input.header, lines: input.lines, source: input.source, status: 'unprocessed', routing: null, validation: null, ...(input.notes.length ? { notes: input.notes } : {}) };
  return entry(filled, input.tx, 'procore.imported', 'ok', `filled from ${input.what} (header and ${plural(input.lines.length, 'line')}); its attachments stay as they were`);
}

// ---- the sync state ----

export async function readSyncState(desk: DeskContext, vaultRef: string): Promise<SyncState> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  return desk.store.syncState(vault.id);
}

/** Changes a vault's sync state in one transaction; a state kept for another company starts afresh. */
export async function updateSyncState<T>(desk: DeskContext, vaultRef: string, change: (state: SyncState, now: string) => T): Promise<T> {
  return desk.store.transact(async (tx) => {
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const state = await tx.syncState(vault.id);
    const companyId = procoreConfigOf(vault).companyId;
    if (state.companyId !== companyId) {
      Object.assign(state, { companyId, projects: {}, projectsVisible: null, projectsListedAt: null, waiting: {}, failures: {}, skipped: {} });
    }
    return change(state, tx.now);
  });
}

// ---- staging ----

/**
 * A fresh folder for one requisition's downloads, in the vault's staging area. Only the sync
 * loop (one per data dir, under its lease) stages, so `sweepStaging` at the start of its run
 * removes whatever a killed run left.
 */
export async function stagingFolder(desk: DeskContext, vaultId: string, requisitionId: ProcoreId | string): Promise<string> {
  const dir = join(layout.staging(desk.dataDir, vaultId), `${requisitionId}-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeStaging(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * Removes what a killed run left: everything in the vault's staging area, and the temporary
 * files of writers that died mid-write (their pid gone) beside the data dir's and the vault's
 * files. Returns how many leftovers there were.
 */
export async function sweepStaging(desk: DeskContext, vaultId: string): Promise<number> {
  await desk.store.clearUnfinishedDocuments(vaultId);
  const removed = await removeDeadWritersFiles([
    desk.dataDir,
    layout.vaultDir(desk.dataDir, vaultId),
    layout.invoicesDir(desk.dataDir, vaultId),
    layout.indexDir(desk.dataDir, vaultId),
  ]);
  return removed + (await removeStagingArea(desk, vaultId));
}

async function removeStagingArea(desk: DeskContext, vaultId: string): Promise<number> {
  const root = layout.staging(desk.dataDir, vaultId);
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return 0;
  }
  await rm(root, { recursive: true, force: true });
  return names.length;
}
