// The data-dir lock: the directory lock of disk/lock.ts on a data dir, named as such when a
// process gives up waiting for it.
import { acquireLock as acquireDirLock, type HeldLock, type LockOptions } from '../disk/lock.js';

export { currentHolder, lockPath, LockTimeoutError, type HeldLock, type LockHolder } from '../disk/lock.js';

export function acquireLock(dataDir: string, options: Omit<LockOptions, 'place'>): Promise<HeldLock> {
  return acquireDirLock(dataDir, { ...options, place: 'the data dir' });
}
