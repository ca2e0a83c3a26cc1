// The cloud sync against the sandbox on 127.0.0.1, as a user runs it: `apdesk sync --once` on the
// demo vault, connected, with Automated Import and Auto Route into the Procore Invoices queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDesk, type Desk } from '../../source/app/desk.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS, sandboxStateDir, type RunningSandbox } from '../../source/sandbox/index.js';
import { addRequisitions, attachFile, readState, setAppInstalled, updateState } from '../../source/sandbox/control.js';
import { closeMergeWorker } from '../../source/documents/merge.js';
import { PDFDocument } from '@cantoo/pdf-lib';
import { pdfPageCount } from '../../source/documents/pdf.js';
import type { VaultCycle } from '../../source/sync/loop.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { connectedDemo } from '../helpers/sync.js';
import { apiLine } from '../../source/tui/panes/sync/index.js';

const VAULT = 'demo-construction';
let dir: string;
let sandbox: RunningSandbox;
let desk: Desk;

const ok = (args: string[]) => expectOk([...args, '--data-dir', dir], { warnings: 'allow' });
const invoiceId = (requisitionId: string) => `PC-${DEMO_COMPANY_ID}-${requisitionId}`;

async function syncOnce(): Promise<VaultCycle> {
  const result = await ok(['sync', '--once', '--vault', VAULT, '--json']);
  return (JSON.parse(result.stdout) as VaultCycle[])[0]!;
}

const importRun = (cycle: VaultCycle) => cycle.runs.find((run) => run.job === 'procore-import')!;

/** The requisitions of the demo company that one cycle must import: approved, with files, not synced elsewhere. */
async function importable(): Promise<string[]> {
  const state = await readState(sandboxStateDir(dir));
  const projects = new Set(state.projects.filter((project) => project.companyId === DEMO_COMPANY_ID).map((project) => project.id));
  return state.requisitions
    .filter((r) => projects.has(r.projectId) && ['approved', 'approved_as_noted'].includes(r.status) && r.attachmentIds.length > 0 && !r.originId && !r.erpStatus)
    .map((r) => r.id)
    .sort();
}

beforeAll(async () => {
  ({ dir, sandbox } = await connectedDemo('auto-route'));
  desk = await openDesk({ dataDir: dir });
});
afterAll(async () => {
  await sandbox.close();
  await closeMergeWorker();
});

describe('one sync cycle', () => {
  let first: VaultCycle;
  beforeAll(async () => {
    first = await syncOnce();
  });

  it('imports exactly the approved requisitions that have files and are not synced elsewhere', async () => {
    const run = importRun(first);
    expect(run.outcome).toBe('ok');
    expect(run.report.failed).toEqual([]);
    const imported = [...run.report.imported].sort();
    expect(imported).toEqual((await importable()).map(invoiceId).sort());
    for (const id of imported) {
      const invoice = await desk.invoices.get(id);
      expect(invoice.source.kind).toBe('procore-auto');
      expect(invoice.queueId).toBe('procore-invoices');
    }
  });

  it('merges every attachment into one PDF, its page count checked against the file', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.threeAttachments));
    const document = invoice.attachments.find((attachment) => attachment.role === 'document')!;
    // A 3-page PDF, a PNG and a JPEG.
    expect(document.pages).toBe(5);
    const bytes = await readFile(join(dir, document.path));
    expect(await pdfPageCount({ name: 'document.pdf', bytes, contentType: 'application/pdf' })).toBe(5);
    expect(invoice.flags).toEqual([]);
  });

  it('decrypts a PDF with an empty password and merges it', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.encryptedPdf));
    expect(invoice.flags).toEqual([]);
    expect(invoice.attachments.filter((attachment) => attachment.role === 'original')).toEqual([]);
    expect(invoice.attachments.find((attachment) => attachment.role === 'document')!.pages).toBeGreaterThan(1);
  });

  it('keeps a PDF that needs a password byte for byte beside the merged PDF, and flags the invoice naming it', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.passwordPdf));
    const [kept] = invoice.attachments.filter((attachment) => attachment.role === 'original');
    expect(invoice.flags).toEqual([`${kept!.name} needs a password to open; it is kept as it is beside the merged PDF (ask the sender for a copy without a password)`]);
    const state = await readState(sandboxStateDir(dir));
    const requisition = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.passwordPdf)!;
    const file = state.files.find((f) => requisition.attachmentIds.includes(f.id) && f.filename === kept!.name)!;
    expect(file).toBeDefined();
    expect(kept!.bytes).toBe(file.size);
    expect(invoice.attachments.find((attachment) => attachment.role === 'document')!.pages).toBeGreaterThan(0);
  });

  it('turns an EXIF-rotated photo upright in the merged PDF', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.rotatedJpeg));
    const document = invoice.attachments.find((attachment) => attachment.role === 'document')!;
    const pdf = await PDFDocument.load(await readFile(join(dir, document.path)));
    expect(pdf.getPages().map((page) => page.getRotation().angle)).toContain(90);
  });

  it('bills this period only: work completed plus materials newly stored, with stored materials carried over', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.carriedMaterials));
    const state = await readState(sandboxStateDir(dir));
    const requisition = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.carriedMaterials)!;
    expect(requisition.items.some((item) => (item.materialsFromPrevious ?? 0) > 0)).toBe(true);
    const expected = requisition.items.map((item) => item.workThisPeriod + item.materialsStored - (item.materialsFromPrevious ?? 0) + (item.materialsMoved ?? 0));
    expect(invoice.lines.map((line) => line.amount)).toEqual(expected);
    expect(invoice.header.total).toBe(expected.reduce((sum, amount) => sum + amount, 0));
  });

  it('takes the cost code from the typed WBS segment, past a sub job', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.subJob));
    for (const line of invoice.lines) {
      expect(line.costCode).toMatch(/^\d\d-\d{3}$/);
      expect(line.category).toBe('S');
    }
  });

  it('skips the ones synced elsewhere, by origin_id and by ERP status, with the reason', () => {
    const skipped = new Map(importRun(first).report.skipped.map((entry) => [entry.id, entry.reason]));
    expect(skipped.get(DEMO_REQUISITIONS.syncedElsewhere)).toMatch(/^synced to an accounting system by another integration \(origin_id /);
    expect(skipped.get(DEMO_REQUISITIONS.erpStatus)).toMatch(/^synced to an accounting system by another integration \(ERP status /);
  });

  it('routes the valid ones and leaves the invalid ones unprocessed in the queue, with reasons naming field and value', async () => {
    const run = importRun(first);
    const left = new Map(run.report.leftInQueue.map((entry) => [entry.id, entry.reason]));
    expect([...left.keys()].sort()).toEqual([invoiceId(DEMO_REQUISITIONS.missingCommitment), invoiceId(DEMO_REQUISITIONS.missingVendor)].sort());
    expect(left.get(invoiceId(DEMO_REQUISITIONS.missingCommitment))).toContain("Commitment 'SC-999'");
    expect(left.get(invoiceId(DEMO_REQUISITIONS.missingVendor))).toContain("Vendor 'GHOST-VND'");
    const failedOver = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.missingCommitment));
    expect(failedOver.status).toBe('unprocessed');
    expect(failedOver.routing).toMatchObject({ outcome: 'failed' });
    for (const id of run.report.routed) expect((await desk.invoices.get(id)).status).toBe('pending');
    expect(run.report.routed.length + run.report.leftInQueue.length).toBe(run.report.imported.length);
  });

  it('carries the DocuSign note on an invoice signed through DocuSign', async () => {
    const invoice = await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.docuSign));
    expect(invoice.notes?.join(' ')).toMatch(/signed DocuSign document is not included.*Procore Import/);
  });

  it('waits on the approved requisition without a file, with its reason', () => {
    expect(importRun(first).report.waiting).toEqual([{ id: DEMO_REQUISITIONS.noAttachment, reason: 'no file attached in Procore' }]);
  });

  it('leaves no staging folder and no temporary files behind', async () => {
    const vaultDir = join(dir, 'vaults', VAULT);
    expect(await readdir(vaultDir)).not.toContain('staging');
    const documents = await readdir(join(vaultDir, 'documents'));
    expect(documents.filter((name) => name.includes('.tmp'))).toEqual([]);
  });

  describe('the next cycle', () => {
    let second: VaultCycle;
    beforeAll(async () => {
      second = await syncOnce();
    });

    it('downloads nothing and makes about one request per project', () => {
      const run = importRun(second);
      expect(run.report.imported).toEqual([]);
      expect(run.report.downloads).toBe(0);
      // The projects list, one list per project, and one look at the project holding the waiting requisition.
      expect(run.requests).toBeLessThanOrEqual(run.report.projectsPolled + 2);
    });

    it("records Procore's rate limit as the run's last answer stated it, for the console", async () => {
      const record = (await desk.imports.syncState('demo-construction')).runs['procore-import']!;
      expect(record.requests).toBe(importRun(second).requests);
      expect(record.rateLimit).toMatchObject({ limit: expect.any(Number), remaining: expect.any(Number) });
      expect(record.rateLimit!.remaining).toBeLessThan(record.rateLimit!.limit!);
      expect(Date.parse(record.rateLimit!.resetAt)).toBeGreaterThan(Date.parse(record.startedAt));
      expect(apiLine(record)).toMatch(/^last run \d+ API requests?; Procore's limit: [\d,]+ of [\d,]+ left, resets \d\d:\d\d$/);
    });

    it('imports the waiting requisition once a file appears, even if its updated_at did not move', async () => {
      const stateDir = sandboxStateDir(dir);
      const before = (await readState(stateDir)).requisitions.find((r) => r.id === DEMO_REQUISITIONS.noAttachment)!.updatedAt;
      const bytes = await readFile(join(dir, (await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.threeAttachments))).attachments[0]!.path));
      await attachFile(stateDir, DEMO_REQUISITIONS.noAttachment, { filename: 'late-invoice.pdf', bytes }, { touchUpdatedAt: false });
      expect((await readState(stateDir)).requisitions.find((r) => r.id === DEMO_REQUISITIONS.noAttachment)!.updatedAt).toBe(before);
      const third = importRun(await syncOnce());
      expect(third.report.imported).toEqual([invoiceId(DEMO_REQUISITIONS.noAttachment)]);
      expect(third.report.waiting).toEqual([]);
      const failures = JSON.parse((await ok(['sync', 'failures', '--vault', VAULT, '--json'])).stdout);
      expect(failures).toEqual({ failures: [], waiting: [] });
    });
  });
});

describe('a failed import', () => {
  it('is listed with its error by sync failures, retried with backoff, and imported by sync reprocess once fixed', async () => {
    const stateDir = sandboxStateDir(dir);
    const state = await readState(stateDir);
    const commitment = state.commitments.find((c) => c.projectId === state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.threeAttachments)!.projectId)!;
    const [added] = await addRequisitions(stateDir, [{ commitmentId: commitment.id, status: 'approved' }]);
    const bytes = await readFile(join(dir, (await desk.invoices.get(invoiceId(DEMO_REQUISITIONS.threeAttachments))).attachments[0]!.path));
    await attachFile(stateDir, added!.id, { filename: 'pay-app.pdf', bytes });
    // Procore sends it with a date that is not one: apdesk cannot read it.
    const setDate = (date: string) =>
      updateState(stateDir, (draft) => {
        const requisition = draft.requisitions.find((r) => r.id === added!.id)!;
        requisition.billingDate = date;
        requisition.updatedAt = new Date(Date.parse(requisition.updatedAt) + 1000).toISOString().replace('.000Z', 'Z');
      });
    await setDate('2026-11-31');
    const run = importRun(await syncOnce());
    expect(run.outcome).toBe('ok');
    expect(run.report.failed).toEqual([{ id: added!.id, reason: expect.stringContaining("billing_date '2026-11-31'") }]);
    const listed = JSON.parse((await ok(['sync', 'failures', '--vault', VAULT, '--json'])).stdout);
    expect(listed.failures).toEqual([expect.objectContaining({ requisitionId: added!.id, attempts: 1, error: expect.stringContaining('2026-11-31') })]);
    expect(Date.parse(listed.failures[0].nextAttemptAt) - Date.parse(listed.failures[0].lastAt)).toBe(60_000);

    await setDate('2026-11-30');
    const again = await ok(['sync', 'reprocess', '--vault', VAULT, added!.id]);
    expect(again.stdout).toContain(`Requisition ${added!.id} is imported as ${invoiceId(added!.id)}.`);
    expect(JSON.parse((await ok(['sync', 'failures', '--vault', VAULT, '--json'])).stdout).failures).toEqual([]);
    const twice = await ok(['sync', 'reprocess', '--vault', VAULT, added!.id]);
    expect(twice.stdout).toContain('is already imported');
  });

  it('reprocess refuses a requisition that is neither failed nor waiting', async () => {
    const result = await runCli(['sync', 'reprocess', '--vault', VAULT, '424242', '--data-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("requisition 424242 is not among vault 'Demo Construction's failed or waiting imports");
  });
});

describe('jobs', () => {
  it('jobs run runs one job now, and jobs list shows its last run, the next, and what polling costs', async () => {
    const run = await ok(['jobs', 'run', '--vault', VAULT, 'procore-import']);
    expect(run.stdout).toMatch(/Procore import \(cloud sync\): \d+ approved requisitions seen in 3 projects/);
    const listed = await ok(['jobs', 'list', '--vault', VAULT]);
    expect(listed.stdout).toMatch(/procore-import\s+yes\s+15m\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+/);
    expect(listed.stdout).toMatch(/polls \d+ projects? with invoices in flight every \d+ s and \d+ others? every 15 min: about \d+ requests an hour when idle, of a budget of 1800 \(3 projects visible to the connected user\)/);
    expect(listed.stdout).toContain('The sync loop is not running');
    const rows = JSON.parse((await ok(['jobs', 'list', '--vault', VAULT, '--json'])).stdout);
    const row = rows.find((entry: { kind: string }) => entry.kind === 'procore-import');
    expect(row).toMatchObject({ enabled: true, lastRun: { outcome: 'ok' }, blocker: null, projectsVisible: 3 });
  });
});

describe('what stops a cycle', () => {
  it('exits non-zero when Procore refuses the app (not installed in the company), saying what to do, and spends no refresh token', async () => {
    const stateDir = sandboxStateDir(dir);
    await setAppInstalled(stateDir, DEMO_COMPANY_ID, false);
    try {
      const result = await runCli(['sync', '--once', '--vault', VAULT, '--data-dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/could not run Procore import \(cloud sync\) of vault 'Demo Construction': .*(not be installed|App Management)/);
      // The vault is still connected: the refusal is about the company's app, not the tokens.
      expect(JSON.parse((await ok(['procore', 'show', '--vault', VAULT, '--json'])).stdout).connection.state).toBe('connected');
    } finally {
      await setAppInstalled(stateDir, DEMO_COMPANY_ID, true);
    }
  });

  it('exits non-zero, saying why, when the vault must reconnect — and 0 when invoices merely fail validation', async () => {
    const other = await tempDir();
    await expectOk(['demo', '--data-dir', other], { warnings: 'allow' });
    await expectOk(['jobs', 'enable', '--vault', VAULT, 'procore-import', '--data-dir', other], { warnings: 'allow' });
    const result = await runCli(['sync', '--once', '--data-dir', other]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('could not run');
    expect(result.stderr).toMatch(/apdesk: could not run Procore import \(cloud sync\) of vault 'Demo Construction': .*not connected to Procore/);
  });
});
