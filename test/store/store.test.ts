import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../source/store/store.js';
import { layout, SHARD_COUNT, segmentOf, shardOf } from '../../source/store/layout.js';
import { SCHEMA_VERSION } from '../../source/store/schema.js';
import { tempDir, snapshot } from '../helpers/temp.js';
import { STORE_OPTIONS, storeWithVault, testDocument } from '../helpers/store.js';

const options = STORE_OPTIONS;

const withVault = (dataDir: string) => storeWithVault(dataDir, 'v1', 'Vault One');

const doc = testDocument;

describe('store', () => {
  it('writes nothing until a transaction commits, and nothing when it throws', async () => {
    const dir = await tempDir();
    const store = await Store.open(dir, options);
    expect(await store.initialized()).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    await expect(
      store.transact((tx) => {
        tx.settings.counters.invoice = 99;
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await readdir(dir)).toEqual([]);
    expect((await store.settings()).counters.invoice).toBe(0);
  });

  it('makes the first writer the admin and creates the secrets file 0600', async () => {
    const dir = await tempDir();
    await withVault(dir);
    const settings = JSON.parse(await readFile(layout.settings(dir), 'utf8'));
    expect(settings.users).toEqual([{ name: 'pat', roles: ['admin', 'processor', 'reviewer'] }]);
    expect(settings.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await stat(layout.secrets(dir))).mode & 0o777).toBe(0o600);
  });

  it('writes compact JSON and replaces files atomically, leaving no temp files', async () => {
    const dir = await tempDir();
    const store = await withVault(dir);
    await store.transact((tx) => tx.putInvoice(doc('INV-000001')));
    const text = await readFile(layout.settings(dir), 'utf8');
    expect(text).not.toContain('\n');
    const all = await readdir(dir, { recursive: true });
    expect(all.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(all).not.toContain('.apdesk.lock');
  });

  it('touches only the shard of the invoice it edits, and its index segment and head', async () => {
    const dir = await tempDir();
    const store = await withVault(dir);
    await store.transact(async (tx) => {
      for (let n = 1; n <= 600; n++) await tx.putInvoice(doc(`INV-${String(n).padStart(6, '0')}`));
    });
    const before = await snapshot(dir);
    await store.transact(async (tx) => {
      const invoice = (await tx.getInvoice('v1', 'INV-000007'))!;
      invoice.header.description = 'footings';
      await tx.putInvoice(invoice);
    });
    const after = await snapshot(dir);
    const changed = Object.keys(after).filter((path) => after[path] !== before[path]);
    const shard = shardOf('INV-000007');
    const shardFile = join('vaults', 'v1', 'invoices', `${shard.toString(16).padStart(3, '0')}.json`);
    const segmentFile = join('vaults', 'v1', 'index', `rows-${segmentOf(shard).toString(16).padStart(2, '0')}.bin`);
    // The shard's previous generation is the old file renamed, not written again.
    expect(changed.sort()).toEqual([join('vaults', 'v1', 'index', 'head.json'), segmentFile, shardFile, `${shardFile}.prev`].sort());
    expect(after[`${shardFile}.prev`]).toBe(before[shardFile]);
    // The pending note is gone; its folder stays.
    expect(await readdir(join(dir, 'vaults', 'v1', 'index', 'pending'))).toEqual([]);
    expect(store.lastCommit.files).toBe(4);
    expect((await store.invoice('v1', 'INV-000007'))?.header.description).toBe('footings');
  });

  it('spreads invoices evenly over the shards', () => {
    const counts = new Array(SHARD_COUNT).fill(0);
    for (let n = 0; n < 50_000; n++) counts[shardOf(`INV-${String(n).padStart(6, '0')}`)]++;
    expect(Math.max(...counts)).toBeLessThan((50_000 / SHARD_COUNT) * 1.5);
  });

  it('sees what another store (another process) committed', async () => {
    const dir = await tempDir();
    const first = await withVault(dir);
    const second = await Store.open(dir, { ...options, user: 'lee' });
    expect(await second.invoices('v1')).toEqual([]);
    await first.transact((tx) => tx.putInvoice(doc('INV-000001')));
    expect((await second.invoices('v1')).map((invoice) => invoice.id)).toEqual(['INV-000001']);
    await second.transact(async (tx) => {
      tx.settings.counters.invoice = 5;
    });
    expect((await first.settings()).counters.invoice).toBe(5);
  });

  it('never hands out an invoice id already on disk, even if the counter was lost', async () => {
    const dir = await tempDir();
    const store = await withVault(dir);
    await store.transact((tx) => tx.putInvoice(doc('INV-000001')));
    const id = await store.transact((tx) => tx.nextInvoiceId('v1'));
    expect(id).toBe('INV-000002');
  });

  it('quarantines a corrupt shard with a clear message, and the rest still works', async () => {
    const dir = await tempDir();
    const problems: string[] = [];
    const store = await withVault(dir);
    await store.transact(async (tx) => {
      for (let n = 1; n <= 40; n++) await tx.putInvoice(doc(`INV-${String(n).padStart(6, '0')}`));
    });
    const victim = layout.shard(dir, 'v1', shardOf('INV-000003'));
    const bad = '{"invoices": {"INV-000003": ';
    await writeFile(victim, bad);
    const fresh = await Store.open(dir, { ...options, onProblem: (message) => problems.push(message) });
    const invoices = await fresh.invoices('v1');
    const inVictim = Array.from({ length: 40 }, (_, i) => `INV-${String(i + 1).padStart(6, '0')}`).filter(
      (id) => shardOf(id) === shardOf('INV-000003'),
    );
    expect(invoices).toHaveLength(40 - inVictim.length);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('could not be read');
    expect(problems[0]).toMatch(/moved to .*\.corrupt-/);
    const aside = (await readdir(join(dir, 'vaults', 'v1', 'invoices'))).filter((name) => name.includes('.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, 'vaults', 'v1', 'invoices', aside[0]!), 'utf8')).toBe(bad);
    // Writing to that shard again creates a new file; the quarantined one is never overwritten.
    await fresh.transact((tx) => tx.putInvoice(doc('INV-000003')));
    expect(await readFile(join(dir, 'vaults', 'v1', 'invoices', aside[0]!), 'utf8')).toBe(bad);
    expect(await fresh.invoice('v1', 'INV-000003')).toBeDefined();
  });

  it('quarantines corrupt settings and says how to recover', async () => {
    const dir = await tempDir();
    await withVault(dir);
    await writeFile(layout.settings(dir), 'not json at all');
    const problems: string[] = [];
    const store = await Store.open(dir, { ...options, onProblem: (message) => problems.push(message) });
    expect((await store.settings()).vaults).toEqual([]);
    expect(problems[0]).toContain('restore a good copy');
    expect((await readdir(dir)).some((name) => name.startsWith('settings.json.corrupt-'))).toBe(true);
  });

  it('refuses a data dir from a newer apdesk', async () => {
    const dir = await tempDir();
    await writeFile(layout.settings(dir), JSON.stringify({ schemaVersion: SCHEMA_VERSION + 1 }));
    await expect(Store.open(dir, options)).rejects.toThrow(/newer apdesk .* upgrade apdesk/);
  });
});

describe('migrations', () => {
  async function legacyDataDir(): Promise<string> {
    const dir = await tempDir();
    await writeFile(
      layout.settings(dir),
      JSON.stringify({
        schemaVersion: 1,
        createdAt: '2025-01-01T00:00:00.000Z',
        users: [{ name: 'pat', roles: ['admin'] }],
        vaults: [{ id: 'v1', name: 'Vault One', accounting: 'sage100', licences: ['procore'], queues: [], createdAt: 'x', createdBy: 'pat' }],
      }),
    );
    await mkdir(layout.vaultDir(dir, 'v1'), { recursive: true });
    const invoices = Array.from({ length: 30 }, (_, i) => doc(`INV-${String(i + 1).padStart(6, '0')}`));
    await writeFile(layout.legacyInvoices(dir, 'v1'), JSON.stringify({ invoices }, null, 2));
    return dir;
  }

  it('moves schema-1 invoices into shards and adds jobs, once each, keeping the old file aside', async () => {
    const dir = await legacyDataDir();
    const store = await Store.open(dir, options);
    const settings = await store.settings();
    expect(settings.schemaVersion).toBe(SCHEMA_VERSION);
    expect(settings.migrations.map((m) => m.version)).toEqual([2, 3, 4]);
    expect(settings.jobs).toEqual([]);
    expect(settings.counters).toEqual({ invoice: 0 });
    expect(await store.invoices('v1')).toHaveLength(30);
    const files = await readdir(layout.vaultDir(dir, 'v1'));
    expect(files).toContain('invoices.json.migrated-v1');
    expect(files).not.toContain('invoices.json');

    const before = await snapshot(dir);
    const again = await Store.open(dir, options);
    expect((await again.settings()).migrations).toHaveLength(3);
    expect(await snapshot(dir)).toEqual(before);
  });
});
