// Where things live under a data dir. Only store/ knows this layout.
//
//   settings.json                    vaults, licences, queues, users, counters, schema version
//   secrets.json                     tokens and client secrets (mode 0600)
//   vaults/<vault>/invoices/<xxx>.json invoices, sharded by a hash of their id
//   vaults/<vault>/documents/<invoice>/  the invoice's PDF and original files
//   .apdesk.lock                     the data-dir lock
//   logs/apdesk.log                  the log (never stdout while the console runs)
import { join } from 'node:path';

/**
 * Shards per vault. 1,024 keeps a shard near 120 KB at 50,000 invoices (~2.3 KB each), so one
 * edit writes little, while a vault's listing stays one small read per shard.
 */
export const SHARD_COUNT = 1024;

export const layout = {
  settings: (dataDir: string) => join(dataDir, 'settings.json'),
  secrets: (dataDir: string) => join(dataDir, 'secrets.json'),
  vaultDir: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId),
  invoicesDir: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'invoices'),
  shard: (dataDir: string, vaultId: string, shard: number) =>
    join(dataDir, 'vaults', vaultId, 'invoices', `${shard.toString(16).padStart(3, '0')}.json`),
  /** Relative to the data dir: what invoices record, so a data dir can be moved. */
  documentsRel: (vaultId: string, invoiceId: string) => join('vaults', vaultId, 'documents', invoiceId),
  logs: (dataDir: string) => join(dataDir, 'logs'),
  /** Schema 1 kept every invoice of a vault in one file. */
  legacyInvoices: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'invoices.json'),
};

/** FNV-1a: a stable, well-spread hash of an invoice id onto a shard. */
export function shardOf(invoiceId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < invoiceId.length; i++) {
    hash ^= invoiceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARD_COUNT;
}
