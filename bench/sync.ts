// The sync loop against the sandbox on 127.0.0.1. Prints figures; asserts nothing.
//   npm run bench:sync        (or: npx tsx bench/sync.ts [--invoices 1000] [--hours 3])
//
// 1. Throughput: a company of 50 projects with 1,000 approved requisitions, 3 attachments each,
//    imported by `apdesk sync --once` (the real binary, a new process): invoices per second,
//    API requests and downloads per invoice, the process's peak memory. Then an idle cycle.
// 2. Latency under the rate limit: a company of 200 projects, 30 holding requisitions in flight,
//    run by the long-running loop on a virtual clock for some hours while requisitions are
//    approved at random moments: the time from approval to queue (p50, p95), and the requests
//    an hour the polling plan spends.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDesk } from '../source/app/desk.js';
import { closeMergeWorker } from '../source/documents/merge.js';
import { ensureSandbox, sandboxStateDir } from '../source/sandbox/index.js';
import { addRequisitions, approveRequisition, attachFile, readState, seedCompany, setRateLimits } from '../source/sandbox/control.js';
import { smallAttachments } from '../source/sandbox/small-files.js';
import { runLoop } from '../source/sync/loop.js';

const { values } = parseArgs({ options: { invoices: { type: 'string' }, hours: { type: 'string' } } });
const INVOICES = Number(values.invoices ?? 1000);
const HOURS = Number(values.hours ?? 3);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'apdesk.js');
const HOOK = join(ROOT, 'bench', 'rss-hook.mjs');
const VAULT = 'demo-construction';

async function apdesk(args: readonly string[], dataDir: string): Promise<{ code: number; stdout: string; wallMs: number; maxRssMb: number }> {
  const rssFile = join(tmpdir(), `apdesk-bench-rss-${process.pid}`);
  const started = performance.now();
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, BIN, ...args, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, APDESK_BENCH_RSS: rssFile },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit ?? 1, stdout: out }));
  });
  const wallMs = performance.now() - started;
  const maxRssMb = Number(await readFile(rssFile, 'utf8')) / 1024;
  await rm(rssFile, { force: true });
  return { code, stdout, wallMs, maxRssMb };
}

/** A demo data dir connected to the sandbox, its vault configured for `company` with auto-route. */
async function connectedDemo(dir: string, company: string): Promise<void> {
  for (const args of [
    ['procore', 'connect', '--vault', VAULT, '--email', 'ap.admin@demo.test', '--password', 'demo-password'],
    ['procore', 'configure', '--vault', VAULT, '--company', company, '--behavior', 'auto-route', '--queue', 'Procore Invoices'],
    ['jobs', 'enable', '--vault', VAULT, 'procore-import'],
    ['jobs', 'disable', '--vault', VAULT, 'check-backfiller'],
  ]) {
    const result = await apdesk(args, dir);
    if (result.code !== 0) throw new Error(`apdesk ${args.join(' ')} failed`);
  }
}

interface Run {
  requests: number;
  report: { imported: string[]; downloads: number; projectsPolled: number; failed: unknown[] };
}

async function throughput(): Promise<void> {
  const dir = join(tmpdir(), `apdesk-bench-sync-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  // The demo first (it makes the sandbox), then a company of its own in the same sandbox.
  const first = await apdesk(['demo'], dir);
  if (first.code !== 0) throw new Error('apdesk demo failed');
  const sandbox = await ensureSandbox(dir);
  try {
    const stateDir = sandboxStateDir(dir);
    // This part measures the importer, not pacing: Procore's limits are the next part's business.
    await setRateLimits(stateDir, { spike: { limit: 1_000_000, windowSec: 10 }, hourly: { limit: 1_000_000, windowSec: 3600 } });
    const projects = 50;
    const company = await seedCompany(stateDir, { projects, approvedPerProject: Math.ceil(INVOICES / projects), inFlightPerProject: 1, attachmentsPerRequisition: 3 });
    for (const args of [
      ['procore', 'connect', '--vault', VAULT, '--email', 'ap.admin@demo.test', '--password', 'demo-password'],
      ['procore', 'configure', '--vault', VAULT, '--company', company.companyId, '--behavior', 'auto-route', '--queue', 'Procore Invoices'],
      ['jobs', 'enable', '--vault', VAULT, 'procore-import'],
      ['jobs', 'disable', '--vault', VAULT, 'check-backfiller'],
    ]) {
      const result = await apdesk(args, dir);
      if (result.code !== 0) throw new Error(`apdesk ${args.join(' ')} failed`);
    }
    const cycle = await apdesk(['sync', '--once', '--vault', VAULT, '--json'], dir);
    const run = (JSON.parse(cycle.stdout)[0].runs as (Run & { job: string })[]).find((entry) => entry.job === 'procore-import')!;
    const imported = run.report.imported.length;
    const seconds = cycle.wallMs / 1000;
    console.log(`import of ${imported} approved requisitions (${projects} projects, 3 attachments each), apdesk sync --once in a new process:`);
    console.log(`  ${(imported / seconds).toFixed(1)} invoices/s   (${seconds.toFixed(1)} s, start-up included; target >= 20)`);
    console.log(`  ${(run.requests / imported).toFixed(2)} API requests per invoice, + ${(run.report.downloads / imported).toFixed(2)} file downloads   (target <= 1 + attachments = 4)`);
    console.log(`  peak memory ${cycle.maxRssMb.toFixed(0)} MB   (target < 300 MB)${run.report.failed.length ? `   ${run.report.failed.length} failed` : ''}`);

    const idle = await apdesk(['sync', '--once', '--vault', VAULT, '--json'], dir);
    const idleRun = (JSON.parse(idle.stdout)[0].runs as (Run & { job: string })[]).find((entry) => entry.job === 'procore-import')!;
    console.log(`idle cycle (nothing changed), ${idleRun.report.projectsPolled} projects: ${idleRun.requests} API requests, ${idleRun.report.downloads} downloads   (target <= projects + 1 = ${projects + 1})`);
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function latency(): Promise<void> {
  const dir = join(tmpdir(), `apdesk-bench-latency-${process.pid}`);
  await rm(dir, { recursive: true, force: true });
  const start = Date.now();
  let virtual = start;
  const clock = () => virtual;
  const first = await apdesk(['demo'], dir);
  if (first.code !== 0) throw new Error('apdesk demo failed');
  const sandbox = await ensureSandbox(dir, { clock });
  try {
    const stateDir = sandboxStateDir(dir);
    // Procore's own limit; the plan is meant to spend at most half of it.
    await setRateLimits(stateDir, { spike: { limit: 1_000_000, windowSec: 10 }, hourly: { limit: 3600, windowSec: 3600 } });
    const company = await seedCompany(stateDir, { projects: 200, approvedPerProject: 0, inFlightPerProject: 0, attachmentsPerRequisition: 1, now: start });
    // 30 projects hold requisitions in flight (under review), two each.
    const state = await readState(stateDir);
    const byProject = new Map<string, string>();
    for (const commitment of state.commitments) if (company.projectIds.includes(commitment.projectId) && !byProject.has(commitment.projectId)) byProject.set(commitment.projectId, commitment.id);
    const hotProjects = company.projectIds.slice(0, 30);
    const inFlight = (await addRequisitions(stateDir, hotProjects.flatMap((project) => [0, 1].map(() => ({ commitmentId: byProject.get(project)!, status: 'under_review' as const }))), { now: start })).map((r) => r.id);
    const pdf = smallAttachments()[0]!.bytes;
    for (const id of inFlight) await attachFile(stateDir, id, { filename: 'pay-app.pdf', bytes: pdf }, { now: start });
    await connectedDemo(dir, company.companyId);

    // Approvals at random moments of the run (after a first hour of warming up the plan).
    const duration = HOURS * 3_600_000;
    const approvals = inFlight
      .map((id) => ({ id, at: start + 600_000 + Math.floor(Math.random() * (duration - 900_000)) }))
      .sort((a, b) => a.at - b.at);
    const approvedAt = new Map<string, number>();
    const queuedAt = new Map<string, number>();
    const desk = await openDesk({ dataDir: dir });
    desk.events.on('sync', (event) => {
      if (event.kind === 'imported') queuedAt.set(event.requisitionId, virtual);
    });
    let requests = 0;
    const controller = new AbortController();
    await runLoop(desk, {
      signal: controller.signal,
      now: clock,
      tickMs: 10_000,
      onRun: (run) => (requests += run.requests),
      logger: { log() {}, flush: async () => undefined },
      sleep: async (ms) => {
        virtual += ms;
        while (approvals.length && approvals[0]!.at <= virtual) {
          const next = approvals.shift()!;
          await approveRequisition(stateDir, next.id, 'approved', { now: next.at });
          approvedAt.set(next.id, next.at);
        }
        if (virtual - start >= duration) controller.abort();
      },
    });
    const latencies = [...approvedAt].flatMap(([id, at]) => (queuedAt.has(id) ? [queuedAt.get(id)! - at] : [])).sort((a, b) => a - b);
    const missed = approvedAt.size - latencies.length;
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]! / 1000;
    console.log(`\nlatency under the rate limit: 200 projects, 30 with requisitions in flight, ${approvedAt.size} approvals over ${HOURS} virtual hours:`);
    console.log(`  approval to queue: p50 ${pct(50).toFixed(0)} s, p95 ${pct(95).toFixed(0)} s   (targets <= 60 s and <= 300 s)${missed ? `   ${missed} not imported` : ''}`);
    console.log(`  ${Math.round(requests / HOURS)} API requests an hour   (target <= 1,800, half of Procore's 3,600)`);
  } finally {
    await sandbox.close();
    await closeMergeWorker();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`apdesk sync on loopback against the sandbox; load ${loadavg()[0]!.toFixed(1)}, node ${process.version}\n`);
await throughput();
await latency();
