// The bridge folder's own lock (`.apdesk.lock` in the folder, the data-dir lock's code): the
// folder is shared by every apdesk process of every data dir bridged to it, so the data-dir lock
// of one of them would not keep the others out.
import { userInfo } from 'node:os';
import { UserError } from '../domain/errors.js';
import { acquireLock, LockTimeoutError } from '../disk/lock.js';

const TIMEOUT_MS = 15_000;

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export async function withFolderLock<T>(dir: string, what: string, work: () => Promise<T>): Promise<T> {
  let lock;
  try {
    lock = await acquireLock(dir, { user: osUser(), command: `apdesk: ${what}`, timeoutMs: TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof LockTimeoutError)) throw error;
    const holder = error.holder ? `process ${error.holder.pid} (user ${error.holder.user}, ${error.holder.command})` : 'another process';
    throw new UserError(`the accounting folder ${dir} is busy: ${holder} holds its lock — try again when it finishes`);
  }
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
