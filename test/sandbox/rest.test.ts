import { beforeAll, describe, expect, it } from 'vitest';
import { addRequisitions, listPayments, setAppInstalled, setRateLimits, updateState } from '../../source/sandbox/control.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS, DEMO_SECOND_COMPANY_ID, DEMO_USERS } from '../../source/sandbox/index.js';
import { api, call, connect, sandbox, type TestSandbox } from './helpers.js';

const TOWER = '1710001'; // job 2301
const CLINIC = '1710003'; // job 2303

let box: TestSandbox;
let token: string;
beforeAll(async () => {
  box = await sandbox();
  // The test clock stands still, so the default 25 per 10 s would run out within the file.
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  token = (await connect(box)).access_token;
});

const cents = (amount: string) => Math.round(Number(amount) * 100);
/** Work this period plus what the stored-materials balance grew by since the last period. */
const claimedThisPeriod = (r: any) =>
  r.items.reduce(
    (sum: number, i: any) =>
      sum + cents(i.work_completed_this_period) + cents(i.materials_presently_stored) - cents(i.materials_presently_stored_from_previous_progress) + cents(i.materials_moved),
    0,
  );
const total = (r: any, field: string) => r.items.reduce((sum: number, i: any) => sum + cents(i[field]), 0);

describe('companies and the Procore-Company-Id header', () => {
  it('lists the user’s companies without the header, ids as exact integer literals', async () => {
    const companies = await api(box, token, '/rest/v1.0/companies', { company: null });
    expect(companies.status).toBe(200);
    expect(companies.text).toContain(`"id":${DEMO_COMPANY_ID},`);
    expect(companies.json.map((company: any) => company.name)).toEqual(['Quarry Road Contractors (Procore)', 'Harbor Builders (Procore)']);
    expect(companies.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('requires the header everywhere else, and refuses a company the user cannot see', async () => {
    const missing = await api(box, token, `/rest/v1.0/projects?company_id=${DEMO_COMPANY_ID}`, { company: null });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({ errors: 'Missing Procore-Company-Id header!' });
    expect(missing.headers.get('x-rate-limit-limit')).toBe('3600');

    const viewer = await connect(box, { email: 'pm.viewer@demo.test', password: 'demo-password', name: '', id: '' });
    const hidden = await api(box, viewer.access_token, `/rest/v1.0/projects?company_id=${DEMO_COMPANY_ID}`);
    expect(hidden.status).toBe(403);
    const own = await api(box, viewer.access_token, `/rest/v1.0/projects?company_id=${DEMO_SECOND_COMPANY_ID}`, { company: DEMO_SECOND_COMPANY_ID });
    expect(own.json.map((project: any) => project.project_number)).toEqual(['3101']);
  });

  it('answers unknown paths with a 404 in JSON', async () => {
    const answer = await api(box, token, '/rest/v1.0/nothing_here');
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ errors: 'Route not found' });
  });
});

describe('projects, vendors and commitments', () => {
  it('lists projects with their job numbers, and vendors with ERP codes in view=erp', async () => {
    const projects = await api(box, token, `/rest/v1.0/projects?company_id=${DEMO_COMPANY_ID}`);
    expect(projects.json.map((p: any) => [p.id, p.project_number, p.origin_code])).toEqual([
      [1710001, '2301', '2301'],
      [1710002, '2302', '2302'],
      [1710003, '2303', '2303'],
    ]);
    const vendors = await api(box, token, `/rest/v1.0/vendors?company_id=${DEMO_COMPANY_ID}&view=erp`);
    expect(vendors.json.map((v: any) => v.origin_code)).toEqual(['ABC-CON', 'STEEL-01', 'ELEC-02', 'PLUMB-03', 'DRY-04', 'LUMBER-05', 'GHOST-VND']);
    const plain = await api(box, token, `/rest/v1.0/vendors/47001?company_id=${DEMO_COMPANY_ID}`);
    expect(plain.json.name).toBe('ABC Concrete Co.');
    expect(plain.json.origin_code).toBeUndefined();
    const erp = await api(box, token, `/rest/v1.0/vendors/47001?company_id=${DEMO_COMPANY_ID}&view=erp`);
    expect([erp.json.origin_code, erp.json.origin_id]).toEqual(['ABC-CON', 'SAGE-VND-ABC-CON']);
  });

  it('shows commitments with their type, vendor code, lines and balance; the typed lists split them', async () => {
    const all = await api(box, token, `/rest/v1.0/commitments?project_id=${TOWER}`);
    expect(all.json.map((c: any) => c.number)).toEqual(['SC-2301-01', 'SC-2301-02', 'SC-2301-03', 'PO-2301-01']);
    const show = await api(box, token, `/rest/v1.0/commitments/786001?project_id=${TOWER}`);
    expect(show.json).toMatchObject({
      id: 786001,
      type: 'WorkOrderContract',
      number: 'SC-2301-01',
      origin_code: 'SC-2301-01',
      allow_payments: true,
      grand_total: '301399.75',
      remaining_balance_outstanding: '301399.75',
      vendor: { id: 47001, company: 'ABC Concrete Co.', origin_code: 'ABC-CON' },
    });
    // Procore's schema gives commitment lines a cost_code but no wbs_code.
    expect(show.json.line_items[0].cost_code.full_code).toBe('03-300');
    expect(show.json.line_items[0].wbs_code).toBeUndefined();
    const orders = await api(box, token, `/rest/v1.0/purchase_order_contracts?project_id=${TOWER}`);
    // The typed lists carry no type field (Procore's schema has none there): the route says it.
    expect(orders.json.map((c: any) => [c.number, c.type])).toEqual([['PO-2301-01', undefined]]);
    const subcontracts = await api(box, token, `/rest/v1.0/work_order_contracts?project_id=${TOWER}`);
    expect(subcontracts.json).toHaveLength(3);
    expect((await api(box, token, `/rest/v1.0/work_order_contracts/786004?project_id=${TOWER}`)).status).toBe(404);
    expect((await api(box, token, `/rest/v1.0/commitments/786001?project_id=${CLINIC}`)).status).toBe(404);
  });
});

describe('cost codes', () => {
  it("lists a project's cost codes once each, with the ids its requisition items name", async () => {
    const codes = await api(box, token, `/rest/v1.0/cost_codes?project_id=${TOWER}`);
    expect(codes.status).toBe(200);
    expect(codes.json.map((code: any) => [code.full_code, code.code, code.name])).toEqual([
      ['03-300', '300', 'Cast-in-place concrete'],
      ['03-350', '350', 'Concrete slabs'],
      ['05-120', '120', 'Structural steel'],
      ['05-500', '500', 'Metal fabrications'],
      ['26-050', '050', 'Basic electrical materials'],
      ['26-500', '500', 'Lighting'],
      ['06-100', '100', 'Rough carpentry'],
    ]);
    const requisition = await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.threeAttachments}?project_id=${TOWER}&view=extended`);
    for (const item of requisition.json.items) {
      expect(codes.json.find((code: any) => code.id === item.cost_code_id)?.full_code).toBe(item.wbs_code.segment_items.find((s: any) => s.segment_type === 'cost_code').code);
    }
    const [first] = codes.json;
    const one = await api(box, token, `/rest/v1.0/cost_codes?project_id=${TOWER}&filters[id][]=${first.id}`);
    expect(one.json.map((code: any) => code.id)).toEqual([first.id]);
    expect((await api(box, token, `/rest/v1.0/cost_codes?project_id=${TOWER}&view=everything`)).status).toBe(400);
    expect((await api(box, token, '/rest/v1.0/cost_codes')).status).toBe(400);
    // Each project has its own: the clinic's 26-050 is not the tower's.
    const clinic = await api(box, token, `/rest/v1.0/cost_codes?project_id=${CLINIC}`);
    const electrical = (list: any[]) => list.find((code) => code.full_code === '26-050').id;
    expect(electrical(clinic.json)).not.toBe(electrical(codes.json));
  });
});

describe('requisitions', () => {
  it('filters by one status, by an updated_at range and by id (single or array)', async () => {
    const approved = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[status]=approved`);
    expect(approved.json.map((r: any) => r.id)).toEqual([1280601, 1280602, 1280604, 1280608, 1280611]);
    expect(approved.json.every((r: any) => r.status === 'approved')).toBe(true);

    // Both ends count: 11-03 09:02 is before the range, 11-20 15:10 after it.
    const range = encodeURIComponent('2026-11-03T09:05:00Z...2026-11-20T15:07:00Z');
    const recent = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[updated_at]=${range}`);
    expect(recent.json.map((r: any) => [r.id, r.updated_at])).toEqual([
      [1280607, '2026-11-20T15:07:00Z'],
      [1280609, '2026-11-03T09:09:00Z'],
    ]);
    const created = encodeURIComponent('2026-11-20T00:00:00Z...2026-11-20T23:59:59Z');
    const november = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[created_at]=${created}&filters[status]=approved`);
    expect(november.json.map((r: any) => r.id)).toEqual([1280611]);

    const one = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[id]=1280603`);
    expect(one.json.map((r: any) => r.id)).toEqual([1280603]);
    const two = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[id][]=1280603&filters[id][]=1280601`);
    expect(two.json.map((r: any) => r.id)).toEqual([1280601, 1280603]);

    const array = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[status][]=approved`);
    expect(array.status).toBe(400);
    const badRange = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[updated_at]=yesterday`);
    expect(badRange.status).toBe(400);
    // Only the two forms Procore documents: days, or UTC times to the second.
    for (const undocumented of ['2026-11-03T09:05:00.000Z...2026-11-20T15:07:00Z', '2026-11-03T09:05:00+01:00...2026-11-20T15:07:00Z', '2026-11-03...']) {
      const refused = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[updated_at]=${encodeURIComponent(undocumented)}`);
      expect(refused.status, undocumented).toBe(400);
      expect(refused.json.errors).toMatch(/YYYY-MM-DD\.\.\.YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ/);
    }
    // A day holds the whole day at either end: 11-03 09:02 and 11-20 15:10 are in now.
    const days = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&filters[updated_at]=2026-11-03...2026-11-20`);
    expect(days.json.map((r: any) => [r.id, r.updated_at])).toEqual([
      [1280602, '2026-11-03T09:02:00Z'],
      [1280607, '2026-11-20T15:07:00Z'],
      [1280609, '2026-11-03T09:09:00Z'],
      [1280610, '2026-11-20T15:10:00Z'],
    ]);
  });

  it('adds items and attachments with view=extended on v1.1; v1.0 has no vendor_id and no items', async () => {
    const id = DEMO_REQUISITIONS.threeAttachments;
    const plain = await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${TOWER}`);
    expect(plain.json.items).toBeUndefined();
    const extended = await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${TOWER}&view=extended`);
    expect(extended.json).toMatchObject({ id: 1280602, vendor_id: 47001, vendor_name: 'ABC Concrete Co.', invoice_number: 'ABC-1068', status: 'approved' });
    expect(extended.json.items.map((item: any) => [item.wbs_code.flat_code, item.description_of_work])).toEqual([
      ['03-300.S', 'Footings and foundation walls'],
      ['03-350.S', 'Slab on grade'],
    ]);
    expect(extended.json.attachments.map((a: any) => a.content_type)).toEqual(['application/pdf', 'image/png', 'image/jpeg']);
    expect(extended.json.attachments[0].url.startsWith(`${box.storageUrl}/prostore/${extended.json.attachments[0].id}/`)).toBe(true);

    const v10 = await api(box, token, `/rest/v1.0/requisitions/${id}?project_id=${TOWER}&view=extended`);
    expect(v10.json.vendor_id).toBeUndefined();
    expect(v10.json.items).toBeUndefined();
    expect(v10.json.vendor_name).toBe('ABC Concrete Co.');
    expect(v10.json.summary.current_payment_due).toBe(extended.json.summary.current_payment_due);
  });

  it('keeps every invoice’s amounts consistent: lines add up to current payment due + retainage held', async () => {
    for (const project of ['1710001', '1710002', '1710003']) {
      const list = await api(box, token, `/rest/v1.1/requisitions?project_id=${project}&view=extended&per_page=100`);
      for (const r of list.json) {
        expect(claimedThisPeriod(r), `requisition ${r.id}`).toBe(total(r, 'gross_amount'));
        expect(total(r, 'net_amount'), `requisition ${r.id}`).toBe(cents(r.summary.current_payment_due));
        expect(cents(r.summary.total_earned_less_retainage)).toBe(cents(r.summary.total_completed_and_stored_to_date) - cents(r.summary.total_retainage));
        expect(r.summary.current_payment_due).toMatch(/^\d+\.\d{2}$/);
      }
    }
  });

  it('writes a requisition id above 2^53 as an exact integer literal', async () => {
    const list = await api(box, token, `/rest/v1.1/requisitions?project_id=${CLINIC}&filters[status]=approved`);
    expect(list.text).toContain(`"id":${DEMO_REQUISITIONS.bigId},`);
    const show = await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.bigId}?project_id=${CLINIC}`);
    expect(show.status).toBe(200);
    expect(show.text.startsWith(`{"id":9007199254740997,`)).toBe(true);
  });

  it('pages through 250 requisitions with Total, Per-Page and Link headers', async () => {
    const dir = box.stateDir;
    await updateState(dir, (state) => {
      const project = state.projects.find((p) => p.id === CLINIC)!;
      state.projects.push({ ...project, id: '1710099', name: 'Paging Test', projectNumber: '2399', originCode: '2399' });
      const commitment = state.commitments.find((c) => c.id === '786009')!;
      state.commitments.push({ ...structuredClone(commitment), id: '786099', projectId: '1710099', number: 'SC-2399-01' });
    });
    await addRequisitions(dir, Array.from({ length: 250 }, () => ({ commitmentId: '786099', percentOfRemaining: 1 })));

    const seen: number[] = [];
    let url: string | null = `${box.apiUrl}/rest/v1.1/requisitions?project_id=1710099&per_page=100`;
    let pages = 0;
    while (url) {
      const page = await api(box, token, url);
      pages++;
      expect(page.headers.get('total')).toBe('250');
      expect(page.headers.get('per-page')).toBe('100');
      seen.push(...page.json.map((r: any) => r.number));
      const next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '');
      expect(page.headers.get('link')).toContain('rel="last"');
      url = next ? next[1]! : null;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, n) => n + 1));
    const defaultPage = await api(box, token, '/rest/v1.1/requisitions?project_id=1710099');
    expect([defaultPage.json.length, defaultPage.headers.get('per-page')]).toEqual([30, '30']);
  });
});

describe('contract payments', () => {
  it('stores a payment (201), lists it by contract (no filters, as in Procore), shows it by contract, and refuses a duplicate origin_id with 422', async () => {
    const body = (originId: string) =>
      JSON.stringify({
        project_id: 1710003,
        contract_id: 786009,
        contract_payment: {
          date: '2026-12-05', amount: '9360.00', payment_method: 'check', check_number: '100234', payment_number: 1,
          invoice_number: 'BLE-5530', invoice_date: '2026-09-30', notes: 'Paid from Sage 300 CRE AP', origin_id: originId,
        },
      }).replace('"contract_payment":{', `"contract_payment":{"requisition_id":${DEMO_REQUISITIONS.bigId},`);
    const created = await api(box, token, '/rest/v1.0/contract_payments', { method: 'POST', json: body('SAGE-CHK-100234') });
    expect(created.status).toBe(201);
    expect(created.text).toContain(`"requisition_id":${DEMO_REQUISITIONS.bigId},`);
    expect(created.json).toMatchObject({ amount: '9360.00', date: '2026-12-05', check_number: '100234', payment_number: 1, contract_id: 786009, origin_id: 'SAGE-CHK-100234' });

    const listed = await api(box, token, `/rest/v1.0/contract_payments?project_id=${CLINIC}&contract_id=786009`);
    expect(listed.json.map((p: any) => p.origin_id)).toContain('SAGE-CHK-100234');
    // Procore's list has no filters: a filter the real API lacks must not narrow it here either.
    const unfiltered = await api(box, token, `/rest/v1.0/contract_payments?project_id=${CLINIC}&contract_id=786009&filters[origin_id]=OTHER`);
    expect(unfiltered.json).toEqual(listed.json);
    const shown = await api(box, token, `/rest/v1.0/contract_payments/${created.json.id}?project_id=${CLINIC}&contract_id=786009`);
    expect(shown.json.origin_id).toBe('SAGE-CHK-100234');
    const noContract = await api(box, token, `/rest/v1.0/contract_payments/${created.json.id}?project_id=${CLINIC}`);
    expect(noContract.status).toBe(400);

    const duplicate = await api(box, token, '/rest/v1.0/contract_payments', { method: 'POST', json: body('SAGE-CHK-100234') });
    expect(duplicate.status).toBe(422);
    expect(duplicate.json).toEqual({ errors: { origin_id: ['has already been taken'] } });

    const commitment = await api(box, token, `/rest/v1.0/commitments/786009?project_id=${CLINIC}`);
    expect(commitment.json.total_payments).toBe('9360.00');
    expect(commitment.json.payments_issued.map((p: any) => p.check_number)).toEqual(['100234']);

    expect(await listPayments(box.stateDir, { originId: 'SAGE-CHK-100234' })).toEqual([
      expect.objectContaining({ contractId: '786009', requisitionId: DEMO_REQUISITIONS.bigId, amount: '9360.00', paymentMethod: 'check' }),
    ]);
  });

  it('refuses a payment with a bad amount or date, or a requisition from another commitment', async () => {
    const post = (payment: Record<string, unknown>) =>
      api(box, token, '/rest/v1.0/contract_payments', { method: 'POST', json: { project_id: TOWER, contract_id: '786001', contract_payment: payment } });
    const bad = await post({ date: '5/12/2026', amount: '12.345' });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.json.errors).sort()).toEqual(['amount', 'date']);
    const wrongRequisition = await post({ date: '2026-12-05', amount: '10.00', requisition_id: 1280604 });
    expect(wrongRequisition.status).toBe(422);
    expect((await post({ date: '2026-12-05', amount: '10.00', requisition_id: 1280601 })).status).toBe(201);
  });
});

describe('rate limits', () => {
  it('sends X-Rate-Limit-* on every answer and 429 past the spike limit, until the window resets', async () => {
    const own = await sandbox();
    const ownToken = (await connect(own)).access_token;
    await setRateLimits(own.stateDir, { spike: { limit: 3, windowSec: 10 }, hourly: { limit: 100, windowSec: 3600 } });
    const answers = [];
    for (let n = 0; n < 4; n++) answers.push(await api(own, ownToken, '/rest/v1.0/me', { company: null }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('x-rate-limit-remaining'))).toEqual(['2', '1', '0', '0']);
    expect(answers[0]!.headers.get('x-rate-limit-limit')).toBe('3');
    const limited = answers[3]!;
    expect(limited.json).toEqual({ errors: 'You have surpassed the max number of requests for an hour. Please wait until your limit resets.' });
    const reset = Number(limited.headers.get('x-rate-limit-reset'));
    expect(reset * 1000).toBeGreaterThan(own.clock.now());
    expect(Number(limited.headers.get('retry-after'))).toBe(Math.ceil((reset * 1000 - own.clock.now()) / 1000));
    own.clock.advance(10);
    expect((await api(own, ownToken, '/rest/v1.0/me', { company: null })).status).toBe(200);

    // Close to the hourly limit, the headers describe the hourly window instead.
    await setRateLimits(own.stateDir, { spike: { limit: 50, windowSec: 10 }, hourly: { limit: 6, windowSec: 3600 } });
    own.clock.advance(3600);
    const hourly = await api(own, ownToken, '/rest/v1.0/me', { company: null });
    expect([hourly.headers.get('x-rate-limit-limit'), hourly.headers.get('x-rate-limit-remaining')]).toEqual(['6', '5']);
    const unauthenticated = await call(`${own.apiUrl}/rest/v1.0/me`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('x-rate-limit-limit')).not.toBeNull();
  });
});

describe('Procore as its schema and docs describe it', () => {
  it('carries stored materials over: materials_presently_stored is a running balance, and the G702 still adds up', async () => {
    const state = await updateState(box.stateDir, (s) => s);
    const stored = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.fourAttachments)!;
    const [next] = await addRequisitions(box.stateDir, [{ commitmentId: stored.commitmentId, percentOfRemaining: 10 }]);
    // Leave last period's materials in storage (not installed) and store 500.00 more on that line.
    await updateState(box.stateDir, (s) => {
      const requisition = s.requisitions.find((r) => r.id === next!.id)!;
      for (const item of requisition.items) {
        if (!item.materialsFromPrevious) continue;
        const previous = stored.items.find((old) => old.commitmentLineId === item.commitmentLineId)!;
        item.workFromPrevious -= item.materialsFromPrevious;
        item.retainageFromPrevious -= previous.materialsRetainage;
        item.materialsMoved = 0;
        item.materialsStored = item.materialsFromPrevious + 50_000;
        item.materialsRetainageFromPrevious = previous.materialsRetainage;
        item.materialsRetainage = previous.materialsRetainage + 5_000;
      }
    });
    const r = (await api(box, token, `/rest/v1.1/requisitions/${next!.id}?project_id=${stored.projectId}&view=extended`)).json;
    const carried = r.items.filter((i: any) => cents(i.materials_presently_stored_from_previous_progress) > 0);
    expect(carried.length).toBeGreaterThan(0);
    for (const item of carried) {
      expect(cents(item.materials_presently_stored)).toBe(cents(item.materials_presently_stored_from_previous_progress) + 50_000);
      expect(cents(item.gross_amount)).toBe(cents(item.work_completed_this_period) + 50_000);
    }
    expect(claimedThisPeriod(r)).toBe(total(r, 'gross_amount'));
    expect(total(r, 'net_amount')).toBe(cents(r.summary.current_payment_due));
    expect(cents(r.summary.total_earned_less_retainage) - cents(r.summary.less_previous_certificates_for_payment)).toBe(cents(r.summary.current_payment_due));
  });

  it('gives each line cost_code_id and a WBS code with typed segments; line_number is text, ids integers', async () => {
    const show = await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.fourAttachments}?project_id=${TOWER}&view=extended`);
    const item = show.json.items[0];
    expect(typeof item.line_number).toBe('string');
    expect(Number.isInteger(item.cost_code_id)).toBe(true);
    expect(item.wbs_code.segment_items.map((segment: any) => segment.segment_type)).toEqual(['cost_code', 'cost_type']);
    expect(item.wbs_code.flat_code).toBe(item.wbs_code.segment_items.map((segment: any) => segment.code).join('.'));

    // On a project with sub jobs the sub job is the first segment.
    await updateState(box.stateDir, (s) => {
      const line = s.commitments.flatMap((c) => c.lines).find((candidate) => candidate.id === String(item.line_item_id))!;
      line.subJob = { code: 'B2', name: 'Building 2' };
    });
    const again = await api(box, token, `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.fourAttachments}?project_id=${TOWER}&view=extended`);
    const wbs = again.json.items[0].wbs_code;
    expect(wbs.segment_items.map((segment: any) => [segment.segment_type, segment.code])).toEqual([
      ['sub_job', 'B2'],
      ['cost_code', item.wbs_code.segment_items[0].code],
      ['cost_type', item.wbs_code.segment_items[1].code],
    ]);
    expect(wbs.flat_code).toBe(`B2.${item.wbs_code.flat_code}`);
  });

  it('shows a user who is not a company admin only the projects they are a member of', async () => {
    await updateState(box.stateDir, (s) => {
      s.projects.push({ ...s.projects.find((p) => p.id === '1720001')!, id: '1720002', name: 'Valley Fire Station', projectNumber: '3102' });
    });
    const viewer = await connect(box, DEMO_USERS[1]!);
    const own = await api(box, viewer.access_token, `/rest/v1.0/projects?company_id=${DEMO_SECOND_COMPANY_ID}`, { company: DEMO_SECOND_COMPANY_ID });
    expect(own.json.map((project: any) => project.project_number)).toEqual(['3101']);
    const other = await api(box, viewer.access_token, `/rest/v1.1/requisitions?project_id=1720002`, { company: DEMO_SECOND_COMPANY_ID });
    expect(other.status).toBe(404);
    const admin = await api(box, token, `/rest/v1.0/projects?company_id=${DEMO_SECOND_COMPANY_ID}`, { company: DEMO_SECOND_COMPANY_ID });
    expect(admin.json.map((project: any) => project.project_number)).toEqual(['3101', '3102']);
  });

  it('answers 401 in a company where the app is not installed, and serves it again once installed', async () => {
    const path = `/rest/v1.0/projects?company_id=${DEMO_SECOND_COMPANY_ID}`;
    await setAppInstalled(box.stateDir, DEMO_SECOND_COMPANY_ID, false);
    const refused = await api(box, token, path, { company: DEMO_SECOND_COMPANY_ID });
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ errors: 'App is not connected to this company' });
    expect((await api(box, token, `/rest/v1.0/projects?company_id=${DEMO_COMPANY_ID}`)).status).toBe(200);
    await setAppInstalled(box.stateDir, DEMO_SECOND_COMPANY_ID, true);
    expect((await api(box, token, path, { company: DEMO_SECOND_COMPANY_ID })).status).toBe(200);
  });
});
