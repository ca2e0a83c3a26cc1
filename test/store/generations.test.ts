// Every store file keeps its previous good generation (NAME.prev): a damaged or lost file is
// recovered from it, loudly, and only a file with no good generation at all starts empty.
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../source/store/store.js';
import { layout, shardOf } from '../../source/store/layout.js';
import { tempDir } from '../helpers/temp.js';
import { STORE_OPTIONS, storeWithVault, testDocument } from '../helpers/store.js';

const doc = testDocument;

function reopen(dir: string) {
  const problems: string[] = [];
  return Store.open(dir, { ...STORE_OPTIONS, onProblem: (message) => problems.push(message) }).then((store) => ({ store, problems }));
}

/** A vault with two invoices, each file of the data dir written at least twice. */
async function twiceWritten(): Promise<string> {
  const dir = await tempDir();
  const store = await storeWithVault(dir, 'v1', 'Vault One');
  await store.transact(async (tx) => {
    await tx.putInvoice(doc('INV-000001'));
    await tx.putInvoice(doc('INV-000002'));
    (await tx.secrets()).vaults.v1 = { clientSecret: 'first-secret' };
  });
  await store.transact(async (tx) => {
    const invoice = (await tx.getInvoice('v1', 'INV-000001'))!;
    invoice.header.vendor = 'ABC';
    await tx.putInvoice(invoice);
    const second = (await tx.getInvoice('v1', 'INV-000002'))!;
    second.header.vendor = 'XYZ';
    await tx.putInvoice(second);
    tx.settings.counters.invoice = 2;
    (await tx.secrets()).vaults.v1!.clientSecret = 'second-secret';
  });
  return dir;
}

describe('previous generations', () => {
  it('are kept beside settings, secrets and shards, without temp files, secrets ones 0600', async () => {
    const dir = await twiceWritten();
    const settingsPrev = JSON.parse(await readFile(`${layout.settings(dir)}.prev`, 'utf8'));
    expect(settingsPrev.vaults.map((vault: { id: string }) => vault.id)).toEqual(['v1']);
    expect(settingsPrev.counters.invoice).toBe(0);
    expect((await stat(layout.secrets(dir))).mode & 0o777).toBe(0o600);
    expect((await stat(`${layout.secrets(dir)}.prev`)).mode & 0o777).toBe(0o600);
    const shard = layout.shard(dir, 'v1', shardOf('INV-000001'));
    expect(JSON.parse(await readFile(`${shard}.prev`, 'utf8')).invoices['INV-000001'].header.vendor).toBeNull();
    const all = (await readdir(dir, { recursive: true })) as string[];
    expect(all.filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('bring back the vaults when settings.json is damaged, and say so', async () => {
    const dir = await twiceWritten();
    await writeFile(layout.settings(dir), '{"vaults": [');
    const { store, problems } = await reopen(dir);
    expect((await store.settings()).vaults.map((vault) => vault.id)).toEqual(['v1']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/settings\.json was damaged .*; recovered the previous version from \d{4}-\d\d-\d\dT.*; the damaged file is at .*settings\.json\.corrupt-/);
    const aside = (await readdir(dir)).filter((name) => name.startsWith('settings.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe('{"vaults": [');
    // The recovered file is back in place: the next process hears nothing more.
    const again = await reopen(dir);
    expect((await again.store.settings()).vaults).toHaveLength(1);
    expect(again.problems).toEqual([]);
    expect(await again.store.isEmpty()).toBe(false);
  });

  it('bring back the invoices of a damaged shard', async () => {
    const dir = await twiceWritten();
    const shard = layout.shard(dir, 'v1', shardOf('INV-000001'));
    await writeFile(shard, '{"invoices": {"INV-0');
    const { store, problems } = await reopen(dir);
    const invoice = await store.invoice('v1', 'INV-000001');
    expect(invoice).toBeDefined();
    // The previous generation: the edit of the second transaction is what was lost.
    expect(invoice!.header.vendor).toBeNull();
    expect(problems.some((message) => message.includes(`${shard} was damaged`) && message.includes('recovered the previous version'))).toBe(true);
    expect((await store.invoices('v1')).map((one) => one.id).sort()).toEqual(['INV-000001', 'INV-000002']);
  });

  it('bring back the tokens of a damaged secrets.json, still 0600', async () => {
    const dir = await twiceWritten();
    await writeFile(layout.secrets(dir), 'garbage');
    const { store, problems } = await reopen(dir);
    expect((await store.secrets()).vaults.v1?.clientSecret).toBe('first-secret');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('secrets.json was damaged');
    // Never the secret itself in a message.
    expect(problems[0]).not.toContain('first-secret');
    expect((await stat(layout.secrets(dir))).mode & 0o777).toBe(0o600);
  });

  it('recover a file lost between the two renames of a write (only NAME.prev left)', async () => {
    const dir = await twiceWritten();
    // What a writer that moved the old file aside and died before renaming the new one in leaves.
    await rename(layout.settings(dir), `${layout.settings(dir)}.prev`);
    const { store, problems } = await reopen(dir);
    const settings = await store.settings();
    expect(settings.vaults.map((vault) => vault.id)).toEqual(['v1']);
    expect(settings.counters.invoice).toBe(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/settings\.json was missing; recovered the previous version from/);
    expect(JSON.parse(await readFile(layout.settings(dir), 'utf8')).counters.invoice).toBe(2);
  });

  it('recover a shard lost between the two renames, and list it with the others', async () => {
    const dir = await twiceWritten();
    const shard = layout.shard(dir, 'v1', shardOf('INV-000002'));
    await unlink(`${shard}.prev`);
    await rename(shard, `${shard}.prev`);
    const { store, problems } = await reopen(dir);
    expect((await store.invoices('v1')).map((one) => one.id).sort()).toEqual(['INV-000001', 'INV-000002']);
    expect(problems.some((message) => message.includes('was missing; recovered'))).toBe(true);
  });

  it('start empty only when no generation parses, and say that nothing could be recovered', async () => {
    const dir = await twiceWritten();
    await writeFile(layout.settings(dir), 'bad');
    await writeFile(`${layout.settings(dir)}.prev`, 'bad too');
    const { store, problems } = await reopen(dir);
    expect((await store.settings()).vaults).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('could not be read');
    expect(problems[0]).toContain('no earlier good version');
    expect(problems[0]).toContain('restore a good copy');
    // Not a new data dir: the demo must never be seeded over it.
    expect(await store.isEmpty()).toBe(false);
  });
});

describe('isEmpty', () => {
  it('is true for a missing or bare data dir and false once anything of the store is there', async () => {
    const dir = await tempDir();
    const store = await Store.open(join(dir, 'not-yet'), STORE_OPTIONS);
    expect(await store.isEmpty()).toBe(true);
    const bare = await Store.open(dir, STORE_OPTIONS);
    expect(await bare.isEmpty()).toBe(true);
    for (const leftover of ['settings.json.prev', 'settings.json.corrupt-2026', 'secrets.json', 'vaults']) {
      const other = await tempDir();
      if (leftover === 'vaults') await mkdir(join(other, 'vaults'));
      else await writeFile(join(other, leftover), 'not json');
      expect(await (await Store.open(other, STORE_OPTIONS)).isEmpty(), leftover).toBe(false);
    }
    await storeWithVault(dir, 'v1');
    expect(await bare.isEmpty()).toBe(false);
  });
});
