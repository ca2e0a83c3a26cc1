// `apdesk sync` as an admin runs it on a server: it runs until stopped, one per data dir, and a
// signal ends it cleanly — the step in hand finished, the lease given back, exit 0.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import type { RunningSandbox } from '../../source/sandbox/index.js';
import { BIN, expectOk, runCli } from '../helpers/cli.js';
import { connectedDemo } from '../helpers/sync.js';

let dir: string;
let sandbox: RunningSandbox;

const ok = (args: string[]) => expectOk([...args, '--data-dir', dir], { warnings: 'allow' });

beforeAll(async () => {
  ({ dir, sandbox } = await connectedDemo('auto-queue'));
});
afterAll(async () => sandbox.close());

/** Starts the loop and resolves once it printed a line matching `pattern`. */
function startLoop(): { child: ChildProcess; output: () => { stdout: string; stderr: string }; until(pattern: RegExp): Promise<void>; untilError(pattern: RegExp): Promise<void>; exit: Promise<{ code: number | null; signal: string | null }> } {
  const child = spawn(process.execPath, [BIN, 'sync', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void; stream: 'out' | 'err' }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(waiter.stream === 'out' ? stdout : stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    check();
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const wait = (pattern: RegExp, stream: 'out' | 'err') =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ pattern, resolve, stream });
      check();
      void exit.then(() => reject(new Error(`the loop exited before printing ${pattern}: ${stdout}${stderr}`)));
    });
  return {
    child,
    output: () => ({ stdout, stderr }),
    until: (pattern) => wait(pattern, 'out'),
    untilError: (pattern) => wait(pattern, 'err'),
    exit,
  };
}

it('runs the enabled jobs, refuses a second loop naming the first, and stops cleanly on SIGTERM and on Ctrl+C', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const loop = startLoop();
    if (signal === 'SIGTERM') {
      await loop.until(/Procore import \(cloud sync\) finished/);
      expect(loop.output().stdout).toMatch(/requisition \d+ imported as PC-/);
    } else {
      // Started again within the import's interval: its schedule carries over, and it says so.
      await loop.untilError(/Procore import \(cloud sync\) next run at \d\d:\d\d:\d\d UTC/);
    }

    const second = await runCli(['sync', '--once', '--data-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`the sync loop of this data dir already runs: process ${loop.child.pid}`);
    const status = await ok(['status']);
    expect(status.stdout).toContain(`process ${loop.child.pid}`);

    loop.child.kill(signal);
    expect(await loop.exit).toEqual({ code: 0, signal: null });
    expect(loop.output().stderr).toContain(`sync loop stopped (${signal})`);
    // The lease is given back: status says so, and another loop may start at once.
    expect((await ok(['status'])).stdout).toMatch(/sync loop:\s+not running/);
  }
});
