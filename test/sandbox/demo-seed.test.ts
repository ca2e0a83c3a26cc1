import { readFile } from 'node:fs/promises';
import { PDFDocument } from '@cantoo/pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeAttachments } from '../../source/documents/merge.js';
import { DEMO_LEDGER_CODES, DEMO_PDF_PASSWORD, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { readState } from '../../source/sandbox/control.js';
import { requisitionTotals } from '../../source/sandbox/resources.js';
import { REQUISITION_STATUSES, filePath, type SandboxState } from '../../source/sandbox/state.js';
import { api, connect, sandbox, type TestSandbox } from './helpers.js';

let box: TestSandbox;
let state: SandboxState;
beforeAll(async () => {
  box = await sandbox();
  state = await readState(box.stateDir);
});

const byId = (id: string) => state.requisitions.find((r) => r.id === id)!;
const vendorCode = (commitmentId: string) =>
  state.vendors.find((v) => v.id === state.commitments.find((c) => c.id === commitmentId)!.vendorId)!.originCode;

describe('the demo seed', () => {
  it('has 37 requisitions in all six statuses, and ids above 2^53', () => {
    expect(state.requisitions).toHaveLength(37);
    for (const status of REQUISITION_STATUSES) expect(state.requisitions.some((r) => r.status === status), status).toBe(true);
    expect(BigInt(state.companies[0]!.id)).toBeGreaterThan(2n ** 53n);
    expect(BigInt(DEMO_REQUISITIONS.bigId)).toBeGreaterThan(2n ** 53n);
    expect(byId(DEMO_REQUISITIONS.bigId).status).toBe('approved');
  });

  it('gives the approved ones 1–4 real attachments, except the one without and the DocuSign one', async () => {
    const approved = state.requisitions.filter((r) => r.status === 'approved');
    for (const r of approved.filter((r) => r.id !== DEMO_REQUISITIONS.noAttachment)) {
      expect(r.attachmentIds.length, r.id).toBeGreaterThanOrEqual(1);
      expect(r.attachmentIds.length, r.id).toBeLessThanOrEqual(4);
    }
    expect(byId(DEMO_REQUISITIONS.noAttachment).attachmentIds).toEqual([]);
    expect(byId(DEMO_REQUISITIONS.fourAttachments).attachmentIds).toHaveLength(4);
    expect(state.requisitions.filter((r) => r.electronicSignatureId !== null).map((r) => r.id)).toEqual([DEMO_REQUISITIONS.docuSign]);

    const kinds = new Set(state.files.map((file) => file.contentType));
    expect([...kinds].sort()).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    for (const file of state.files) {
      const bytes = await readFile(filePath(box.stateDir, file.id));
      expect(bytes.length).toBe(file.size);
      if (file.contentType === 'application/pdf' && !/-(secured|protected)\.pdf$/.test(file.filename)) {
        expect((await PDFDocument.load(bytes)).getPageCount()).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('encrypts one PDF with an empty user password, which opens with that password', async () => {
    const id = byId(DEMO_REQUISITIONS.encryptedPdf).attachmentIds[0]!;
    const bytes = await readFile(filePath(box.stateDir, id));
    await expect(PDFDocument.load(bytes)).rejects.toThrow(/encrypted/);
    const opened = await PDFDocument.load(bytes, { password: '' });
    expect(opened.getPageCount()).toBe(2);
  });

  it('names codes the ledger lacks, and the ledger holds every other code the seed uses', () => {
    const used = {
      vendors: new Set(state.vendors.map((v) => v.originCode!)),
      jobs: new Set(state.projects.map((p) => p.projectNumber)),
      commitments: new Set(state.commitments.map((c) => c.originCode!)),
      costCodes: new Set(state.commitments.flatMap((c) => c.lines.map((l) => `${state.projects.find((p) => p.id === c.projectId)!.projectNumber} ${l.costCode}`))),
    };
    const ledger = {
      vendors: new Set(DEMO_LEDGER_CODES.vendors.map((v) => v.code)),
      jobs: new Set(DEMO_LEDGER_CODES.jobs.map((j) => j.code)),
      commitments: new Set(DEMO_LEDGER_CODES.commitments.map((c) => c.code)),
      costCodes: new Set(DEMO_LEDGER_CODES.costCodes.map((c) => `${c.job} ${c.code}`)),
    };
    const missing = (kind: keyof typeof used) => [...used[kind]].filter((code) => !ledger[kind].has(code));
    expect(missing('vendors')).toEqual(['GHOST-VND']);
    expect(missing('commitments')).toEqual(['SC-999', 'SC-2302-03']);
    expect(missing('jobs')).toEqual([]);
    expect(missing('costCodes')).toEqual([]);
    expect(vendorCode(byId(DEMO_REQUISITIONS.missingVendor).commitmentId)).toBe('GHOST-VND');
    expect(state.commitments.find((c) => c.id === byId(DEMO_REQUISITIONS.missingCommitment).commitmentId)!.number).toBe('SC-999');
    for (const commitment of DEMO_LEDGER_CODES.commitments) {
      expect(ledger.vendors.has(commitment.vendor)).toBe(true);
      expect(Number(commitment.remaining)).toBeLessThanOrEqual(Number(commitment.amount));
    }
    const overRemaining = byId(DEMO_REQUISITIONS.overRemaining);
    const ledgerCommitment = DEMO_LEDGER_CODES.commitments.find((c) => c.code === state.commitments.find((k) => k.id === overRemaining.commitmentId)!.number)!;
    expect(requisitionTotals(overRemaining).grossThisPeriod).toBeGreaterThan(Number(ledgerCommitment.remaining) * 100);
  });

  it('adds up: each invoice amount is current payment due + retainage held this period', () => {
    for (const requisition of state.requisitions) {
      const totals = requisitionTotals(requisition);
      // Stored materials carried over from the last period were billed then, not now.
      const lines = requisition.items.reduce((sum, item) => sum + item.workThisPeriod + item.materialsStored - (item.materialsFromPrevious ?? 0) + (item.materialsMoved ?? 0), 0);
      expect(lines, requisition.id).toBe(totals.currentPaymentDue + totals.retainageThisPeriod);
      expect(totals.grossThisPeriod, requisition.id).toBeGreaterThan(0);
    }
    expect(byId(DEMO_REQUISITIONS.fourAttachments).items.some((item) => item.materialsStored > 0)).toBe(true);
    expect(byId(DEMO_REQUISITIONS.noInvoiceNumber).invoiceNumber).toBeNull();
  });
});

describe('the demo seed, for the importer', () => {
  const filesOf = async (id: string) =>
    Promise.all(byId(id).attachmentIds.map(async (fileId) => ({ name: state.files.find((f) => f.id === fileId)!.filename, bytes: await readFile(filePath(box.stateDir, fileId)) })));

  it('has approved invoices whose lines carry a sub job segment before the cost code', async () => {
    const id = DEMO_REQUISITIONS.subJob;
    expect(byId(id).status).toBe('approved');
    const token = (await connect(box)).access_token;
    const read = await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${byId(id).projectId}&view=extended`);
    expect(read.json.items.map((item: any) => item.wbs_code.segment_items.map((segment: any) => segment.segment_type))).toEqual([
      ['sub_job', 'cost_code', 'cost_type'],
      ['sub_job', 'cost_code', 'cost_type'],
      ['sub_job', 'cost_code', 'cost_type'],
    ]);
    expect(read.json.items.map((item: any) => item.wbs_code.flat_code)).toEqual(['A.23-300.S', 'B.23-300.S', 'A.23-700.S']);
  });

  it('carries stored materials over from an approved invoice of the previous period on the same commitment', () => {
    const carried = byId(DEMO_REQUISITIONS.carriedMaterials);
    const previous = state.requisitions.find((r) => r.commitmentId === carried.commitmentId && r.number === carried.number - 1)!;
    expect([carried.status, previous.status]).toEqual(['approved', 'approved']);
    expect(previous.items.some((item) => item.materialsStored > 0)).toBe(true);
    const line = carried.items.find((item) => (item.materialsFromPrevious ?? 0) > 0)!;
    const before = previous.items.find((item) => item.commitmentLineId === line.commitmentLineId)!;
    expect([line.materialsFromPrevious, line.materialsMoved]).toEqual([before.materialsStored, 0]);
    expect(line.materialsStored).toBeGreaterThanOrEqual(before.materialsStored);
    // What it bills: work this period plus only the materials added since.
    const totals = requisitionTotals(carried);
    expect(totals.grossThisPeriod).toBe(carried.items.reduce((sum, item) => sum + item.workThisPeriod + item.materialsStored - (item.materialsFromPrevious ?? 0), 0));
  });

  it('has one approved invoice synced elsewhere (origin_id) and one with an ERP status', () => {
    expect(byId(DEMO_REQUISITIONS.syncedElsewhere)).toMatchObject({ status: 'approved', originId: 'SAGE-AP-PPM-356' });
    expect(byId(DEMO_REQUISITIONS.syncedElsewhere).erpStatus ?? null).toBeNull();
    expect(byId(DEMO_REQUISITIONS.erpStatus)).toMatchObject({ status: 'approved', originId: null, erpStatus: 'pending' });
    const others = state.requisitions.filter((r) => r.originId !== null || r.erpStatus);
    expect(others.map((r) => r.id).sort()).toEqual([DEMO_REQUISITIONS.syncedElsewhere, DEMO_REQUISITIONS.erpStatus].sort());
  });

  it('has a PDF that needs a real password, which the merge keeps as it came beside a normal PDF', async () => {
    const files = await filesOf(DEMO_REQUISITIONS.passwordPdf);
    expect(byId(DEMO_REQUISITIONS.passwordPdf).status).toBe('approved');
    const locked = files.find((file) => file.name.endsWith('-protected.pdf'))!;
    await expect(PDFDocument.load(locked.bytes, { password: '' })).rejects.toThrow();
    expect((await PDFDocument.load(locked.bytes, { password: DEMO_PDF_PASSWORD })).getPageCount()).toBe(1);
    const merged = await mergeAttachments(files);
    expect(merged.merged.map((file) => file.name)).toEqual(['NWL-88301.pdf']);
    expect(merged.kept.map((file) => file.name)).toEqual(['NWL-88301-protected.pdf']);
    expect(merged.kept[0]!.reason).toMatch(/needs a password/);
  });

  it('has a photo with EXIF orientation 6, which the merge shows upright (turned a quarter)', async () => {
    const files = await filesOf(DEMO_REQUISITIONS.rotatedJpeg);
    expect(byId(DEMO_REQUISITIONS.rotatedJpeg).status).toBe('approved');
    const photo = files.find((file) => file.name.endsWith('.jpg'))!;
    const exifr = await import('exifr');
    expect(await exifr.orientation(photo.bytes)).toBe(6);
    const merged = await mergeAttachments(files);
    expect(merged.kept).toEqual([]);
    const pages = (await PDFDocument.load(merged.pdf!)).getPages().map((page) => {
      const { width, height } = page.getSize();
      const turned = page.getRotation().angle % 180 !== 0;
      return turned ? [height, width] : [width, height];
    });
    // The stored photo is 320 × 240; shown upright it stands 240 wide and 320 high.
    expect(pages[0]).toEqual([240, 320]);
  });
});
