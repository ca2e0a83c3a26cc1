import { readFile } from 'node:fs/promises';
import { PDFDocument } from '@cantoo/pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LEDGER_CODES, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { readState } from '../../source/sandbox/control.js';
import { requisitionTotals } from '../../source/sandbox/resources.js';
import { REQUISITION_STATUSES, filePath, type SandboxState } from '../../source/sandbox/state.js';
import { sandbox, type TestSandbox } from './helpers.js';

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
  it('has 30 requisitions in all six statuses, and ids above 2^53', () => {
    expect(state.requisitions).toHaveLength(30);
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
      if (file.contentType === 'application/pdf' && !file.filename.endsWith('-secured.pdf')) {
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
      const lines = requisition.items.reduce((sum, item) => sum + item.workThisPeriod + item.materialsStored, 0);
      expect(lines, requisition.id).toBe(totals.currentPaymentDue + totals.retainageThisPeriod);
      expect(totals.grossThisPeriod, requisition.id).toBeGreaterThan(0);
    }
    expect(byId(DEMO_REQUISITIONS.fourAttachments).items.some((item) => item.materialsStored > 0)).toBe(true);
    expect(byId(DEMO_REQUISITIONS.noInvoiceNumber).invoiceNumber).toBeNull();
  });
});
