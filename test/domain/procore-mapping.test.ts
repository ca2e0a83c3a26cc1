import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../source/domain/errors.js';
import type { Ledger } from '../../source/domain/ledger.js';
import { formatMoney, parseMoney, type Cents } from '../../source/domain/money.js';
import { costCodingOf, mapRequisition, type RequisitionBundle } from '../../source/domain/procore-mapping.js';
import { emptyVaultRules } from '../../source/domain/rules.js';
import { validateInvoice } from '../../source/domain/validation.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { parseJsonLossless } from '../../source/procore/json.js';
import { DEMO_LEDGER_CODES, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { demoSeed } from '../../source/sandbox/demo-seed.js';
import { renderJson } from '../../source/sandbox/json.js';
import { commitmentJson, projectJson, requisitionJson, requisitionTotals, vendorJson } from '../../source/sandbox/resources.js';
import type { SandboxState } from '../../source/sandbox/state.js';

const FIXTURE = readFileSync(new URL('../fixtures/procore/requisition-bundle.json', import.meta.url), 'utf8');
/** The fixture, read the way the Procore client reads responses: ids above 2^53 arrive as strings. */
const fixture = () => parseJsonLossless(FIXTURE) as RequisitionBundle & { requisition: any; commitment: any; vendor: any; project: any };
const $ = (amount: string) => parseMoney(amount);

describe('mapRequisition on a Procore-shaped fixture', () => {
  it('maps the header, the lines and the Procore link', () => {
    const mapped = mapRequisition(fixture());
    expect(mapped.header).toEqual({
      vendor: 'ABC-CON',
      invoiceNumber: 'ABC-1068',
      invoiceDate: '2026-11-20',
      dueDate: null,
      total: $('12500.00'),
      retainage: $('1150.00'),
      description: 'SC-2301-01 Concrete foundations and slabs, 2026-11-01 to 2026-11-30',
      processor: null,
    });
    expect(mapped.lines).toEqual([
      {
        id: 'L1', type: 'subcontract', job: '2301', costCode: '03-300', category: 'S', commitment: 'SC-2301-01', commitmentItem: '1',
        description: 'Footings and foundation walls', amount: $('10500.00'), retainage: $('1050.00'), reviewers: [],
      },
      {
        id: 'L2', type: 'subcontract', job: '2301', costCode: '03-350', category: null, commitment: 'SC-2301-01', commitmentItem: '2',
        description: 'Slab on grade', amount: $('2000.00'), retainage: $('100.00'), reviewers: [],
      },
    ]);
    // Ids above 2^53 stay exact.
    expect(mapped.procore).toEqual({
      companyId: '9007199254740993', projectId: '1710001', commitmentId: '786001', vendorId: '47001', requisitionId: '9007199254740995',
    });
    expect(mapped.warnings).toEqual([]);
  });

  type Change = (bundle: ReturnType<typeof fixture>) => void;
  const fallbacks: [what: string, change: Change, check: (mapped: ReturnType<typeof mapRequisition>) => void][] = [
    ['invoice number falls back to commitment number + "-" + requisition number', (b) => (b.requisition.invoice_number = null), (m) => expect(m.header.invoiceNumber).toBe('SC-2301-01-7')],
    ['a blank invoice number falls back too', (b) => (b.requisition.invoice_number = '  '), (m) => expect(m.header.invoiceNumber).toBe('SC-2301-01-7')],
    ['commitment falls back to its origin_code', (b) => { b.commitment.number = null; b.requisition.invoice_number = null; }, (m) => {
      expect(m.lines[0]!.commitment).toBe('SC-2301-01-ERP');
      expect(m.header.invoiceNumber).toBe('SC-2301-01-ERP-7');
    }],
    ['job falls back to the project origin_code', (b) => (b.project.project_number = null), (m) => expect(m.lines.map((l) => l.job)).toEqual(['2301-ERP', '2301-ERP'])],
    ["vendor falls back to the commitment's vendor origin_code", (b) => (b.vendor = null), (m) => expect(m.header.vendor).toBe('ABC-CON-C')],
    ['a vendor without an ERP code is left empty, with a warning', (b) => { b.vendor.origin_code = null; b.commitment.vendor.origin_code = ''; }, (m) => {
      expect(m.header.vendor).toBeNull();
      expect(m.warnings).toEqual(["Procore vendor 'ABC Concrete Co.' (id 47001) has no ERP code (origin_code) — set its external ID in Procore or enter the vendor by hand"]);
    }],
    ['a purchase order makes purchase-order lines', (b) => (b.commitment.type = 'PurchaseOrderContract'), (m) => expect(m.lines.map((l) => l.type)).toEqual(['purchase-order', 'purchase-order'])],
    ['the company id comes from the caller when the project lacks it', (b) => { delete b.project.company; b.companyId = '4126'; }, (m) => expect(m.procore.companyId).toBe('4126')],
    ['ids given as strings or numbers are the same', (b) => { b.requisition.project_id = '1710001'; b.requisition.commitment_id = 786001; }, (m) => expect([m.procore.projectId, m.procore.commitmentId]).toEqual(['1710001', '786001'])],
    ['tax is not carried, with a warning', (b) => (b.requisition.summary.tax_applicable_to_this_payment = '12.34'), (m) => {
      expect(m.header.total).toBe($('12500.00'));
      expect(m.warnings).toEqual([expect.stringContaining('tax of $12.34 on the requisition is not carried')]);
    }],
    ['lines that do not add up to the total are mapped as they are, with a warning', (b) => (b.requisition.summary.current_payment_due = '11350.01'), (m) => {
      expect(m.header.total).toBe($('12500.01'));
      expect(m.warnings).toEqual([expect.stringMatching(/^the lines add up to \$12,500.00 but current payment due \$11,350.01 plus retainage \$1,150.00 is \$12,500.01/)]);
    }],
    ['an item without cost code or WBS code maps with a warning', (b) => { b.requisition.items[1].cost_code = null; }, (m) => {
      expect(m.lines[1]!.costCode).toBeNull();
      expect(m.warnings).toEqual(['line 2 has no cost code or WBS code in Procore — enter the cost code']);
    }],
  ];
  it.each(fallbacks)('%s', (_what, change, check) => {
    const bundle = fixture();
    change(bundle);
    check(mapRequisition(bundle));
  });

  const failures: [what: string, change: Change, message: string][] = [
    ['no requisition id', (b) => delete b.requisition.id, 'Procore requisition (no id): requisition.id is missing'],
    ['a fractional id', (b) => (b.requisition.commitment_id = 786001.5), "Procore requisition 9007199254740995: requisition.commitment_id '786001.5' is not a Procore id"],
    ['an id that lost its digits', (b) => (b.requisition.vendor_id = 2 ** 53 + 2), 'requisition.vendor_id'],
    ['a money amount with a thousands separator', (b) => (b.requisition.items[0].work_completed_this_period = '10,000.00'),
      "Procore requisition 9007199254740995: items[0].work_completed_this_period '10,000.00' is not a decimal amount (expected e.g. 1087.80)"],
    ['a missing work amount', (b) => delete b.requisition.items[1].work_completed_this_period, 'Procore requisition 9007199254740995: items[1].work_completed_this_period is missing'],
    ['no summary', (b) => delete b.requisition.summary, 'Procore requisition 9007199254740995: requisition.summary is missing (read the requisition with view=extended)'],
    ['no current payment due', (b) => (b.requisition.summary.current_payment_due = null), 'Procore requisition 9007199254740995: summary.current_payment_due is missing'],
    ['no items', (b) => delete b.requisition.items, 'Procore requisition 9007199254740995: requisition.items is missing (read the requisition with view=extended or view=items)'],
    ['an item that is not an object', (b) => (b.requisition.items[0] = 'x'), 'Procore requisition 9007199254740995: items[0] is not an object'],
    ['an unknown commitment type', (b) => { b.commitment.type = 'PrimeContract'; }, "Procore requisition 9007199254740995: commitment.type 'PrimeContract' is not WorkOrderContract or PurchaseOrderContract"],
    ['no commitment type at all', (b) => { delete b.commitment.type; delete b.requisition.commitment_type; }, 'commitment.type is missing'],
    ['a billing date that is not a date', (b) => (b.requisition.billing_date = '20/11/2026'), "Procore requisition 9007199254740995: requisition.billing_date '20/11/2026' is not a date (YYYY-MM-DD)"],
    ['no company anywhere', (b) => delete b.project.company, 'Procore requisition 9007199254740995: project.company.id is missing (and no company id was given)'],
  ];
  it.each(failures)('refuses %s with a message naming the field', (_what, change, message) => {
    const bundle = fixture();
    change(bundle);
    let error: unknown;
    try {
      mapRequisition(bundle);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(message);
  });
});

describe('costCodingOf', () => {
  const cases: [what: string, item: Record<string, unknown>, costCode: string | null, category: string | null][] = [
    ['WBS segments', { wbs_code: { flat_code: 'x', segment_items: [{ segment_name: 'Cost Type', code: 'L' }, { segment_name: 'Cost Code', code: '01-100' }] } }, '01-100', 'L'],
    ['WBS flat code split after the item cost code', { cost_code: { full_code: '03-300' }, wbs_code: { flat_code: '03-300.S' } }, '03-300', 'S'],
    ['dotted cost code, WBS split after it', { cost_code: { full_code: '01.100' }, wbs_code: { flat_code: '01.100.L' } }, '01.100', 'L'],
    ['WBS flat code alone, split at the last dot', { wbs_code: { flat_code: '01.100.L' } }, '01.100', 'L'],
    ['WBS flat code without a category', { wbs_code: { flat_code: '03-300' } }, '03-300', null],
    ['cost code only', { cost_code: { full_code: ' 03-350 ' }, wbs_code: null }, '03-350', null],
    ['neither', {}, null, null],
  ];
  it.each(cases)('%s', (_what, item, costCode, category) => {
    expect(costCodingOf(item)).toEqual({ costCode, category });
  });
});

describe("mapRequisition on the sandbox's demo seed", () => {
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
    const wire = (value: unknown) => parseJsonLossless(renderJson(value)) as Record<string, unknown>;
    return {
      requisition: wire(requisitionJson(state, requisition, { version: '1.1', items: true, apiUrl: 'http://127.0.0.1:9' })),
      commitment: wire(commitmentJson(state, commitment)),
      vendor: wire(vendorJson(vendor, 'erp')),
      project: wire(projectJson(state, project)),
    };
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
