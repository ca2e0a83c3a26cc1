// Exactly once, the hard way: `apdesk sync --once` (the real binary) killed with SIGKILL at random
// moments of a 50-invoice import, 20 times, then run to the end. Every requisition must end as
// exactly one invoice whose document is whole on disk, and nothing half-done may be left behind.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { openDesk } from '../../source/app/desk.js';
import { DEMO_COMPANY_ID, type RunningSandbox } from '../../source/sandbox/index.js';
import { addRequisitions, attachFile, readState } from '../../source/sandbox/control.js';
import { BIN } from '../helpers/cli.js';
import { pdfWithPages } from '../helpers/files.js';
import { connectedDemo } from '../helpers/sync.js';

const VAULT = 'demo-construction';
const KILLS = 20;
let dir: string;
let sandbox: RunningSandbox;
let added: string[] = [];

beforeAll(async () => {
  let stateDir: string;
  ({ dir, sandbox, stateDir } = await connectedDemo('auto-route'));
  // 50 more approved invoices on the demo company's commitments, each with a 2-page PDF.
  const state = await readState(stateDir);
  const projects = new Set(state.projects.filter((project) => project.companyId === DEMO_COMPANY_ID).map((project) => project.id));
  const commitments = state.commitments.filter((commitment) => projects.has(commitment.projectId));
  const specs = Array.from({ length: 50 }, (_, i) => ({ commitmentId: commitments[i % commitments.length]!.id, status: 'approved' as const, percentOfRemaining: 1 }));
  added = (await addRequisitions(stateDir, specs)).map((summary) => summary.id);
  const pdf = await pdfWithPages(2, 'Pay application');
  for (const id of added) await attachFile(stateDir, id, { filename: `pay-app-${id}.pdf`, bytes: pdf });
}, 120_000);
afterAll(async () => sandbox.close());

function runSync(): { killAfter(ms: number): Promise<void>; done: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'sync', '--once', '--vault', VAULT, '--data-dir', dir], { stdio: 'ignore' });
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    done,
    killAfter: async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      child.kill('SIGKILL');
      await done;
    },
  };
}

/** Every file and folder under dir, relative. */
async function walk(root: string, at = ''): Promise<string[]> {
  const entries = await readdir(join(root, at), { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(at, entry.name);
    found.push(path);
    if (entry.isDirectory()) found.push(...(await walk(root, path)));
  }
  return found;
}

it(`ends with every requisition imported exactly once, nothing lost and no debris, after ${KILLS} kills`, async () => {
  for (let round = 0; round < KILLS; round++) {
    // From start-up to the end of the import: the kill lands before, during and between batches.
    await runSync().killAfter(300 + Math.floor(Math.random() * 3_500));
  }
  expect(await runSync().done).toBe(0);

  const desk = await openDesk({ dataDir: dir });
  const invoices = (await desk.invoices.list({ vault: VAULT, limit: 10_000 })).rows;
  const byRequisition = new Map<string, number>();
  for (const row of invoices) {
    const invoice = await desk.invoices.get(row.id);
    if (invoice.source.kind !== 'procore-auto') continue;
    const requisition = invoice.source.procore.requisitionId;
    byRequisition.set(requisition, (byRequisition.get(requisition) ?? 0) + 1);
    // Its document is whole: the bytes on disk are those recorded.
    for (const attachment of invoice.attachments) {
      const bytes = await readFile(join(dir, attachment.path));
      expect(createHash('sha256').update(bytes).digest('hex'), attachment.path).toBe(attachment.sha256);
    }
  }
  for (const id of added) expect(byRequisition.get(id), `requisition ${id}`).toBe(1);
  expect([...byRequisition.values()].every((count) => count === 1)).toBe(true);

  // No debris: no staging, no temporary or orphaned document folders, no partial downloads, no
  // index notes left pending, no lock.
  const vaultDir = join(dir, 'vaults', VAULT);
  const files = await walk(vaultDir);
  expect(files.filter((path) => path.startsWith('staging'))).toEqual([]);
  expect(files.filter((path) => /\.tmp|\.part-|\.orphan-/.test(path))).toEqual([]);
  expect(await readdir(join(vaultDir, 'index', 'pending')).catch(() => [])).toEqual([]);
  const ids = new Set(invoices.map((row) => row.id as string));
  const documentDirs = await readdir(join(vaultDir, 'documents'));
  expect(documentDirs.filter((name) => !ids.has(name))).toEqual([]);
  await expect(stat(join(dir, '.apdesk.lock'))).rejects.toThrow();
}, 600_000);
