// Schema migrations, each applied once, in order, inside one transaction, and recorded in
// settings.migrations. A migration keeps what it replaces (renamed, never deleted).
import { rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Invoice } from '../domain/invoice.js';
import type { Transaction } from './store.js';
import { layout } from './layout.js';
import { SCHEMA_VERSION } from './schema.js';

interface Migration {
  version: number;
  note: string;
  apply(tx: Transaction): Promise<void>;
}

const MIGRATIONS: Migration[] = [
  {
    // Schema 1 kept a vault's invoices in one file, rewritten whole on every edit: at 50,000
    // invoices one edit wrote ~100 MB. Schema 2 shards them by id hash.
    version: 2,
    note: 'invoices moved from one file per vault into shards by id hash',
    async apply(tx) {
      for (const vault of tx.settings.vaults) {
        vault.queues ??= [];
        vault.licences ??= [];
        const legacy = layout.legacyInvoices(tx.dataDir, vault.id);
        if (!existsSync(legacy)) continue;
        const old = await tx.store.load<{ invoices: Invoice[] | Record<string, Invoice> }>(legacy, () => ({
          invoices: [],
        }));
        for (const invoice of Object.values(old.invoices)) await tx.putInvoice(invoice);
      }
    },
  },
  {
    version: 3,
    note: 'scheduled jobs (check backfiller, Procore import, folder watch) kept in settings',
    async apply(tx) {
      tx.settings.jobs ??= [];
    },
  },
  {
    // Counting a vault's invoices, checking a duplicate number or paging a list read all 1,024
    // shards. Schema 4 keeps an index per vault beside them, written in the same commits.
    version: 4,
    note: "an index of each vault's invoices (counts, duplicate-number and requisition lookups, pages)",
    async apply(tx) {
      for (const vault of tx.settings.vaults) await tx.rebuildIndex(vault.id);
    },
  },
];

/** Brings tx.settings up to SCHEMA_VERSION. Returns the versions applied. */
export async function runMigrations(tx: Transaction): Promise<number[]> {
  const applied: number[] = [];
  // Schema 1 had neither counters nor a migration log.
  tx.settings.schemaVersion ??= 1;
  tx.settings.counters ??= { invoice: 0 };
  tx.settings.migrations ??= [];
  for (const migration of MIGRATIONS) {
    if (tx.settings.schemaVersion >= migration.version) continue;
    await migration.apply(tx);
    tx.settings.schemaVersion = migration.version;
    tx.settings.migrations.push({ version: migration.version, at: tx.now, note: migration.note });
    applied.push(migration.version);
  }
  tx.settings.schemaVersion = Math.max(tx.settings.schemaVersion, SCHEMA_VERSION);
  tx.afterCommit(async () => {
    // Only once the new layout is on disk is the old file set aside.
    for (const vault of tx.settings.vaults) {
      const legacy = layout.legacyInvoices(tx.dataDir, vault.id);
      if (existsSync(legacy)) await rename(legacy, `${legacy}.migrated-v1`);
    }
  });
  return applied;
}
