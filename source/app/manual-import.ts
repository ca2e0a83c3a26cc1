// Manual import (the configuration page's third behaviour, and available under every behaviour):
// the requisitions a clerk can pick from across the company's projects, marked where they are
// already imported or synced elsewhere; and filling an invoice — new, or a queued document's —
// from one of them, without its attachments. Needs the procore licence and a connection; not the
// cloud-sync licence, not the sync loop.
import { remedy, UserError } from '../domain/errors.js';
import type { ProcoreId } from '../domain/ids.js';
import { procoreConfigOf } from '../domain/procore-config.js';
import { costCodeIndex, namesCostCodeByIdAlone, withProjectCostCodes, type ProcoreProject, type ProcoreRequisition } from '../domain/procore-mapping.js';
import { isApproved, syncedElsewhere } from '../domain/sync.js';
import { requireRole, requireVault, type Vault } from '../domain/vault.js';
import { commitment as readCommitment, costCodes as readCostCodes, projects as listProjects, requisition as readRequisition, requisitions as listRequisitions, vendor as readVendor } from '../procore/resources.js';
import type { DeskContext } from './context.js';
import { recordImport, whereImported, type ImportOutcome } from './imports.js';
import { openConnection, type Connection } from './procore.js';

export interface RequisitionChoice {
  id: string;
  projectId: string;
  projectName: string | null;
  number: string | null;
  invoiceNumber: string | null;
  vendorName: string | null;
  contractName: string | null;
  status: string | null;
  /** Current payment due, in cents, when Procore sent the summary. */
  amountDue: number | null;
  billingDate: string | null;
  updatedAt: string | null;
  /** Where it is already: the vault and invoice. */
  imported: { vaultId: string; vaultName: string; invoiceId: string; status: string } | null;
  /** Why another integration owns it (origin_id or ERP status), or null. */
  syncedElsewhere: string | null;
  attachments: number;
}

export interface RequisitionQuery {
  vault: string;
  /** Procore status; 'approved' by default, 'all' for every status. */
  status?: string;
  /** A project id, number or name. */
  project?: string;
  /** Words that must all appear in the vendor, numbers, contract or project. */
  search?: string;
}

async function manualVault(desk: DeskContext, vaultRef: string): Promise<Vault> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  const config = procoreConfigOf(vault);
  if (config.connection.state !== 'connected') {
    throw new UserError(
      config.connection.state === 'reconnect-needed'
        ? `the Procore connection of vault '${vault.name}' must be granted again (${config.connection.reason})`
        : `vault '${vault.name}' is not connected to Procore — Grant Access first`,
      { remedy: remedy('procore.connect', { vault: vault.id }) },
    );
  }
  if (!config.companyId) {
    throw new UserError(`vault '${vault.name}' has no Procore company chosen — pick one first`, { remedy: remedy('procore.companies', { vault: vault.id }) });
  }
  return vault;
}

function matchesProject(project: ProcoreProject, wanted: string): boolean {
  const text = wanted.trim().toLowerCase();
  return [project.id, project.projectNumber, project.name].some((value) => (value ?? '').toLowerCase() === text);
}

/** The company's requisitions a clerk may import, across its projects (or one). */
export async function requisitionChoices(desk: DeskContext, query: RequisitionQuery): Promise<{ vault: Vault; projectsVisible: number; choices: RequisitionChoice[] }> {
  const vault = await manualVault(desk, query.vault);
  requireRole((await desk.store.settings()).users, desk.user, ['admin', 'processor'], 'list Procore invoices to import');
  const connection = await openConnection(desk, vault.id);
  try {
    const companyId = procoreConfigOf(vault).companyId!;
    const projects = await listProjects(connection.http, companyId);
    const chosen = query.project !== undefined ? projects.filter((project) => matchesProject(project, query.project!)) : projects;
    if (query.project !== undefined && !chosen.length) {
      throw new UserError(`no project '${query.project}' among the ${projects.length} projects the connected user can see — give a project id, number or name`);
    }
    const status = (query.status ?? 'approved').trim().toLowerCase();
    const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const choices: RequisitionChoice[] = [];
    for (const project of chosen) {
      // "approved" takes in Procore's "approved as noted" too, so it is checked here, not filtered there.
      const found = await listRequisitions(connection.http, project.id, status === 'all' || status === 'approved' ? {} : { status });
      for (const requisition of found) {
        // The filter is a request; the status is checked on what came back.
        if (status === 'approved' ? !isApproved(requisition.status) : status !== 'all' && requisition.status !== status) continue;
        const choice = await choiceOf(desk, companyId, project, requisition);
        const haystack = [choice.vendorName, choice.number, choice.invoiceNumber, choice.contractName, choice.projectName, choice.id].join(' ').toLowerCase();
        if (words.every((word) => haystack.includes(word))) choices.push(choice);
      }
    }
    return { vault, projectsVisible: projects.length, choices };
  } finally {
    await connection.close();
  }
}

async function choiceOf(desk: DeskContext, companyId: string, project: ProcoreProject, requisition: ProcoreRequisition): Promise<RequisitionChoice> {
  return {
    id: requisition.id,
    projectId: project.id,
    projectName: project.name,
    number: requisition.number,
    invoiceNumber: requisition.invoiceNumber,
    vendorName: requisition.vendorName,
    contractName: requisition.contractName,
    status: requisition.status,
    amountDue: requisition.summary?.currentPaymentDue ?? null,
    billingDate: requisition.billingDate,
    updatedAt: requisition.updatedAt,
    imported: await whereImported(desk, companyId, requisition.id),
    syncedElsewhere: syncedElsewhere(requisition),
    attachments: requisition.attachments.length,
  };
}

/** The project a requisition belongs to: asked of each visible project by id, the given one first. */
async function findRequisition(connection: Connection, companyId: string, requisitionId: string, projectHint?: string): Promise<{ project: ProcoreProject; requisition: ProcoreRequisition }> {
  const projects = await listProjects(connection.http, companyId);
  const ordered = projectHint ? [...projects.filter((project) => matchesProject(project, projectHint)), ...projects.filter((project) => !matchesProject(project, projectHint))] : projects;
  for (const project of ordered) {
    const [found] = await listRequisitions(connection.http, project.id, { ids: [requisitionId] });
    if (found && found.id === requisitionId) return { project, requisition: await readRequisition(connection.http, project.id, requisitionId) };
  }
  throw new UserError(`no requisition ${requisitionId} in the ${projects.length} Procore projects the connected user can see — check the id (apdesk procore requisitions lists them)`);
}

export interface ManualImportInput {
  vault: string;
  requisition: string;
  /** Fill this queued document's invoice (the DocuSign workaround) instead of a new invoice. */
  document?: string;
  /** A new invoice's queue; the configured Procore queue otherwise. */
  queue?: string;
  project?: string;
}

export type ManualImportOutcome = ImportOutcome | { state: 'elsewhere'; vaultId: string; vaultName: string; invoiceId: string; status: string };

/**
 * Fills an invoice from a requisition: header and lines, linked to it, without its attachments.
 * A requisition already in any vault of this data dir is reported where it is; nothing changes.
 */
export async function importRequisition(desk: DeskContext, input: ManualImportInput): Promise<ManualImportOutcome> {
  const vault = await manualVault(desk, input.vault);
  const settings = await desk.store.settings();
  requireRole(settings.users, desk.user, ['admin', 'processor'], 'import Procore invoices');
  if (!/^\d+$/.test(input.requisition.trim())) throw new UserError(`'${input.requisition}' is not a Procore requisition id (digits)`);
  const requisitionId = input.requisition.trim() as ProcoreId;
  const companyId = procoreConfigOf(vault).companyId!;
  const where = await whereImported(desk, companyId, requisitionId);
  if (where) {
    if (where.vaultId === vault.id) return { state: 'already', invoiceId: where.invoiceId, vaultId: where.vaultId, status: where.status };
    return { state: 'elsewhere', ...where };
  }
  const connection = await openConnection(desk, vault.id);
  try {
    const { project, requisition: read } = await findRequisition(connection, companyId, requisitionId, input.project);
    // Items that name their cost code by id alone get it from the project's cost codes, as the sync's import does.
    const requisition = read.items?.some(namesCostCodeByIdAlone) ? withProjectCostCodes(read, costCodeIndex(await readCostCodes(connection.http, project.id))) : read;
    const other = syncedElsewhere(requisition);
    if (other) throw new UserError(`requisition ${requisitionId} is ${other}; importing it here would pay it twice — nothing was changed`);
    if (!requisition.commitmentId) throw new UserError(`requisition ${requisitionId} names no commitment in Procore; nothing was changed`);
    const commitment = await readCommitment(connection.http, project.id, requisition.commitmentId);
    const vendorId = requisition.vendorId ?? commitment.vendor?.id ?? null;
    const vendor = vendorId ? await readVendor(connection.http, companyId, vendorId).catch(() => null) : null;
    return await recordImport(desk, {
      vault: vault.id,
      bundle: { requisition, commitment, vendor, project, companyId: companyId as ProcoreId },
      attachments: null,
      route: false,
      notes: isApproved(requisition.status) ? [] : [`imported while its status in Procore is ${requisition.status}, not approved`],
      mode: 'manual',
      ...(input.queue !== undefined ? { queue: input.queue } : {}),
      ...(input.document !== undefined ? { documentId: input.document } : {}),
    });
  } finally {
    await connection.close();
  }
}
