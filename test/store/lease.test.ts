// One sync loop per data dir: the lease names its holder, refuses a second loop, is taken over
// at once from a dead process on this host and after its time-to-live from a silent one.
import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireLease, currentLease, LeaseHeldError, LeaseLostError, type LeaseHolder } from '../../source/store/lease.js';
import { tempDir } from '../helpers/temp.js';
import { exited, spawnHelper, waitForLine } from '../helpers/process.js';

const who = { user: 'pat', command: 'apdesk sync' };

describe('the sync lease', () => {
  it('is held by one process at a time, which the refusal names', async () => {
    const dir = await tempDir();
    const first = await acquireLease(dir, who);
    const refused = await acquireLease(dir, { user: 'lee', command: 'apdesk sync --once' }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    expect((refused as Error).message).toMatch(new RegExp(`already runs: process ${process.pid} on ${hostname()} \\(pat, \`apdesk sync\`\\) since `));
    expect((await currentLease(dir))?.holder.user).toBe('pat');
    await first.release();
    expect(await currentLease(dir)).toBeNull();
    const second = await acquireLease(dir, { user: 'lee', command: 'apdesk sync' });
    expect(second.holder.user).toBe('lee');
  });

  it('renews its heartbeat, and knows when another process has taken it over', async () => {
    let clock = Date.parse('2026-12-01T10:00:00Z');
    const dir = await tempDir();
    const lease = await acquireLease(dir, { ...who, ttlMs: 1000, now: () => clock });
    clock += 500;
    await lease.renew();
    expect(lease.holder.heartbeatAt).toBe('2026-12-01T10:00:00.500Z');
    // A process on another host went silent: after the time-to-live its lease may be taken.
    const stored = JSON.parse(await readFile(join(dir, 'sync.lease'), 'utf8')) as LeaseHolder;
    await writeFile(join(dir, 'sync.lease'), JSON.stringify({ ...stored, host: 'elsewhere', token: 'theirs' }));
    expect((await currentLease(dir, clock))?.expired).toBe(false);
    await expect(acquireLease(dir, { ...who, now: () => clock })).rejects.toBeInstanceOf(LeaseHeldError);
    clock += 1001;
    expect((await currentLease(dir, clock))?.expired).toBe(true);
    const taken = await acquireLease(dir, { user: 'lee', command: 'apdesk sync', now: () => clock });
    expect(taken.holder.user).toBe('lee');
    await expect(lease.renew()).rejects.toBeInstanceOf(LeaseLostError);
    // Releasing a lease this process no longer holds leaves the new holder alone.
    await lease.release();
    expect((await currentLease(dir, clock))?.holder.user).toBe('lee');
  });

  it('is taken over at once from a process on this host that died (kill -9)', async () => {
    const dir = await tempDir();
    const child = spawnHelper('hold-lease.ts', [dir, 'alice']);
    const done = exited(child);
    await waitForLine(child, 'leased');
    const refused = await acquireLease(dir, who).catch((error: Error) => error);
    expect((refused as Error).message).toContain(`process ${child.pid} on ${hostname()} (alice, \`hold-lease\`)`);
    child.kill('SIGKILL');
    await done;
    expect((await currentLease(dir))?.expired).toBe(true);
    const mine = await acquireLease(dir, who);
    expect(mine.holder.pid).toBe(process.pid);
    await mine.release();
  });

  it('a damaged lease file holds no one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'sync.lease'), '{"pid": 1, "ho');
    expect(await currentLease(dir)).toBeNull();
    expect((await acquireLease(dir, who)).holder.user).toBe('pat');
  });
});
