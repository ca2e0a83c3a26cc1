// A directory's lock: one writer at a time across every process sharing the directory (a data
// dir, the sandbox's state, a bridge folder). The lock file is created complete (written to a private name, then hard-linked into place,
// which fails atomically if it exists), names its holder (pid, user, command), and is taken over
// when that process is gone. A live holder is waited for, up to a timeout.
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../domain/errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  command: string;
  since: string;
  token: string;
}

export interface LockOptions {
  user: string;
  command: string;
  timeoutMs: number;
  /** How the timeout message names the directory, e.g. 'the data dir'; 'the folder' when not given. */
  place?: string;
}

export class LockTimeoutError extends UserError {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder | null,
    waitedMs: number,
    place = 'the folder',
  ) {
    const who = holder
      ? `process ${holder.pid} (user ${holder.user}, \`${holder.command}\`, since ${holder.since}${holder.host === hostname() ? '' : `, on host ${holder.host}`})`
      : 'another process';
    super(
      `${place} ${dir} is busy: ${who} holds its lock; waited ${(waitedMs / 1000).toFixed(1)} s — try again when it finishes, or stop that process`,
    );
    this.name = 'LockTimeoutError';
  }
}

export const LOCK_FILE = '.apdesk.lock';

export function lockPath(dir: string): string {
  return join(dir, LOCK_FILE);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A holder on this host whose process is gone. A holder on another host cannot be judged. */
export function isStale(holder: LockHolder): boolean {
  return holder.host === hostname() && !pidAlive(holder.pid);
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.token !== 'string') return null;
    return parsed as LockHolder;
  } catch {
    return null;
  }
}

/** Creates `path` holding `holder`, or returns false if it already exists. */
async function createExclusive(path: string, holder: LockHolder): Promise<boolean> {
  const temp = `${path}.${holder.pid}.${holder.token}`;
  await writeFile(temp, JSON.stringify(holder), { mode: 0o644 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  finally {
    await unlink(temp).catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface HeldLock {
  holder: LockHolder;
  release(): Promise<void>;
}

export async function acquireLock(dir: string, options: LockOptions): Promise<HeldLock> {
  const path = lockPath(dir);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    user: options.user,
    command: options.command,
    since: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const started = Date.now();
  let delay = 2;
  let seen: LockHolder | null = null;
  for (;;) {
    if (await createExclusive(path, holder)) {
      return { holder, release: () => releaseLock(path, holder) };
    }
    seen = await readHolder(path);
    if (seen && isStale(seen)) {
      await takeOver(path, seen, holder);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) throw new LockTimeoutError(dir, seen, waited, options.place);
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Removes a dead holder's lock. Two processes may find the same dead holder at once, so the
 * removal itself happens under a short-lived second lock, and only if the lock still names the
 * dead holder — never a lock that a live process has taken in the meantime.
 */
async function takeOver(path: string, dead: LockHolder, self: LockHolder): Promise<void> {
  const stealPath = `${path}.steal`;
  if (!(await createExclusive(stealPath, self))) {
    const stealer = await readHolder(stealPath);
    if (stealer && isStale(stealer)) await unlink(stealPath).catch(() => undefined);
    return;
  }
  try {
    const current = await readHolder(path);
    if (current && current.token === dead.token && isStale(current)) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(stealPath).catch(() => undefined);
  }
}

async function releaseLock(path: string, holder: LockHolder): Promise<void> {
  const current = await readHolder(path);
  if (current?.token === holder.token) await unlink(path).catch(() => undefined);
}

export async function currentHolder(dir: string): Promise<LockHolder | null> {
  return readHolder(lockPath(dir));
}
