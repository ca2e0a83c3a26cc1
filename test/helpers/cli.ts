// Runs the CLI in this process (fast) or as the real binary in a child process.
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../source/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const BIN = fileURLToPath(new URL('../../bin/apdesk.js', import.meta.url));

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

export async function runCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; isTTY?: boolean } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await main(args, {
    stdout,
    stderr,
    stdin,
    env: { ...process.env, APDESK_DATA_DIR: '', ...options.env },
    isTTY: options.isTTY ?? false,
  });
  return { code, stdout: out(), stderr: err() };
}

/**
 * Runs the CLI and expects success: exit 0 and nothing on stderr — except `apdesk: warning:`
 * lines when `warnings` is 'allow'.
 */
export async function expectOk(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; warnings?: 'allow' | 'forbid' } = {},
): Promise<CliResult> {
  const result = await runCli(args, options);
  const stderr = options.warnings === 'allow' ? result.stderr.replace(/^apdesk: warning: .*\n/gm, '') : result.stderr;
  expect(stderr, `apdesk ${args.join(' ')}`).toBe('');
  expect(result.code, `apdesk ${args.join(' ')}`).toBe(0);
  return result;
}

/** Starts the CLI in this process with a live stdin, for commands that ask something. */
export function startCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const result = main(args, {
    stdout,
    stderr,
    stdin,
    env: { ...process.env, APDESK_DATA_DIR: '', ...options.env },
    isTTY: false,
  }).then((code) => ({ code, stdout: out(), stderr: err() }));
  /** Resolves with the first stdout line matching `pattern`. */
  const waitForOutput = async (pattern: RegExp, timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const line = out().split('\n').find((candidate) => pattern.test(candidate));
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no output matching ${pattern}; stdout: ${out()} stderr: ${err()}`);
  };
  return { stdin, result, waitForOutput };
}

/** Runs `bin/apdesk.js` as its own process. */
export function runBin(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
