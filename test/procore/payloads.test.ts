// Procore's JSON checked at the edge: the fixture and the sandbox's demo seed become typed
// records, and every malformed field is refused with the record, the field and the value.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../source/domain/errors.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import type { Ledger } from '../../source/domain/ledger.js';
import { formatMoney, parseMoney, type Cents } from '../../source/domain/money.js';
import { mapRequisition, type RequisitionBundle } from '../../source/domain/procore-mapping.js';
import { emptyVaultRules } from '../../source/domain/rules.js';
import { validateInvoice } from '../../source/domain/validation.js';
import { parseJsonLossless } from '../../source/procore/json.js';
import { parseCompany, parseMe, parseProject, parseRequisition, parseRequisitionBundle, parseVendor } from '../../source/procore/payloads.js';
import { DEMO_LEDGER_CODES, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { demoSeed } from '../../source/sandbox/demo-seed.js';
import { renderJson } from '../../source/sandbox/json.js';
import { commitmentJson, projectJson, requisitionJson, requisitionTotals, vendorJson } from '../../source/sandbox/resources.js';
import type { SandboxState } from '../../source/sandbox/state.js';

const FIXTURE = readFileSync(new URL('../fixtures/procore/requisition-bundle.json', import.meta.url), 'utf8');
type Raw = { requisition: any; commitment: any; vendor: any; project: any; companyId?: string | number };
/** The fixture as Procore's JSON reaches the client: ids above 2^53 kept as text by the lossless parser. */
const raw = () => parseJsonLossless(FIXTURE) as Raw;
const $ = (amount: string) => parseMoney(amount);

function refusal(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('it was accepted');
}

describe('a requisition bundle from Procore', () => {
  it('becomes typed records: exact ids, money in cents, days, trimmed text', () => {
    const { requisition, commitment, vendor, project } = parseRequisitionBundle(raw());
    expect(requisition).toMatchObject({
      id: '9007199254740995', projectId: '1710001', commitmentId: '786001', commitmentType: 'WorkOrderContract', vendorId: '47001',
      number: '7', invoiceNumber: 'ABC-1068', status: 'approved', billingDate: '2026-11-20', periodStart: '2026-11-01', periodEnd: '2026-11-30',
      summary: { currentPaymentDue: $('11350.00'), taxApplicableToThisPayment: 0 },
      originId: null, erpStatus: null, electronicSignatureId: null,
      attachments: [],
    });
    expect(requisition.items).toEqual([
      {
        lineNumber: '1', position: '1', description: 'Footings and foundation walls', costCode: '03-300', costCodeId: '881001',
        wbsCode: { flatCode: '03-300.S', segments: [{ type: null, name: 'Cost Code', code: '03-300' }, { type: null, name: 'Cost Type', code: 'S' }] },
        workCompletedThisPeriod: $('10000.00'), materialsPresentlyStored: $('500.00'), materialsStoredPreviously: 0, materialsMoved: 0,
        retainageRetainedThisPeriod: $('1000.00'), retainageReleasedThisPeriod: 0, materialsRetainageRetained: $('50.00'),
        grossAmount: null, netAmount: null,
      },
      {
        lineNumber: '2', position: '2', description: 'Slab on grade', costCode: '03-350', costCodeId: '881002', wbsCode: null,
        workCompletedThisPeriod: $('2000.00'), materialsPresentlyStored: 0, materialsStoredPreviously: 0, materialsMoved: 0,
        retainageRetainedThisPeriod: $('200.00'), retainageReleasedThisPeriod: $('100.00'), materialsRetainageRetained: 0,
        grossAmount: null, netAmount: null,
      },
    ]);
    expect(commitment).toEqual({ id: '786001', type: 'WorkOrderContract', number: 'SC-2301-01', title: 'Concrete foundations and slabs', originCode: 'SC-2301-01-ERP', vendor: { id: '47001', company: 'ABC Concrete Co.', originCode: 'ABC-CON-C' } });
    expect(vendor).toEqual({ id: '47001', name: 'ABC Concrete Co.', originCode: 'ABC-CON', isActive: true });
    expect(project).toEqual({ id: '1710001', name: 'Harbor Point Tower', projectNumber: '2301', originCode: '2301-ERP', companyId: '9007199254740993', active: true });
  });

  it('reads ids given as text or numbers alike, blank text as absent, and lets fields it does not read through', () => {
    const bundle = raw();
    bundle.requisition.project_id = '1710001';
    bundle.requisition.commitment_id = 786001;
    bundle.requisition.invoice_number = '  ';
    bundle.requisition.a_field_procore_added_later = { anything: [1, 2] };
    const { requisition } = parseRequisitionBundle(bundle);
    expect([requisition.projectId, requisition.commitmentId, requisition.invoiceNumber]).toEqual(['1710001', '786001', null]);
    expect(mapRequisition(parseRequisitionBundle(bundle)).header.invoiceNumber).toBe('SC-2301-01-7');
  });

  it('reads who else synced it (origin_id, erp_status), its DocuSign id and each line\'s cost_code_id, ids above 2^53 exact', () => {
    const bundle = parseJsonLossless(
      FIXTURE.replace('"status": "approved",', '"status": "approved", "origin_id": 77120, "erp_status": " synced ", "electronic_signature_id": 9007199254740999,').replace(
        '"cost_code_id": 881002,',
        '"cost_code_id": 18446744073709551617,',
      ),
    ) as Raw;
    const { requisition } = parseRequisitionBundle(bundle);
    expect([requisition.originId, requisition.erpStatus, requisition.electronicSignatureId]).toEqual(['77120', 'synced', '9007199254740999']);
    expect(requisition.items!.map((item) => item.costCodeId)).toEqual(['881001', '18446744073709551617']);
    // Absent is null, not undefined: the importer reads every field the same way.
    const bare = raw();
    delete bare.requisition.items[0].cost_code_id;
    const plain = parseRequisitionBundle(bare).requisition;
    expect([plain.originId, plain.erpStatus, plain.electronicSignatureId, plain.items![0]!.costCodeId]).toEqual([null, null, null, null]);
  });

  type Change = (bundle: Raw) => void;
  const failures: [what: string, change: Change, message: string][] = [
    ['no requisition id', (b) => delete b.requisition.id, 'Procore requisition (no id): id is missing'],
    ['a fractional id', (b) => (b.requisition.commitment_id = 786001.5), "Procore requisition 9007199254740995: commitment_id '786001.5' is not a Procore id"],
    ['an id that lost its digits', (b) => (b.requisition.vendor_id = 2 ** 53 + 2),
      'Procore requisition 9007199254740995: vendor_id 9007199254740994 lost digits as a JSON number before it reached apdesk (Procore JSON must be read losslessly)'],
    ['an id that is not digits', (b) => (b.project.id = 'P-1'), "Procore project P-1: id 'P-1' is not a Procore id"],
    ['a money amount with a thousands separator', (b) => (b.requisition.items[0].work_completed_this_period = '10,000.00'),
      "Procore requisition 9007199254740995: items[0].work_completed_this_period '10,000.00' is not a decimal amount (expected e.g. 1087.80)"],
    ['a fraction of a cent', (b) => (b.requisition.summary.current_payment_due = '11350.001'),
      "Procore requisition 9007199254740995: summary.current_payment_due '11350.001' has fractions of a cent; amounts carry at most 2 decimal places (expected e.g. 1087.80)"],
    ['a missing work amount', (b) => delete b.requisition.items[1].work_completed_this_period, 'Procore requisition 9007199254740995: items[1].work_completed_this_period is missing'],
    ['no current payment due', (b) => (b.requisition.summary.current_payment_due = null), 'Procore requisition 9007199254740995: summary.current_payment_due is missing'],
    ['a summary that is not an object', (b) => (b.requisition.summary = 'n/a'), "Procore requisition 9007199254740995: summary 'n/a' is not an object"],
    ['items that are not a list', (b) => (b.requisition.items = {}), 'Procore requisition 9007199254740995: items {} is not a list'],
    ['an item that is not an object', (b) => (b.requisition.items[0] = 'x'), "Procore requisition 9007199254740995: items[0] 'x' is not an object"],
    ['a WBS segment that is not an object', (b) => (b.requisition.items[0].wbs_code.segment_items[1] = 5), 'Procore requisition 9007199254740995: items[0].wbs_code.segment_items[1] 5 is not an object'],
    ['text that is an object', (b) => (b.requisition.invoice_number = { value: 'x' }), 'Procore requisition 9007199254740995: invoice_number {"value":"x"} is not text'],
    ['an unknown commitment type', (b) => (b.commitment.type = 'PrimeContract'), "Procore commitment 786001: type 'PrimeContract' is not WorkOrderContract or PurchaseOrderContract"],
    ['a billing date that is not a date', (b) => (b.requisition.billing_date = '20/11/2026'), "Procore requisition 9007199254740995: billing_date '20/11/2026' is not a date (YYYY-MM-DD)"],
    ['a day that does not exist', (b) => (b.requisition.requisition_end = '2026-11-31'), "Procore requisition 9007199254740995: requisition_end '2026-11-31' is not a date (YYYY-MM-DD)"],
    ['a vendor flag that is text', (b) => (b.vendor.is_active = 'yes'), "Procore vendor 47001: is_active 'yes' is not true or false"],
    ['a DocuSign id that is not an id', (b) => (b.requisition.electronic_signature_id = 'env-12'), "Procore requisition 9007199254740995: electronic_signature_id 'env-12' is not a Procore id"],
    ['a cost code id that is not an id', (b) => (b.requisition.items[1].cost_code_id = 3.5), "Procore requisition 9007199254740995: items[1].cost_code_id '3.5' is not a Procore id"],
    ['an ERP status that is not text', (b) => (b.requisition.erp_status = ['synced']), 'Procore requisition 9007199254740995: erp_status ["synced"] is not text'],
    ['a project that is not an object', (b) => (b.project = ['x']), 'Procore project (no id): ["x"] is not an object'],
  ];
  it.each(failures)('refuses %s, naming the record, the field and the value', (_what, change, message) => {
    const bundle = raw();
    change(bundle);
    expect(refusal(() => parseRequisitionBundle(bundle))).toBe(message);
  });
});

describe('the other Procore records', () => {
  it('reads companies, users and projects, with their defaults', () => {
    expect(parseCompany({ id: '9007199254740993', name: 'Harbor Builders', is_active: true, my_company: true })).toEqual({ id: '9007199254740993', name: 'Harbor Builders', isActive: true, myCompany: true });
    expect(parseCompany({ id: 4126, name: 'Quarry' })).toEqual({ id: '4126', name: 'Quarry', isActive: true, myCompany: false });
    expect(parseMe({ id: 101, login: 'ap.admin@demo.test', name: null })).toEqual({ id: '101', login: 'ap.admin@demo.test', name: 'ap.admin@demo.test' });
    expect(parseProject({ id: 1, name: 'Tower', project_number: 2301, active: false, company: null })).toEqual({ id: '1', name: 'Tower', projectNumber: '2301', originCode: null, companyId: null, active: false });
    expect(parseVendor({ id: 47001, name: 'ABC' })).toEqual({ id: '47001', name: 'ABC', originCode: null, isActive: true });
    expect(parseRequisition({ id: 5, summary: null })).toMatchObject({ id: '5', summary: null, items: null, attachments: [] });
  });

  it('refuses them with the record and the field', () => {
    expect(refusal(() => parseCompany({ name: 'No id' }))).toBe('Procore company (no id): id is missing');
    expect(refusal(() => parseMe('not json'))).toBe("Procore user (no id): 'not json' is not an object");
    expect(refusal(() => parseRequisition({ id: 5, attachments: [{ id: 1, filename: 'a.pdf' }] }))).toBe('Procore requisition 5: attachments[0].url is missing');
  });
});

describe("the sandbox's demo seed, as the Procore client reads it", () => {
  let state: SandboxState;
  beforeAll(async () => {
    state = (await demoSeed()).state;
  });

  /** What the Procore client would read for one requisition: the sandbox's JSON, rendered and parsed losslessly. */
  function bundleOf(requisitionId: string): RequisitionBundle {
    const requisition = state.requisitions.find((r) => r.id === requisitionId)!;
    const commitment = state.commitments.find((c) => c.id === requisition.commitmentId)!;
    const vendor = state.vendors.find((v) => v.id === commitment.vendorId)!;
    const project = state.projects.find((p) => p.id === requisition.projectId)!;
    const wire = (value: unknown) => parseJsonLossless(renderJson(value));
    return parseRequisitionBundle({
      requisition: wire(requisitionJson(state, requisition, { version: '1.1', items: true, context: { apiUrl: 'http://127.0.0.1:9', storageUrl: 'http://127.0.0.1:10', now: Date.now } })),
      commitment: wire(commitmentJson(state, commitment)),
      vendor: wire(vendorJson(vendor, 'erp')),
      project: wire(projectJson(state, project)),
    });
  }

  const demoLedger = (): Ledger => ({
    vendors: DEMO_LEDGER_CODES.vendors.map((v) => ({ code: v.code, name: v.name, active: true })),
    jobs: DEMO_LEDGER_CODES.jobs.map((j) => ({ code: j.code, name: j.name, closed: false })),
    costCodes: DEMO_LEDGER_CODES.costCodes,
    commitments: DEMO_LEDGER_CODES.commitments.map((c) => ({ ...c, open: true, amount: parseMoney(c.amount), remaining: parseMoney(c.remaining) })),
    apInvoices: [],
    checks: [],
    loadedAt: '2026-11-26T00:00:00.000Z',
  });

  it('maps every requisition so that the lines add up to the total, with exact ids', () => {
    const approved = state.requisitions.filter((r) => r.status === 'approved');
    expect(approved.length).toBeGreaterThanOrEqual(10);
    for (const requisition of state.requisitions) {
      const mapped = mapRequisition(bundleOf(requisition.id));
      const sum = mapped.lines.reduce((total, line) => total + line.amount, 0);
      expect(sum, requisition.id).toBe(mapped.header.total);
      expect(mapped.header.total, requisition.id).toBe(requisitionTotals(requisition).grossThisPeriod);
      expect(mapped.header.retainage, requisition.id).toBe(requisitionTotals(requisition).retainageThisPeriod);
      expect(mapped.warnings, requisition.id).toEqual([]);
      expect(mapped.procore.requisitionId).toBe(requisition.id);
      expect(mapped.lines.every((line) => line.costCode && line.category && line.job && line.commitment), requisition.id).toBe(true);
    }
    const big = mapRequisition(bundleOf(DEMO_REQUISITIONS.bigId));
    expect(big.procore).toMatchObject({ companyId: '9007199254740993', requisitionId: '9007199254740997' });
    const noNumber = mapRequisition(bundleOf(DEMO_REQUISITIONS.noInvoiceNumber));
    expect(noNumber.header.invoiceNumber).toBe('PO-2301-01-1');
    expect(noNumber.lines[0]).toMatchObject({ type: 'purchase-order', costCode: '06-100', category: 'M' });
    expect(formatMoney(noNumber.header.total as Cents)).toBe(formatMoney(noNumber.lines[0]!.amount));
  });

  it('reads who else synced a demo invoice, its DocuSign id and each line\'s cost code id', () => {
    expect(bundleOf(DEMO_REQUISITIONS.syncedElsewhere).requisition).toMatchObject({ originId: 'SAGE-AP-PPM-356', erpStatus: null });
    expect(bundleOf(DEMO_REQUISITIONS.erpStatus).requisition).toMatchObject({ originId: null, erpStatus: 'pending' });
    expect(bundleOf(DEMO_REQUISITIONS.docuSign).requisition.electronicSignatureId).toBe('8840001');
    const subJob = bundleOf(DEMO_REQUISITIONS.subJob).requisition;
    expect(subJob.items!.map((item) => item.costCodeId)).toEqual([subJob.items![0]!.costCodeId, subJob.items![0]!.costCodeId, expect.stringMatching(/^\d+$/)]);
    expect(mapRequisition(bundleOf(DEMO_REQUISITIONS.subJob)).lines.map((line) => [line.job, line.costCode, line.category])).toEqual([
      ['2303', '23-300', 'S'],
      ['2303', '23-300', 'S'],
      ['2303', '23-700', 'S'],
    ]);
  });

  it('validates the approved demo invoices against the demo ledger as the demo scenarios say', () => {
    const findings: Record<string, string[]> = {};
    for (const requisition of state.requisitions.filter((r) => r.status === 'approved')) {
      const mapped = mapRequisition(bundleOf(requisition.id));
      const invoice = {
        id: `PC-${requisition.id}` as InvoiceId, vaultId: 'demo' as VaultId, queueId: 'procore' as QueueId, status: 'unprocessed' as const,
        header: mapped.header, lines: mapped.lines, source: { kind: 'procore-auto' as const, procore: mapped.procore },
        attachments: [], flags: [], audit: [], createdAt: '', updatedAt: '',
      };
      const issues = validateInvoice(invoice, { ledger: demoLedger(), rules: emptyVaultRules(), sameNumberInvoices: [], accountingLabel: 'Sage 300' });
      if (issues.length) findings[requisition.id] = issues.map((issue) => `${issue.level} ${issue.rule}`);
    }
    expect(findings).toEqual({
      [DEMO_REQUISITIONS.missingCommitment]: ['error commitment.unknown'],
      [DEMO_REQUISITIONS.missingVendor]: ['error vendor.unknown', 'error commitment.unknown'],
      [DEMO_REQUISITIONS.overRemaining]: ['warning commitment.remaining'],
    });
  });
});
