// What a user waits for on a 50,000-invoice vault: each headless command run as a new process of
// the real binary (node bin/apdesk.js, the compiled JavaScript), its wall time and peak memory.
// Prints figures; asserts nothing.
//   npm run bench:cli            (or: npx tsx bench/cli.ts [--size 50000] [--runs 5])
// Peak memory is the child's own maxRSS, written at exit by a preloaded hook (bench/rss-hook.mjs).
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { vaultOf } from './fixtures.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, runs: { type: 'string' } } });
const size = Number(values.size ?? 50_000);
const runs = Number(values.runs ?? 5);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'apdesk.js');
const HOOK = join(ROOT, 'bench', 'rss-hook.mjs');

interface Run {
  wallMs: number;
  maxRssMb: number;
  stdoutBytes: number;
  code: number;
}

async function apdesk(args: readonly string[], dataDir: string): Promise<Run> {
  const rssFile = join(tmpdir(), `apdesk-bench-rss-${process.pid}`);
  const started = performance.now();
  const { code, bytes } = await new Promise<{ code: number; bytes: number }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, BIN, ...args, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, APDESK_BENCH_RSS: rssFile },
    });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit ?? 1, bytes }));
  });
  const wallMs = performance.now() - started;
  const maxRssMb = Number(await readFile(rssFile, 'utf8')) / 1024;
  await rm(rssFile, { force: true });
  return { wallMs, maxRssMb, stdoutBytes: bytes, code };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(label: string, args: readonly string[], dataDir: string, times = runs): Promise<void> {
  const results: Run[] = [];
  for (let n = 0; n < times; n++) results.push(await apdesk(args, dataDir));
  // Exit 1 is an answer (the invoice failed validation), not a failure of the command.
  const failed = results.find((run) => run.code !== 0 && run.code !== 1);
  const wall = results.map((run) => run.wallMs);
  console.log(
    `${label.padEnd(44)} median ${median(wall).toFixed(0).padStart(5)} ms   min ${Math.min(...wall).toFixed(0).padStart(5)} ms   ` +
      `peak ${median(results.map((run) => run.maxRssMb)).toFixed(0).padStart(4)} MB   out ${(results[0]!.stdoutBytes / 1024 / 1024).toFixed(1)} MB` +
      (failed ? `   (exit ${failed.code})` : ''),
  );
}

// A ledger that knows the bench's vendors and jobs, so validation has real work to do.
const ledgerDir = join(tmpdir(), `apdesk-bench-ledger-${process.pid}`);
await mkdir(ledgerDir, { recursive: true });
const csv = (rows: string[][]) => rows.map((row) => row.join(',')).join('\n') + '\n';
await writeFile(join(ledgerDir, 'vendors.csv'), csv([['code', 'name', 'status'], ...Array.from({ length: 400 }, (_, n) => [`V-${1000 + n}`, `Vendor ${n}`, 'active'])]));
await writeFile(join(ledgerDir, 'jobs.csv'), csv([['code', 'name', 'status'], ...Array.from({ length: 20 }, (_, n) => [String(2300 + n), `Job ${n}`, 'open'])]));
await writeFile(
  join(ledgerDir, 'cost_codes.csv'),
  csv([['job', 'code', 'description'], ...Array.from({ length: 20 }, (_, n) => [1, 2, 3].map((line) => [String(2300 + n), `03-${100 + line * 10}`, 'Concrete'])).flat()]),
);
await writeFile(join(ledgerDir, 'commitments.csv'), csv([['code', 'vendor', 'job', 'type', 'status', 'amount', 'remaining']]));

const me = userInfo().username;
const { dir } = await vaultOf(size, { user: me, command: 'bench/cli.ts' }, { ledger: { kind: 'csv-folder', dir: ledgerDir } });
console.log(`apdesk headless commands on a ${size.toLocaleString('en-US')}-invoice vault, new process each, ${runs} runs, load ${loadavg()[0]!.toFixed(1)}`);
console.log(`(node ${process.version}; every figure includes starting Node, about 0.1 s)\n`);
try {
  await measure('apdesk status', ['status'], dir);
  await measure('apdesk vault show', ['vault', 'show', 'bench'], dir);
  // The first validation parses the CSV ledger and keeps it in the data dir's cache; later ones reuse it.
  await measure('invoices validate (first: parses the ledger)', ['invoices', 'validate', 'INV-012344'], dir, 1);
  await measure('apdesk invoices validate INV-012344', ['invoices', 'validate', 'INV-012344'], dir);
  await measure('apdesk invoices show INV-012344', ['invoices', 'show', 'INV-012344'], dir);
  await measure('invoices list (first 50, by created)', ['invoices', 'list', '--vault', 'bench'], dir);
  await measure('invoices list --status pending --sort total', ['invoices', 'list', '--vault', 'bench', '--status', 'pending', '--sort', 'total', '--desc'], dir);
  await measure('invoices list --json (every invoice)', ['invoices', 'list', '--vault', 'bench', '--json'], dir, Math.min(runs, 3));
  await measure('invoices edit INV-012344 --description', ['invoices', 'edit', 'INV-012344', '--description', 'bench edit'], dir);
} finally {
  await rm(dir, { recursive: true, force: true });
  await rm(ledgerDir, { recursive: true, force: true });
}
