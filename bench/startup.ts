// How fast apdesk starts: a headless command, and the console's first frame, each in a new process
// on the demo data dir, as a user runs them (`node bin/apdesk.js`, the compiled JavaScript).
// Prints figures; asserts nothing.
//   npm run bench:startup            (or: npx tsx bench/startup.ts [--runs 15] [--console-runs 7])
// The console runs in a pseudo-terminal made by `script` (util-linux); the first frame is the first
// output that shows the demo vault and the footer. On a machine shared with other work the wall
// clock varies by a factor of two; the console's CPU time to its first frame (read from /proc) and
// the minimum of the headless runs vary much less.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string' }, 'console-runs': { type: 'string' } } });
const runs = Number(values.runs ?? 15);
const consoleRuns = Number(values['console-runs'] ?? 7);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'apdesk.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const node = process.execPath;

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number) => `${Math.round(value)} ms`;

function report(label: string, samples: readonly number[]): void {
  console.log(
    `${label.padEnd(44)} median ${ms(median(samples)).padStart(7)}   min ${ms(Math.min(...samples)).padStart(7)}   max ${ms(Math.max(...samples)).padStart(7)}   (${samples.length} runs)`,
  );
}

/** Wall-clock time of one process, from spawn to exit. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const result = spawnSync(node, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function repeat(count: number, run: () => number): number[] {
  run(); // warm the OS file cache; the first run after a build is not what users see again
  return Array.from({ length: count }, run);
}

/** The process ids under `pid` (script, then the shell it runs, then node). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** CPU time (user and system, all threads) a process has used so far, in ms; Linux only. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function nodeCpuMs(rootPid: number): number | null {
  for (const pid of descendants(rootPid)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'node') return cpuMs(pid);
    } catch {
      // gone
    }
  }
  return null;
}

/**
 * Starts the console in a pseudo-terminal, waits for the frame that shows the demo vault, quits
 * with `q`, and returns the time from spawn to that frame and the CPU time the console had used.
 */
function consoleFirstFrame(dataDir: string): Promise<{ wall: number; cpu: number | null }> {
  const command = `stty cols 100 rows 30 && exec ${node} ${BIN} --data-dir ${dataDir}`;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, APDESK_NO_DEMO: '', CI: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let shownAt: number | null = null;
    let cpu: number | null = null;
    const deadline = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`no console frame within 30 s; it printed:\n${output}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (shownAt === null && output.includes('Demo Construction') && output.includes('q quit')) {
        shownAt = performance.now() - start;
        cpu = child.pid ? nodeCpuMs(child.pid) : null;
        child.stdin.write('q');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      if (shownAt === null) reject(new Error(`the console exited (${code}) before its first frame:\n${output}`));
      else if (code !== 0) reject(new Error(`the console exited ${code} after q:\n${output}`));
      else resolve({ wall: shownAt, cpu });
    });
  });
}

async function main(): Promise<void> {
  if (spawnSync('script', ['--version']).status !== 0) throw new Error('bench/startup.ts needs `script` (util-linux) for a pseudo-terminal');
  const build = (): number => timed([TSC, '-b', 'tsconfig.build.json']);
  build(); // the figures are for the build as it is now
  const dataDir = await mkdtemp(join(tmpdir(), 'apdesk-bench-startup-'));
  try {
    console.log(`apdesk start-up, Node ${process.version}, ${runs} runs per headless figure, ${consoleRuns} console runs\n`);
    // The first console start on an empty data dir seeds the demo; every later start reads it.
    const seeded = await consoleFirstFrame(dataDir);
    report('node -e 0 (Node itself)', repeat(runs, () => timed(['-e', '0'])));
    report('apdesk --help', repeat(runs, () => timed([BIN, '--help'])));
    report('apdesk status (demo data dir)', repeat(runs, () => timed([BIN, 'status', '--data-dir', dataDir])));
    report('apdesk invoices list (demo data dir)', repeat(runs, () => timed([BIN, 'invoices', 'list', '--data-dir', dataDir])));
    report('console: first frame, seeding the demo', [seeded.wall]);
    const frames: { wall: number; cpu: number | null }[] = [];
    await consoleFirstFrame(dataDir);
    for (let i = 0; i < consoleRuns; i++) frames.push(await consoleFirstFrame(dataDir));
    report('console: first frame (demo data dir)', frames.map((frame) => frame.wall));
    const cpu = frames.flatMap((frame) => (frame.cpu === null ? [] : [frame.cpu]));
    if (cpu.length) report('console: CPU time to the first frame', cpu);
    report('build, nothing changed (prestart, pretest)', repeat(Math.min(runs, 5), build));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
