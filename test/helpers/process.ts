// Child processes running TypeScript helpers through tsx, for tests that need a second apdesk.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function spawnHelper(script: string, args: readonly string[]): ChildProcess {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  // `--import tsx` keeps the helper in this one process (the tsx CLI would fork a child), so a
  // signal sent to it reaches the code under test.
  return spawn(process.execPath, ['--import', 'tsx', path, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    child.stderr?.on('data', (chunk) => (errors += chunk));
    child.stdout?.on('data', (chunk) => {
      seen += chunk;
      if (seen.split('\n').includes(line)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`helper exited (${code}) before '${line}': ${errors}`)));
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}
