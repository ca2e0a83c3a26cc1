// Holds a data dir's lock until killed, for the lock-timeout test.
import { acquireLock } from '../../source/store/lock.js';

const [dataDir, user] = process.argv.slice(2);
await acquireLock(dataDir!, { user: user ?? 'holder', command: 'hold-lock', timeoutMs: 5000 });
process.stdout.write('locked\n');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => undefined, 1000);
