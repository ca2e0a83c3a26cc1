// Runs the check backfiller once for one vault in a process of its own, as the sync loop would:
// for the test that kills a run between creating a payment in Procore and recording it.
import { openDesk } from '../../source/app/desk.js';
import type { Connection } from '../../source/app/procore.js';
import { runCheckBackfiller } from '../../source/sync/check-backfiller.js';

const [dataDir, vaultId] = process.argv.slice(2);
const desk = await openDesk({ dataDir: dataDir! });
const vault = await desk.vaults.get(vaultId!);
let connection: Connection | undefined;
const report = await runCheckBackfiller({
  desk,
  vault,
  procore: async () => (connection ??= await desk.procore.open(vault.id)),
  signal: new AbortController().signal,
  report: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
  now: Date.now,
});
await connection?.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
