// The sync loop's lease: one loop per data dir. The holder names itself (pid, host, user, command,
// since) and renews a heartbeat; another process is told who holds it and does not start. A lease
// whose process is dead on this host is taken over at once; one from another host, or one whose
// process hangs, once its heartbeat is older than the time-to-live. Every change is made under the
// data-dir lock, so two processes never both believe they hold it.
import { randomBytes } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { UserError } from '../domain/errors.js';
import { CorruptFileError, JsonFile } from '../disk/json-file.js';
import { pidAlive } from '../disk/lock.js';
import { acquireLock } from './lock.js';
import { layout } from './layout.js';

export interface LeaseHolder {
  pid: number;
  host: string;
  user: string;
  command: string;
  since: string;
  heartbeatAt: string;
  /** How long after its last heartbeat the lease may be taken over, in ms. */
  ttlMs: number;
  token: string;
}

/** Three missed heartbeats (one every 20 s) before another host may take the loop over. */
export const DEFAULT_LEASE_TTL_MS = 60_000;

export interface LeaseOptions {
  user: string;
  command: string;
  ttlMs?: number;
  lockTimeoutMs?: number;
  now?: () => number;
}

/** Whether a holder has gone: dead on this host, or silent for longer than its time-to-live. */
export function leaseExpired(holder: LeaseHolder, now = Date.now()): boolean {
  if (holder.host === hostname() && !pidAlive(holder.pid)) return true;
  return now - Date.parse(holder.heartbeatAt) > holder.ttlMs;
}

export class LeaseHeldError extends UserError {
  constructor(readonly holder: LeaseHolder) {
    super(
      `the sync loop of this data dir already runs: process ${holder.pid} on ${holder.host} (${holder.user}, \`${holder.command}\`) since ${holder.since}, last heartbeat ${holder.heartbeatAt} — stop it first, or let it do the work`,
    );
    this.name = 'LeaseHeldError';
  }
}

export class LeaseLostError extends UserError {
  constructor(readonly holder: LeaseHolder | null) {
    super(
      holder
        ? `this process no longer holds the sync lease: process ${holder.pid} on ${holder.host} took it over at ${holder.since} (this one missed its heartbeats)`
        : 'this process no longer holds the sync lease: it was released or removed',
    );
    this.name = 'LeaseLostError';
  }
}

export interface Lease {
  readonly holder: LeaseHolder;
  /** Renews the heartbeat; a LeaseLostError when another process holds the lease now. */
  renew(): Promise<void>;
  /** Gives the lease up (only if this process still holds it). */
  release(): Promise<void>;
}

async function readHolder(dataDir: string): Promise<LeaseHolder | null> {
  try {
    return await new JsonFile<LeaseHolder>(layout.lease(dataDir)).read();
  } catch (error) {
    // A torn or foreign lease file holds no one: the next holder replaces it.
    if (error instanceof CorruptFileError) return null;
    throw error;
  }
}

/** Who holds the sync lease now, and whether that holder has gone; null when no one does. */
export async function currentLease(dataDir: string, now = Date.now()): Promise<{ holder: LeaseHolder; expired: boolean } | null> {
  const holder = await readHolder(dataDir);
  return holder ? { holder, expired: leaseExpired(holder, now) } : null;
}

export async function acquireLease(dataDir: string, options: LeaseOptions): Promise<Lease> {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const locked = <T>(work: () => Promise<T>) => withDataDirLock(dataDir, options, work);
  const holder = await locked(async () => {
    const current = await readHolder(dataDir);
    if (current && !leaseExpired(current, now())) throw new LeaseHeldError(current);
    const at = new Date(now()).toISOString();
    const mine: LeaseHolder = {
      pid: process.pid,
      host: hostname(),
      user: options.user,
      command: options.command,
      since: at,
      heartbeatAt: at,
      ttlMs,
      token: randomBytes(8).toString('hex'),
    };
    await new JsonFile<LeaseHolder>(layout.lease(dataDir), { keepPrevious: false }).write(mine);
    return mine;
  });
  let latest = holder;
  return {
    get holder() {
      return latest;
    },
    renew: () =>
      locked(async () => {
        const current = await readHolder(dataDir);
        if (!current || current.token !== holder.token) throw new LeaseLostError(current);
        latest = { ...current, heartbeatAt: new Date(now()).toISOString() };
        await new JsonFile<LeaseHolder>(layout.lease(dataDir), { keepPrevious: false }).write(latest);
      }),
    release: () =>
      locked(async () => {
        const current = await readHolder(dataDir);
        if (current?.token !== holder.token) return;
        await unlink(layout.lease(dataDir)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }),
  };
}

async function withDataDirLock<T>(dataDir: string, options: LeaseOptions, work: () => Promise<T>): Promise<T> {
  await mkdir(dataDir, { recursive: true });
  const lock = await acquireLock(dataDir, { user: options.user, command: options.command, timeoutMs: options.lockTimeoutMs ?? 15_000 });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
