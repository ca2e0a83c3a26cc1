// Takes a data dir's sync lease and keeps it (renewing) until killed, for the lease tests.
import { acquireLease } from '../../source/store/lease.js';

const [dataDir, user] = process.argv.slice(2);
const lease = await acquireLease(dataDir!, { user: user ?? 'holder', command: 'hold-lease', ttlMs: 60_000 });
process.stdout.write('leased\n');
process.on('SIGTERM', () => void lease.release().then(() => process.exit(0)));
setInterval(() => void lease.renew(), 1000);
