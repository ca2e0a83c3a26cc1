// Several real processes on one data dir: no lost update, no torn file, no stuck lock.
import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { Store } from '../../source/store/store.js';
import { acquireLock, lockPath } from '../../source/store/lock.js';
import { tempDir } from '../helpers/temp.js';
import { storeWithVault } from '../helpers/store.js';
import { exited, spawnHelper, waitForLine } from '../helpers/process.js';

const hammerVault = (dir: string) => storeWithVault(dir, 'hammer', 'Hammer');

async function jsonFiles(dir: string): Promise<string[]> {
  const all = (await readdir(dir, { recursive: true })) as string[];
  return all.filter((name) => name.endsWith('.json')).map((name) => join(dir, name));
}

describe('two processes on one data dir', () => {
  it('lose no update over 200 transactions each', async () => {
    const dir = await tempDir();
    await hammerVault(dir);
    const children = ['a', 'b'].map((label) => spawnHelper('hammer.ts', [dir, '200', label]));
    const results = await Promise.all(children.map(exited));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    const store = await Store.open(dir, { user: 'pat', command: 'test' });
    const invoices = await store.invoices('hammer');
    expect(invoices).toHaveLength(400);
    expect(new Set(invoices.map((invoice) => invoice.id)).size).toBe(400);
    expect((await store.settings()).counters.invoice).toBe(400);
    const byLabel = (label: string) => invoices.filter((invoice) => invoice.audit[0]!.user === label).length;
    expect([byLabel('a'), byLabel('b')]).toEqual([200, 200]);
  });

  it('leave every file parseable when killed with SIGKILL mid-write, and the next one takes over the lock', async () => {
    const dir = await tempDir();
    await hammerVault(dir);
    for (let round = 0; round < 4; round++) {
      const child = spawnHelper('hammer.ts', [dir, 'forever', `k${round}`]);
      const done = exited(child);
      await waitForLine(child, 'ready');
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 70));
      child.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
      for (const file of await jsonFiles(dir)) {
        expect(() => JSON.parse(readFileSync(file, 'utf8')), file).not.toThrow();
      }
    }
    // A lock left by a killed process does not block the next writer.
    const store = await Store.open(dir, { user: 'pat', command: 'test', lockTimeoutMs: 3000 });
    const before = (await store.invoices('hammer')).length;
    expect(before).toBeGreaterThan(0);
    await store.transact(async (tx) => {
      tx.settings.counters.invoice += 0;
    });
    const after = await Store.open(dir, { user: 'pat', command: 'test' });
    expect((await after.invoices('hammer')).length).toBe(before);
    expect((await after.settings()).counters.invoice).toBeGreaterThanOrEqual(before);
  });
});


describe('the data-dir lock', () => {
  it('takes over a lock whose process is gone', async () => {
    const dir = await tempDir();
    await writeFile(
      lockPath(dir),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), user: 'ghost', command: 'apdesk sync', since: 'then', token: 'dead' }),
    );
    const lock = await acquireLock(dir, { user: 'pat', command: 'test', timeoutMs: 2000 });
    expect(JSON.parse(await readFile(lockPath(dir), 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits for a live holder, then names its process and user', async () => {
    const dir = await tempDir();
    const child = spawnHelper('hold-lock.ts', [dir, 'alice']);
    const done = exited(child);
    await waitForLine(child, 'locked');
    const started = Date.now();
    const error = await acquireLock(dir, { user: 'pat', command: 'test', timeoutMs: 400 }).catch((e: Error) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`process ${child.pid} (user alice, \`hold-lock\``);
    expect((error as Error).message).toContain('try again when it finishes');
    child.kill('SIGTERM');
    await done;
  });

  it('is handed over as soon as the holder releases it', async () => {
    const dir = await tempDir();
    const first = await acquireLock(dir, { user: 'pat', command: 'one', timeoutMs: 1000 });
    const second = acquireLock(dir, { user: 'lee', command: 'two', timeoutMs: 5000 });
    setTimeout(() => void first.release(), 100);
    const held = await second;
    expect(held.holder.user).toBe('lee');
    await held.release();
  });
});
