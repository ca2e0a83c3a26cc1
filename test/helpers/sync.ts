// The sync tests' starting point: the demo vault in a new data dir, connected to the sandbox on
// 127.0.0.1 (run in the test's process), configured for the demo company with a behaviour.
import { DEMO_COMPANY_ID, DEMO_USERS, ensureSandbox, sandboxStateDir, type RunningSandbox } from '../../source/sandbox/index.js';
import { setRateLimits } from '../../source/sandbox/control.js';
import type { ImportBehavior } from '../../source/domain/procore-config.js';
import { expectOk, type CliResult } from './cli.js';
import { tempDir } from './temp.js';

export const DEMO_VAULT = 'demo-construction';

export interface ConnectedDemo {
  dir: string;
  stateDir: string;
  sandbox: RunningSandbox;
  /** Runs apdesk on this data dir in the test's process and expects success. */
  ok(args: string[]): Promise<CliResult>;
}

export async function connectedDemo(behavior: ImportBehavior, options: { importJob?: boolean } = {}): Promise<ConnectedDemo> {
  const dir = await tempDir();
  const ok = (args: string[]) => expectOk([...args, '--data-dir', dir], { warnings: 'allow' });
  await ok(['demo']);
  const sandbox = await ensureSandbox(dir);
  const stateDir = sandboxStateDir(dir);
  // The demo's limits are Procore's; these tests count requests, they do not wait on pacing.
  await setRateLimits(stateDir, { spike: { limit: 100_000, windowSec: 10 }, hourly: { limit: 100_000, windowSec: 3600 } });
  await ok(['procore', 'connect', '--vault', DEMO_VAULT, '--email', DEMO_USERS[0]!.email, '--password', DEMO_USERS[0]!.password]);
  await ok(['procore', 'configure', '--vault', DEMO_VAULT, '--company', DEMO_COMPANY_ID, '--behavior', behavior, '--queue', 'Procore Invoices']);
  if (options.importJob ?? behavior !== 'manual') await ok(['jobs', 'enable', '--vault', DEMO_VAULT, 'procore-import']);
  return { dir, stateDir, sandbox, ok };
}
