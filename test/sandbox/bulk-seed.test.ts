// A bulk company in the sandbox, read the way the importer reads Procore: every approved invoice
// maps to an invoice without warnings, its files are real and download, and a virtual clock can
// approve one "at" a time the list's updated_at window then finds.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeAttachments } from '../../source/documents/merge.js';
import { pdfPageCount } from '../../source/documents/pdf.js';
import { mapRequisition } from '../../source/domain/procore-mapping.js';
import { silentLogger } from '../../source/log/log.js';
import { downloadFile } from '../../source/procore/files.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { commitment, companies, projects, requisitionsChecked, vendor } from '../../source/procore/resources.js';
import { listRequisitions, readState, seedCompany, setRateLimits, setRequisitionStatus, type SeededCompany } from '../../source/sandbox/control.js';
import { onePagePdf } from '../../source/sandbox/small-files.js';
import { filesDir } from '../../source/sandbox/state.js';
import { tempDir } from '../helpers/temp.js';
import { connect, sandbox, type TestSandbox } from './helpers.js';

const SPEC = { projects: 3, approvedPerProject: 5, inFlightPerProject: 3, attachmentsPerRequisition: 3, seed: 7 };

let box: TestSandbox;
let seeded: SeededCompany;
let http: ProcoreHttp;

beforeAll(async () => {
  box = await sandbox({ seed: 'empty' });
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  seeded = await seedCompany(box.stateDir, { ...SPEC, now: box.clock.now() });
  const token = (await connect(box)).access_token;
  const tokens = { accessToken: async () => token, refreshAfter: async () => token };
  http = new ProcoreHttp({ environment: { kind: 'local', apiUrl: box.apiUrl, loginUrl: box.loginUrl }, tokens, logger: silentLogger, companyId: seeded.companyId });
});

describe('seedCompany', () => {
  it('adds a company the admin sees, with its projects, vendors, commitments and invoices', async () => {
    expect(seeded.projectIds).toHaveLength(3);
    expect(seeded.approvedIds).toHaveLength(15);
    expect(seeded.inFlightIds).toHaveLength(9);
    expect(seeded.files).toBe(72);
    expect((await companies(http)).map((company) => company.id)).toContain(seeded.companyId);
    expect((await projects(http, seeded.companyId)).map((project) => project.id)).toEqual(seeded.projectIds);
    const statuses = new Set((await listRequisitions(box.stateDir, { companyId: seeded.companyId })).map((r) => r.status));
    expect(statuses.has('approved')).toBe(true);
    expect([...statuses].filter((status) => status !== 'approved').length).toBeGreaterThanOrEqual(2);
  });

  it('gives approved invoices that map without a warning: vendor and commitment codes, job, cost codes, amounts that add up', async () => {
    const all = await projects(http, seeded.companyId);
    let mapped = 0;
    for (const project of all) {
      const { requisitions: read, refused } = await requisitionsChecked(http, project.id, { status: 'approved', view: 'extended' });
      expect(refused).toEqual([]);
      expect(read).toHaveLength(SPEC.approvedPerProject);
      for (const requisition of read) {
        const contract = await commitment(http, project.id, requisition.commitmentId!);
        const seller = await vendor(http, seeded.companyId, contract.vendor!.id!);
        const invoice = mapRequisition({ requisition, commitment: contract, vendor: seller, project });
        expect(invoice.warnings, requisition.id).toEqual([]);
        expect(invoice.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(invoice.header.total);
        expect(requisition.attachments).toHaveLength(3);
        mapped++;
      }
    }
    expect(mapped).toBe(15);
  });

  it('attaches a one-page PDF, a PNG and a JPEG that download and merge, all sharing three files on disk', async () => {
    const [project] = await projects(http, seeded.companyId);
    const { requisitions: [first] } = await requisitionsChecked(http, project!.id, { status: 'approved', view: 'extended' });
    const dir = await tempDir();
    const files = [];
    // Storage links carry their own signature: the download never asks for a token.
    const noToken = { accessToken: async () => expect.unreachable('a token was asked for'), refreshAfter: async () => expect.unreachable('a refresh was asked for') };
    for (const [n, attachment] of first!.attachments.entries()) {
      const got = await downloadFile(attachment.url, join(dir, String(n)), { environment: { kind: 'local', apiUrl: box.apiUrl, loginUrl: box.loginUrl }, tokens: noToken, logger: silentLogger });
      files.push({ name: attachment.filename!, bytes: new Uint8Array(await readFile(got.path)) });
    }
    expect(files.map((file) => file.name.split('.').pop())).toEqual(['pdf', 'png', 'jpg']);
    expect(await pdfPageCount({ name: files[0]!.name, contentType: 'application/pdf', bytes: files[0]!.bytes })).toBe(1);
    const merged = await mergeAttachments(files);
    expect([merged.pages, merged.kept]).toEqual([3, []]);
    expect((await readdir(filesDir(box.stateDir))).filter((name) => !name.endsWith('.tmp'))).toHaveLength(3);
  });

  it('updates its invoices a second apart up to `now`, so one updated_at window holds them all', async () => {
    const state = await readState(box.stateDir);
    const times = state.requisitions.map((r) => Date.parse(r.updatedAt));
    expect(new Set(times).size).toBe(times.length);
    expect(Math.max(...times)).toBe(Math.floor(box.clock.now() / 1000) * 1000);
    const approved = seeded.approvedIds.map((id) => state.requisitions.find((r) => r.id === id)!.updatedAt);
    expect(approved).toEqual([...approved].sort());
  });

  it('gives the same company for the same seed, and another for another seed', async () => {
    const amounts = async (spec: typeof SPEC) => {
      const other = await sandbox({ seed: 'empty' });
      const made = await seedCompany(other.stateDir, { ...spec, now: other.clock.now() });
      return (await listRequisitions(other.stateDir, { companyId: made.companyId })).map((r) => `${r.invoiceNumber} ${r.status} ${r.amount}`);
    };
    const same = await amounts(SPEC);
    expect(await amounts(SPEC)).toEqual(same);
    expect(await amounts({ ...SPEC, seed: 8 })).not.toEqual(same);
  });

  it('lets a benchmark with a virtual clock approve an invoice at a virtual time, which the list then shows', async () => {
    const id = seeded.inFlightIds[0]!;
    box.clock.advance(3600);
    const approved = await setRequisitionStatus(box.stateDir, id, 'approved', { now: box.clock.now() });
    const project = approved.projectId;
    const since = new Date(box.clock.now() - 1000).toISOString();
    const { requisitions: fresh } = await requisitionsChecked(http, project, { status: 'approved', updatedAt: [since, new Date(box.clock.now()).toISOString()] });
    expect(fresh.map((r) => [r.id, r.updatedAt])).toEqual([[id, new Date(box.clock.now()).toISOString().replace('.000Z', 'Z')]]);
  });

  it('refuses numbers it cannot seed, saying which', async () => {
    await expect(seedCompany(box.stateDir, { ...SPEC, projects: 0 })).rejects.toThrow('projects must be a whole number from 1 to 1000, not 0');
    await expect(seedCompany(box.stateDir, { ...SPEC, attachmentsPerRequisition: 2.5 })).rejects.toThrow('attachmentsPerRequisition must be a whole number from 0 to 20, not 2.5');
    await expect(seedCompany(box.stateDir, { ...SPEC, members: ['nobody@demo.test'] })).rejects.toThrow(/no sandbox user nobody@demo\.test — the users are ap\.admin@demo\.test/);
  });
});

describe('the hand-written one-page PDF', () => {
  it('is whole, and escapes what would break its text', async () => {
    const bytes = onePagePdf(['Invoice (draft) \\ 100% — é']);
    expect(await pdfPageCount({ name: 'tiny.pdf', contentType: 'application/pdf', bytes })).toBe(1);
    expect(Buffer.from(bytes).toString('latin1')).toContain('(Invoice \\(draft\\) \\\\ 100% ? ?) Tj');
  });
});
