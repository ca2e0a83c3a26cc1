import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../source/domain/errors.js';
import type { ProcoreId } from '../../source/domain/ids.js';
import { parseMoney } from '../../source/domain/money.js';
import type { Cents } from '../../source/domain/money.js';
import { costCodingOf, lineAmountThisPeriod, lineRetainageThisPeriod, mapRequisition, type ProcoreRequisitionItem, type RequisitionBundle } from '../../source/domain/procore-mapping.js';
import { parseJsonLossless } from '../../source/procore/json.js';
import { parseRequisitionBundle } from '../../source/procore/payloads.js';

const FIXTURE = readFileSync(new URL('../fixtures/procore/requisition-bundle.json', import.meta.url), 'utf8');
/** The fixture as the Procore client reads it: parsed losslessly, then checked at the edge into typed records. */
const fixture = (): RequisitionBundle => parseRequisitionBundle(parseJsonLossless(FIXTURE) as Parameters<typeof parseRequisitionBundle>[0]);
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

  type Change = (bundle: RequisitionBundle) => void;
  const fallbacks: [what: string, change: Change, check: (mapped: ReturnType<typeof mapRequisition>) => void][] = [
    ['invoice number falls back to commitment number + "-" + requisition number', (b) => (b.requisition.invoiceNumber = null), (m) => expect(m.header.invoiceNumber).toBe('SC-2301-01-7')],
    ['commitment falls back to its origin_code', (b) => { b.commitment.number = null; b.requisition.invoiceNumber = null; }, (m) => {
      expect(m.lines[0]!.commitment).toBe('SC-2301-01-ERP');
      expect(m.header.invoiceNumber).toBe('SC-2301-01-ERP-7');
    }],
    ['job falls back to the project origin_code', (b) => (b.project.projectNumber = null), (m) => expect(m.lines.map((l) => l.job)).toEqual(['2301-ERP', '2301-ERP'])],
    ["vendor falls back to the commitment's vendor origin_code", (b) => (b.vendor = null), (m) => expect(m.header.vendor).toBe('ABC-CON-C')],
    ['a vendor without an ERP code is left empty, with a warning', (b) => { b.vendor!.originCode = null; b.commitment.vendor!.originCode = null; }, (m) => {
      expect(m.header.vendor).toBeNull();
      expect(m.warnings).toEqual(["Procore vendor 'ABC Concrete Co.' (id 47001) has no ERP code (origin_code) — set its external ID in Procore or enter the vendor by hand"]);
    }],
    ['a purchase order makes purchase-order lines', (b) => (b.commitment.type = 'PurchaseOrderContract'), (m) => expect(m.lines.map((l) => l.type)).toEqual(['purchase-order', 'purchase-order'])],
    ["the commitment type falls back to the requisition's", (b) => { b.commitment.type = null; b.requisition.commitmentType = 'PurchaseOrderContract'; }, (m) => expect(m.lines[0]!.type).toBe('purchase-order')],
    ['the company id comes from the caller when the project lacks it', (b) => { b.project.companyId = null; b.companyId = '4126' as ProcoreId; }, (m) => expect(m.procore.companyId).toBe('4126')],
    ['tax is not carried, with a warning', (b) => (b.requisition.summary!.taxApplicableToThisPayment = $('12.34')), (m) => {
      expect(m.header.total).toBe($('12500.00'));
      expect(m.warnings).toEqual([expect.stringContaining('tax of $12.34 on the requisition is not carried')]);
    }],
    ['lines that do not add up to the total are mapped as they are, with a warning', (b) => (b.requisition.summary!.currentPaymentDue = $('11350.01')), (m) => {
      expect(m.header.total).toBe($('12500.01'));
      expect(m.warnings).toEqual([expect.stringMatching(/^the lines add up to \$12,500.00 but current payment due \$11,350.01 plus retainage \$1,150.00 is \$12,500.01/)]);
    }],
    ['an item without cost code or WBS code maps with a warning', (b) => { b.requisition.items![1]!.costCode = null; }, (m) => {
      expect(m.lines[1]!.costCode).toBeNull();
      expect(m.warnings).toEqual(['line 2 has no cost code or WBS code in Procore — enter the cost code']);
    }],
  ];
  it.each(fallbacks)('%s', (_what, change, check) => {
    const bundle = fixture();
    change(bundle);
    check(mapRequisition(bundle));
  });

  // What the edge cannot refuse, because it takes more than one record to know: a bundle that cannot make an invoice.
  const failures: [what: string, change: Change, message: string][] = [
    ['no summary (read without view=extended)', (b) => (b.requisition.summary = null), 'Procore requisition 9007199254740995: summary is missing (read the requisition with view=extended)'],
    ['no items', (b) => (b.requisition.items = null), 'Procore requisition 9007199254740995: items is missing (read the requisition with view=extended or view=items)'],
    ['no commitment type at all', (b) => { b.commitment.type = null; b.requisition.commitmentType = null; }, 'Procore requisition 9007199254740995: commitment.type is missing (expected WorkOrderContract or PurchaseOrderContract)'],
    ['no company anywhere', (b) => (b.project.companyId = null), 'Procore requisition 9007199254740995: project.company.id is missing (and no company id was given)'],
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
    expect((error as Error).message).toBe(message);
  });
});

describe('costCodingOf', () => {
  const wbs = (flatCode: string | null, segments: [type: string | null, name: string, code: string][] = []) => ({
    flatCode,
    segments: segments.map(([type, name, code]) => ({ type, name, code })),
  });
  const cases: [what: string, costCode: string | null, wbsCode: ReturnType<typeof wbs> | null, expected: [string | null, string | null]][] = [
    ['typed WBS segments, a sub job first', null, wbs('2301-A.03-300.S', [['sub_job', 'Sub Job', '2301-A'], ['cost_code', 'Cost Code', '03-300'], ['cost_type', 'Cost Type', 'S']]), ['03-300', 'S']],
    ['typed segments the company named otherwise', null, wbs(null, [['cost_type', 'Category', 'L'], ['cost_code', 'Phase', '01.100']]), ['01.100', 'L']],
    ['untyped segments, by their names', null, wbs('x', [[null, 'Cost Type', 'L'], [null, 'Cost Code', '01-100']]), ['01-100', 'L']],
    ['untyped segments named in another case', null, wbs(null, [[null, 'COST CODE', '01-100'], [null, 'category', 'M']]), ['01-100', 'M']],
    // A flat code is never split on its dots: "01.100.L" could be code 01 with 100.L, or 01.100 with L.
    ['a flat WBS code alone: the item cost code, no category', '03-300', wbs('03-300.S'), ['03-300', null]],
    ['a dotted flat code without segments or cost code', null, wbs('01.100.L'), [null, null]],
    ['cost code only', '03-350', null, ['03-350', null]],
    ['neither', null, null, [null, null]],
  ];
  it.each(cases)('%s', (_what, costCode, wbsCode, [expectedCode, category]) => {
    expect(costCodingOf({ costCode, wbsCode })).toEqual({ costCode: expectedCode, category });
  });
});

describe('what a line bills this period', () => {
  const item = (overrides: Partial<ProcoreRequisitionItem>): ProcoreRequisitionItem => ({
    lineNumber: '1', position: '1', description: 'Footings', costCode: '03-300', wbsCode: null,
    workCompletedThisPeriod: 0 as Cents, materialsPresentlyStored: 0 as Cents, materialsStoredPreviously: 0 as Cents, materialsMoved: 0 as Cents,
    retainageRetainedThisPeriod: 0 as Cents, retainageReleasedThisPeriod: 0 as Cents, materialsRetainageRetained: 0 as Cents,
    grossAmount: null, netAmount: null,
    ...overrides,
  });
  it('adds only the materials newly stored: the balance now, less the previous balance, plus what moved into work', () => {
    // $8,000 stored last period; $3,000 of it installed (moved); $2,000 more delivered: $7,000 stored now.
    const carried = item({ workCompletedThisPeriod: 1_000_000 as Cents, materialsPresentlyStored: 700_000 as Cents, materialsStoredPreviously: 800_000 as Cents, materialsMoved: 300_000 as Cents });
    expect(lineAmountThisPeriod(carried)).toBe(1_200_000);
    expect(lineAmountThisPeriod(item({ workCompletedThisPeriod: 50_000 as Cents, materialsPresentlyStored: 20_000 as Cents }))).toBe(70_000);
  });
  it('holds as retainage this period the gross less the net, when Procore sends both', () => {
    expect(lineRetainageThisPeriod(item({ grossAmount: 1_200_000 as Cents, netAmount: 1_080_000 as Cents, materialsRetainageRetained: 70_000 as Cents }))).toBe(120_000);
    expect(lineRetainageThisPeriod(item({ retainageRetainedThisPeriod: 100_000 as Cents, retainageReleasedThisPeriod: 20_000 as Cents, materialsRetainageRetained: 5_000 as Cents }))).toBe(85_000);
  });
});
