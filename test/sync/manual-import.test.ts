// Manual import as a clerk uses it: list what can be imported, fill an invoice (or a queued
// document) from a requisition, without the sync loop and without the cloud-sync licence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesk } from '../../source/app/desk.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS, sandboxStateDir, type RunningSandbox } from '../../source/sandbox/index.js';
import { addRequisitions } from '../../source/sandbox/control.js';
import { closeMergeWorker } from '../../source/documents/merge.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot } from '../helpers/temp.js';
import { connectedDemo } from '../helpers/sync.js';

const VAULT = 'demo-construction';
let dir: string;
let sandbox: RunningSandbox;

const ok = (args: string[]) => expectOk([...args, '--data-dir', dir], { warnings: 'allow' });
const cli = (args: string[]) => runCli([...args, '--data-dir', dir]);

beforeAll(async () => {
  ({ dir, sandbox } = await connectedDemo('manual'));
  // Manual import needs neither the cloud-sync licence nor the loop.
  await ok(['license', 'revoke', '--vault', VAULT, 'cloud-sync']);
});
afterAll(async () => {
  await sandbox.close();
  await closeMergeWorker();
});

describe('procore requisitions', () => {
  it("lists the company's approved requisitions across its projects, and how many projects the user sees", async () => {
    const listed = JSON.parse((await ok(['procore', 'requisitions', '--vault', VAULT, '--json'])).stdout);
    expect(listed.projectsVisible).toBe(3);
    const ids = listed.requisitions.map((r: { id: string }) => r.id);
    expect(ids).toContain(DEMO_REQUISITIONS.threeAttachments);
    expect(ids).toContain(DEMO_REQUISITIONS.bigId);
    expect(listed.requisitions.every((r: { status: string }) => ['approved', 'approved_as_noted'].includes(r.status))).toBe(true);
    expect(listed.requisitions.every((r: { imported: unknown }) => r.imported === null)).toBe(true);
  });

  it('filters by project and words', async () => {
    const listed = JSON.parse((await ok(['procore', 'requisitions', '--vault', VAULT, '--project', 'Pier 9 Warehouse', '--search', 'ghost', '--json'])).stdout);
    expect(listed.requisitions.map((r: { id: string }) => r.id)).toEqual([DEMO_REQUISITIONS.missingVendor]);
  });

  it('refuses a project the user cannot see, naming how many they can', async () => {
    const result = await cli(['procore', 'requisitions', '--vault', VAULT, '--project', 'Atlantis']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no project 'Atlantis' among the 3 projects the connected user can see");
  });
});

describe('procore import', () => {
  it('fills a new invoice from the requisition, linked to it, without attachments', async () => {
    const result = await ok(['procore', 'import', '--vault', VAULT, '--requisition', DEMO_REQUISITIONS.threeAttachments, '--json']);
    const { invoice } = JSON.parse(result.stdout);
    expect(invoice.id).toBe(`PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.threeAttachments}`);
    expect(invoice.source).toMatchObject({ kind: 'procore-manual', procore: { requisitionId: DEMO_REQUISITIONS.threeAttachments, companyId: DEMO_COMPANY_ID } });
    expect(invoice.attachments).toEqual([]);
    expect(invoice.lines.length).toBeGreaterThan(0);
    expect(invoice.header.vendor).toBe('ABC-CON');
    expect(invoice.queueId).toBe('procore-invoices');
  });

  it('marks it imported, with where, in the list', async () => {
    const listed = JSON.parse((await ok(['procore', 'requisitions', '--vault', VAULT, '--json'])).stdout);
    const entry = listed.requisitions.find((r: { id: string }) => r.id === DEMO_REQUISITIONS.threeAttachments);
    expect(entry.imported).toMatchObject({ vaultId: VAULT, invoiceId: `PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.threeAttachments}` });
  });

  it('importing it again says where it is and changes nothing', async () => {
    const before = await snapshot(dir);
    const result = await cli(['procore', 'import', '--vault', VAULT, '--requisition', DEMO_REQUISITIONS.threeAttachments]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is already imported as PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.threeAttachments}`);
    const after = await snapshot(dir);
    // The log and the sandbox's own state may move; the store does not.
    const store = (files: Record<string, string>) => Object.fromEntries(Object.entries(files).filter(([path]) => !path.startsWith('logs') && !path.startsWith('sandbox')));
    expect(store(after)).toEqual(store(before));
  });

  it("fills a queued document's invoice instead (the DocuSign workaround), keeping its document", async () => {
    const desk = await openDesk({ dataDir: dir });
    const [document] = (await desk.invoices.list({ vault: VAULT, queue: 'ap-inbox' })).rows;
    await ok(['procore', 'import', '--vault', VAULT, '--requisition', DEMO_REQUISITIONS.docuSign, '--document', document!.id]);
    const filled = await desk.invoices.get(document!.id);
    expect(filled.source).toMatchObject({ kind: 'procore-manual', procore: { requisitionId: DEMO_REQUISITIONS.docuSign } });
    expect(filled.attachments.some((attachment) => attachment.role === 'document')).toBe(true);
    expect(filled.lines.length).toBeGreaterThan(0);
    expect(filled.audit.some((entry) => entry.detail?.includes(`filled from Procore requisition ${DEMO_REQUISITIONS.docuSign}`))).toBe(true);
  });

  it('refuses a requisition id that is not one, and one no project has', async () => {
    expect((await cli(['procore', 'import', '--vault', VAULT, '--requisition', 'abc'])).stderr).toContain("'abc' is not a Procore requisition id");
    const missing = await cli(['procore', 'import', '--vault', VAULT, '--requisition', '999999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no requisition 999999 in the 3 Procore projects the connected user can see');
  });

  it("gives lines that name their cost code by cost_code_id alone the code from the project's cost codes", async () => {
    // SC-2301-02 on the tower (job 2301) bills 05-120 twice and 05-500.
    const [added] = await addRequisitions(sandboxStateDir(dir), [{ commitmentId: '786002', status: 'approved', itemCoding: 'cost-code-id' }]);
    const { invoice } = JSON.parse((await ok(['procore', 'import', '--vault', VAULT, '--requisition', added!.id, '--json'])).stdout);
    expect(invoice.lines.map((line: { job: string; costCode: string }) => [line.job, line.costCode])).toEqual([
      ['2301', '05-120'],
      ['2301', '05-120'],
      ['2301', '05-500'],
    ]);
    expect(invoice.notes ?? []).not.toContainEqual(expect.stringMatching(/cost code/));
  });

  it('the automated import later finds them imported and imports neither again', async () => {
    await ok(['license', 'grant', '--vault', VAULT, 'cloud-sync']);
    await ok(['procore', 'configure', '--vault', VAULT, '--behavior', 'auto-queue']);
    await ok(['jobs', 'enable', '--vault', VAULT, 'procore-import']);
    const [cycle] = JSON.parse((await ok(['sync', '--once', '--vault', VAULT, '--json'])).stdout);
    const run = cycle.runs.find((entry: { job: string }) => entry.job === 'procore-import');
    expect(run.outcome).toBe('ok');
    expect(run.report.imported).not.toContain(`PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.threeAttachments}`);
    expect(run.report.imported).not.toContain(`PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.docuSign}`);
    expect(run.report.imported.length).toBeGreaterThan(0);
  });
});
