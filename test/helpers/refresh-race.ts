// One of two processes refreshing the same vault's tokens at once (the rotation test).
import { openDesk } from '../../source/app/desk.js';
import { silentLogger } from '../../source/log/log.js';

const [dataDir, vault, stale] = process.argv.slice(2);
const desk = await openDesk({ dataDir: dataDir!, user: 'root', command: 'refresh-race' });
const connection = await desk.procore.open(vault!, { logger: silentLogger });
process.stdout.write('ready\n');
// Start together: the parent writes a line on stdin when both are ready.
await new Promise((resolve) => process.stdin.once('data', resolve));
const token = await connection.tokens.refreshAfter(stale!);
process.stdout.write(`${JSON.stringify({ token, refreshes: connection.tokens.refreshes })}\n`);
await connection.close();
process.exit(0);
