// Read-only views of a data dir that the status command and the console both show.
import { INVOICE_STATUSES, type Invoice, type InvoiceStatus } from '../domain/invoice.js';
import { requireVault, type Queue, type Vault } from '../domain/vault.js';
import { currentHolder, type LockHolder } from '../store/lock.js';
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

export function countByStatus(invoices: readonly Invoice[]): StatusCounts {
  const counts = Object.fromEntries(INVOICE_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const invoice of invoices) counts[invoice.status] += 1;
  return counts;
}

export function summariseVault(vault: Vault, invoices: readonly Invoice[]): VaultSummary {
  return {
    vault,
    invoices: invoices.length,
    byStatus: countByStatus(invoices),
    queues: vault.queues.map((queue) => ({
      queue,
      documents: invoices.filter((invoice) => invoice.queueId === queue.id).length,
    })),
  };
}

export async function vaultSummary(desk: DeskContext, vaultRef: string): Promise<VaultSummary> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  return summariseVault(vault, await desk.store.invoices(vault.id));
}

export async function vaultSummaries(desk: DeskContext): Promise<VaultSummary[]> {
  const settings = await desk.store.settings();
  return Promise.all(
    settings.vaults.map(async (vault) => summariseVault(vault, await desk.store.invoices(vault.id))),
  );
}

export interface DeskStatus {
  dataDir: string;
  user: string;
  roles: string[];
  initialized: boolean;
  schemaVersion: number;
  vaults: VaultSummary[];
  lock: LockHolder | null;
  problems: string[];
}

export async function deskStatus(desk: DeskContext): Promise<DeskStatus> {
  const settings = await desk.store.settings();
  return {
    dataDir: desk.dataDir,
    user: desk.user,
    roles: settings.users.find((user) => user.name === desk.user)?.roles ?? [],
    initialized: await desk.store.initialized(),
    schemaVersion: settings.schemaVersion,
    vaults: await vaultSummaries(desk),
    lock: await currentHolder(desk.dataDir),
    problems: [...desk.store.problems],
  };
}
