// Read-only views of a data dir that the status command and the console both show.
import { INVOICE_STATUSES, type InvoiceStatus } from '../domain/invoice.js';
import { requireVault, type Queue, type Vault } from '../domain/vault.js';
import { currentHolder, type LockHolder } from '../store/lock.js';
import { currentLease, type LeaseHolder } from '../store/lease.js';
import { findJob } from '../domain/jobs.js';
import { importState } from '../domain/sync.js';
import type { DeskContext } from './context.js';

export type StatusCounts = Record<InvoiceStatus, number>;

export interface QueueSummary {
  queue: Queue;
  documents: number;
}

export interface VaultSummary {
  vault: Vault;
  invoices: number;
  byStatus: StatusCounts;
  queues: QueueSummary[];
}

/** How many invoices a vault holds, in all, per status and per queue (absent means none). */
export interface InvoiceTally {
  total: number;
  byStatus: Partial<Record<InvoiceStatus, number>>;
  byQueue: Record<string, number>;
}

export function summaryOf(vault: Vault, counts: InvoiceTally): VaultSummary {
  const byStatus = Object.fromEntries(INVOICE_STATUSES.map((status) => [status, counts.byStatus[status] ?? 0])) as StatusCounts;
  return {
    vault,
    invoices: counts.total,
    byStatus,
    queues: vault.queues.map((queue) => ({ queue, documents: counts.byQueue[queue.id] ?? 0 })),
  };
}

/** Counts from the vault's index: no invoice is opened, whatever the vault's size. */
async function summarise(desk: DeskContext, vault: Vault): Promise<VaultSummary> {
  return summaryOf(vault, await desk.store.invoiceCounts(vault.id));
}

export async function vaultSummary(desk: DeskContext, vaultRef: string): Promise<VaultSummary> {
  return summarise(desk, requireVault((await desk.store.settings()).vaults, vaultRef));
}

export async function vaultSummaries(desk: DeskContext): Promise<VaultSummary[]> {
  const settings = await desk.store.settings();
  return Promise.all(settings.vaults.map((vault) => summarise(desk, vault)));
}

export interface DeskStatus {
  dataDir: string;
  user: string;
  roles: string[];
  initialized: boolean;
  schemaVersion: number;
  vaults: VaultSummary[];
  lock: LockHolder | null;
  /** Who runs the sync loop of this data dir, and whether that holder has gone. */
  sync: { holder: LeaseHolder; expired: boolean } | null;
  problems: string[];
  /** Per vault with Procore: whether its invoices flow in, and why not. */
  imports: { vaultId: string; state: string }[];
}

export async function deskStatus(desk: DeskContext): Promise<DeskStatus> {
  const settings = await desk.store.settings();
  const sync = await currentLease(desk.dataDir);
  const imports: DeskStatus['imports'] = [];
  for (const vault of settings.vaults) {
    const job = findJob(settings.jobs ?? [], vault.id, 'procore-import');
    const lastRun = vault.procore ? (await desk.store.syncState(vault.id)).runs['procore-import'] ?? null : null;
    const state = importState(vault, { jobEnabled: job?.enabled ?? false, loopRunning: sync !== null && !sync.expired, lastRun });
    if (state) imports.push({ vaultId: vault.id, state });
  }
  return {
    dataDir: desk.dataDir,
    user: desk.user,
    roles: settings.users.find((user) => user.name === desk.user)?.roles ?? [],
    initialized: await desk.store.initialized(),
    schemaVersion: settings.schemaVersion,
    vaults: await vaultSummaries(desk),
    lock: await currentHolder(desk.dataDir),
    sync,
    problems: [...desk.store.problems],
    imports,
  };
}
