// A second apdesk process for the demo-ledger tests: opens the demo ledger at a given moment and
// loads it (which pays what is due), then says 'loaded'.
import { openBridge } from '../../source/accounting/bridge.js';

const [dir, payAfterSeconds, nowText] = process.argv.slice(2);
const now = Number(nowText);
const { problems } = await openBridge({ kind: 'demo', dir: dir!, payAfterSeconds: Number(payAfterSeconds) }, { now: () => now }).load();
if (problems.length) process.stderr.write(`${JSON.stringify(problems)}\n`);
process.stdout.write('loaded\n');
