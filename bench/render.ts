// The console with a 50,000-invoice vault: the time from a key to the frame it changes in the
// Invoices pane (moving, paging, filtering), the time to the first frame, and the memory. The
// console (the real Shell and panes) renders in this process through ink-testing-library; keys go
// to its stdin as a terminal would send them. Prints figures; asserts nothing.
//   npm run bench:render        (or: npx tsx bench/render.ts [--size 50000] [--keys 40] [--data-dir DIR])
// --data-dir measures a vault made before (by --make-fixture) and keeps it; otherwise the vault is
// made for the run and removed after it.
import { createElement } from 'react';
import { existsSync, rmSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { render } from 'ink-testing-library';
import { openDesk } from '../source/app/desk.js';
import { Shell } from '../source/tui/shell/shell.js';
import { PANES } from '../source/tui/panes/index.js';
import { vaultOf } from './fixtures.js';

const { values } = parseArgs({ options: { size: { type: 'string' }, keys: { type: 'string' }, 'make-fixture': { type: 'boolean' }, 'data-dir': { type: 'string' } } });
const size = Number(values.size ?? 50_000);
const presses = Number(values.keys ?? 40);
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

const KEYS = { down: '\u001B[B', up: '\u001B[A', pageDown: '\u001B[6~', pageUp: '\u001B[5~', enter: '\r', escape: '\u001B' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))]!;

const me = userInfo().username;
if (values['make-fixture']) {
  // Run as a child: the vault is written by another process, so this one's memory is the console's.
  const { dir } = await vaultOf(size, { user: me, command: 'bench/render.ts' });
  process.stdout.write(dir);
  process.exit(0);
}
const given = values['data-dir'];
const dir =
  given ??
  execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--make-fixture', '--size', String(size)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim();
// A 50,000-invoice vault is 130 MB of temp files: one made for this run goes with it.
if (given === undefined) process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const desk = await openDesk({ dataDir: dir, command: 'bench/render.ts' });
console.log(`the console on a ${size.toLocaleString('en-US')}-invoice vault, 80×24, load ${loadavg()[0]!.toFixed(1)}, node ${process.version}\n`);

const app = render(createElement(Shell, { desk, panes: PANES, size: { columns: 80, rows: 24 } }));
const frame = () => app.lastFrame() ?? '';

/** Waits until the frame satisfies `done` (or a change when none is given); the time it took. */
async function until(done: (text: string) => boolean, limitMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (done(frame())) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`no such frame within ${limitMs} ms:\n${frame()}`);
    await sleep(1);
  }
}

const start = performance.now();
await until((text) => text.includes('Bench'));
const firstFrame = performance.now() - start;
const invoicesIndex = PANES.findIndex((pane) => pane.id === 'invoices');
if (invoicesIndex < 0) {
  console.log('no Invoices pane in this build: nothing more to measure');
  process.exit(0);
}
app.stdin.write(String(invoicesIndex + 1));
const firstRows = await until((text) => /INV-0\d{5}/.test(text));
console.log(`first frame: ${firstFrame.toFixed(0)} ms; the Invoices pane's first page of rows: ${firstRows.toFixed(0)} ms more (target < 1 s to the first frame)`);

/** Presses a key and times until the frame changes. */
async function press(key: string): Promise<number> {
  const before = frame();
  const started = performance.now();
  app.stdin.write(key);
  await until((text) => text !== before);
  return performance.now() - started;
}

async function series(label: string, keys: () => string, count = presses): Promise<void> {
  const times: number[] = [];
  for (let n = 0; n < count; n++) times.push(await press(keys()));
  console.log(`${label.padEnd(34)} median ${median(times).toFixed(1).padStart(6)} ms   p95 ${p95(times).toFixed(1).padStart(6)} ms   (target < 50 ms)`);
}

await series('moving down (↓)', () => KEYS.down);
await series('paging down (PgDn)', () => KEYS.pageDown);
await series('paging up (PgUp)', () => KEYS.pageUp);
// Filtering: `/` opens the field, each letter narrows the list, Enter applies.
let typed = 0;
const word = 'v-1042';
await series('filtering (/ then typing)', () => (typed++ === 0 ? '/' : word[(typed - 2) % word.length]!), word.length + 1);
app.stdin.write(KEYS.enter);
await sleep(200);
const memory = process.memoryUsage();
console.log(`\nmemory: ${(memory.rss / 1024 / 1024).toFixed(0)} MB resident, ${(memory.heapUsed / 1024 / 1024).toFixed(0)} MB heap (target < 300 MB)`);
app.unmount();
await realTerminal();
process.exit(0);

/**
 * The same vault in the real binary on a pseudo-terminal (script(1)), from spawn: process start,
 * imports and the desk included, to the first frame and to the first row of invoices. Three runs.
 */
async function realTerminal(): Promise<void> {
  const bin = fileURLToPath(new URL('../bin/apdesk.js', import.meta.url));
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) return console.log('\nin a real terminal: skipped (npm run build first)');
  const runs: { frame: number; rows: number }[] = [];
  for (let run = 0; run < 3; run++) {
    const measured = await new Promise<{ frame: number; rows: number } | null>((resolve) => {
      const started = performance.now();
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${process.execPath} ${bin} --data-dir ${dir}`, '/dev/null'], { env: { ...process.env, TERM: 'xterm' } });
      } catch {
        return resolve(null);
      }
      let out = '';
      let frameAt: number | null = null;
      let done = false;
      child.on('error', () => resolve(null));
      child.stdin!.on('error', () => undefined);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const now = performance.now() - started;
        if (frameAt === null && out.includes('q quit')) frameAt = now;
        // eslint-disable-next-line no-control-regex
        if (!done && frameAt !== null && /› \S+/.test(out.replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, ''))) {
          done = true;
          child.stdin!.write('q');
          resolve({ frame: frameAt, rows: now });
        }
      });
      setTimeout(() => {
        child.kill();
        resolve(null);
      }, 30_000).unref();
    });
    if (!measured) return console.log('\nin a real terminal: skipped (script(1) is not here, or the console did not draw)');
    runs.push(measured);
  }
  const frames = runs.map((r) => r.frame);
  const rows = runs.map((r) => r.rows);
  console.log(`\nin a real terminal (script(1), 80×24), from spawn: first frame median ${median(frames).toFixed(0)} ms (${Math.min(...frames).toFixed(0)}–${Math.max(...frames).toFixed(0)}), first row of invoices median ${median(rows).toFixed(0)} ms (${Math.min(...rows).toFixed(0)}–${Math.max(...rows).toFixed(0)}) (target < 1 s to the first frame)`);
}
