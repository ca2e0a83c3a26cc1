// Where things live under a data dir. Only store/ knows this layout.
//
//   settings.json                        vaults, licences, queues, users, counters, schema version
//   secrets.json                         tokens and client secrets (mode 0600)
//   vaults/<vault>/invoices/<xxx>.json   invoices, sharded by a hash of their id
//   vaults/<vault>/documents/<invoice>/  the invoice's PDF and original files
//   vaults/<vault>/documents-pending/    which document folders an unfinished transaction wrote
//   vaults/<vault>/index/head.json       the vault's invoice counts and the index's generation
//   vaults/<vault>/index/rows-<xx>.bin   index rows of the invoices of 16 shards, column by column
//   vaults/<vault>/index/keys-<xx>.json  duplicate-number and Procore-requisition keys → invoice ids
//   vaults/<vault>/index/pending/        index work a writer or a recovery has yet to finish
//   vaults/<vault>/sync.json             the vault's sync state: project watermarks, waiting, failed, job runs
//   vaults/<vault>/staging/              attachments being downloaded and merged (removed once imported)
//   NAME.prev                            the previous generation of a settings, secrets or shard file
//   .apdesk.lock                         the data-dir lock
//   sync.lease                           who runs the sync loop of this data dir, and its heartbeat
//   cache/<name>.json                    what can be derived again (a parsed CSV ledger)
//   logs/apdesk.log                      the log (never stdout while the console runs)
import { join } from 'node:path';

/**
 * Shards per vault. 1,024 keeps a shard near 120 KB at 50,000 invoices (~2.3 KB each), so one
 * edit writes little, while a vault's listing stays one small read per shard.
 */
export const SHARD_COUNT = 1024;

/**
 * Index row segments per vault, each holding the rows of 16 neighbouring shards: ~160 KB at
 * 50,000 invoices, so an edit rewrites one small segment, never the vault's whole index.
 */
export const SEGMENT_COUNT = 64;
export const SHARDS_PER_SEGMENT = SHARD_COUNT / SEGMENT_COUNT;

/** Lookup-key files per vault: a new process answers a lookup from one ~20 KB file. */
export const KEY_SHARD_COUNT = 256;

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

export const layout = {
  settings: (dataDir: string) => join(dataDir, 'settings.json'),
  secrets: (dataDir: string) => join(dataDir, 'secrets.json'),
  vaultDir: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId),
  invoicesDir: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'invoices'),
  shard: (dataDir: string, vaultId: string, shard: number) =>
    join(dataDir, 'vaults', vaultId, 'invoices', `${hex(shard, 3)}.json`),
  indexDir: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'index'),
  indexHead: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'index', 'head.json'),
  indexSegment: (dataDir: string, vaultId: string, segment: number) =>
    join(dataDir, 'vaults', vaultId, 'index', `rows-${hex(segment, 2)}.bin`),
  indexKeys: (dataDir: string, vaultId: string, keyShard: number) =>
    join(dataDir, 'vaults', vaultId, 'index', `keys-${hex(keyShard, 2)}.json`),
  indexPending: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'index', 'pending'),
  /** Relative to the data dir: what invoices record, so a data dir can be moved. */
  documentsRel: (vaultId: string, invoiceId: string) => join('vaults', vaultId, 'documents', invoiceId),
  /** Notes of document folders a transaction is writing, until it commits (see Transaction.commit). */
  documentNotes: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'documents-pending'),
  syncState: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'sync.json'),
  staging: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'staging'),
  logs: (dataDir: string) => join(dataDir, 'logs'),
  lease: (dataDir: string) => join(dataDir, 'sync.lease'),
  /** What apdesk can derive again (a parsed ledger): losing it costs time, never data. */
  cache: (dataDir: string, name: string) => join(dataDir, 'cache', `${name}.json`),
  /** Schema 1 kept every invoice of a vault in one file. */
  legacyInvoices: (dataDir: string, vaultId: string) => join(dataDir, 'vaults', vaultId, 'invoices.json'),
};

/** FNV-1a: a stable, well-spread hash of a string. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard of an invoice id. */
export function shardOf(invoiceId: string): number {
  return fnv1a(invoiceId) % SHARD_COUNT;
}

/** The index segment holding the rows of a shard. */
export function segmentOf(shard: number): number {
  return Math.floor(shard / SHARDS_PER_SEGMENT);
}

/** The lookup-key file of a key. */
export function keyShardOf(key: string): number {
  return fnv1a(key) % KEY_SHARD_COUNT;
}
