// Requisitions whose items name their cost code by cost_code_id alone (no WBS code), and cost codes
// taken off a project's list while items still name them: the shapes an importer must resolve
// through GET /cost_codes, made by the control functions, the control API and seen through REST.
import { beforeAll, describe, expect, it } from 'vitest';
import { addRequisitions, readState, removeCostCode, setRateLimits, updateRequisition } from '../../source/sandbox/control.js';
import { UserError } from '../../source/domain/errors.js';
import type { ServedRequest } from '../../source/sandbox/index.js';
import { api, call, connect, sandbox, type TestSandbox } from './helpers.js';

const TOWER = '1710001'; // job 2301
const CONCRETE = '786001'; // SC-2301-01, on the tower

let box: TestSandbox;
let token: string;
const served: ServedRequest[] = [];

beforeAll(async () => {
  box = await sandbox({ onServed: (request) => served.push(request) });
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  token = (await connect(box)).access_token;
});

const show = async (id: string) => (await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${TOWER}&view=extended`)).json;
const costCodes = async () => (await api(box, token, `/rest/v1.0/cost_codes?project_id=${TOWER}`)).json as { id: number; full_code: string }[];

describe('a requisition coded by cost_code_id alone', () => {
  it('sends each item its cost_code_id and no WBS code; the ids are those its WBS twin names, all in the cost codes list', async () => {
    const [byId, byWbs] = await addRequisitions(box.stateDir, [
      { commitmentId: CONCRETE, status: 'approved', itemCoding: 'cost-code-id' },
      { commitmentId: CONCRETE, status: 'approved' },
    ]);
    expect(byId!.itemCoding).toBe('cost-code-id');
    expect(byWbs!.itemCoding).toBe('wbs');
    const plain = await show(byId!.id);
    const twin = await show(byWbs!.id);
    expect(plain.items.length).toBeGreaterThan(1);
    for (const item of plain.items) {
      expect(item.wbs_code).toBeNull();
      expect(Number.isInteger(item.cost_code_id)).toBe(true);
      expect(item).not.toHaveProperty('cost_code');
    }
    expect(plain.items.map((item: any) => item.cost_code_id)).toEqual(twin.items.map((item: any) => item.cost_code_id));
    const codes = await costCodes();
    expect(plain.items.map((item: any) => codes.find((code) => code.id === item.cost_code_id)?.full_code)).toEqual(
      twin.items.map((item: any) => item.wbs_code.segment_items.find((segment: any) => segment.segment_type === 'cost_code').code),
    );
    // The list with view=extended sends the same items.
    const listed = await api(box, token, `/rest/v1.1/requisitions?project_id=${TOWER}&view=extended&filters[id][]=${byId!.id}`);
    expect(listed.json.map((r: any) => r.items.map((item: any) => item.wbs_code))).toEqual([plain.items.map(() => null)]);
  });

  it('is switched to and from WBS codes by updateRequisition, which moves updated_at; an unknown coding is refused', async () => {
    const [added] = await addRequisitions(box.stateDir, [{ commitmentId: CONCRETE, status: 'approved' }], { now: Date.parse('2026-11-26T12:00:00Z') });
    const changed = await updateRequisition(box.stateDir, added!.id, { itemCoding: 'cost-code-id' }, { now: Date.parse('2026-11-26T12:05:00Z') });
    expect(changed).toMatchObject({ itemCoding: 'cost-code-id', updatedAt: '2026-11-26T12:05:00Z' });
    expect((await show(added!.id)).items.every((item: any) => item.wbs_code === null)).toBe(true);
    // The same coding again changes nothing.
    expect((await updateRequisition(box.stateDir, added!.id, { itemCoding: 'cost-code-id' }, { now: Date.parse('2026-11-26T12:09:00Z') })).updatedAt).toBe('2026-11-26T12:05:00Z');
    await updateRequisition(box.stateDir, added!.id, { itemCoding: 'wbs' });
    expect((await show(added!.id)).items.every((item: any) => item.wbs_code.segment_items.length === 2)).toBe(true);
    expect((await readState(box.stateDir)).requisitions.find((r) => r.id === added!.id)).not.toHaveProperty('itemCoding');

    const refused = addRequisitions(box.stateDir, [{ commitmentId: CONCRETE, itemCoding: 'flat' as never }]);
    await expect(refused).rejects.toBeInstanceOf(UserError);
    await expect(refused).rejects.toThrow("unknown item coding 'flat' — use wbs or cost-code-id");
    await expect(updateRequisition(box.stateDir, added!.id, { itemCoding: 'flat' as never })).rejects.toThrow(/unknown item coding 'flat'/);
  });

  it('is added and changed through the control API too', async () => {
    const added = await call(`${box.controlUrl}/requisitions`, { json: { commitmentId: CONCRETE, status: 'approved', itemCoding: 'cost-code-id' } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ commitmentId: CONCRETE, status: 'approved', itemCoding: 'cost-code-id' });
    expect((await show(added.json.id)).items[0].wbs_code).toBeNull();
    const patched = await call(`${box.controlUrl}/requisitions/${added.json.id}`, { method: 'PATCH', json: { itemCoding: 'wbs' } });
    expect(patched.json.itemCoding).toBe('wbs');
    expect((await call(`${box.controlUrl}/requisitions`, { json: { commitmentId: CONCRETE, itemCoding: 'flat' } })).status).toBe(400);
  });
});

describe('a cost code taken off the project', () => {
  it('leaves GET /cost_codes while the items that use it still name it; unknown projects and codes are refused', async () => {
    const [added] = await addRequisitions(box.stateDir, [{ commitmentId: CONCRETE, status: 'approved', itemCoding: 'cost-code-id' }]);
    const named = (await show(added!.id)).items.map((item: any) => String(item.cost_code_id));
    const before = await costCodes();
    await removeCostCode(box.stateDir, TOWER, named[0]);
    const after = await costCodes();
    expect(after.map((code) => String(code.id))).toEqual(before.map((code) => String(code.id)).filter((id) => id !== named[0]));
    expect((await show(added!.id)).items.map((item: any) => String(item.cost_code_id))).toEqual(named);
    // Twice is once.
    await removeCostCode(box.stateDir, TOWER, named[0]);
    expect(await costCodes()).toHaveLength(after.length);

    await expect(removeCostCode(box.stateDir, '42', named[0])).rejects.toThrow('no project 42 in the sandbox');
    await expect(removeCostCode(box.stateDir, TOWER, '42')).rejects.toThrow(/project 2301 \(1710001\) has no cost code 42 in the sandbox/);
    const other = await call(`${box.controlUrl}/projects/${TOWER}/cost_codes/${named[1]}`, { method: 'DELETE' });
    expect(other.json).toEqual({ projectId: TOWER, costCodeId: named[1], removed: true });
    expect(await costCodes()).toHaveLength(after.length - 1);
    expect((await call(`${box.controlUrl}/projects/${TOWER}/cost_codes/42`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('onServed', () => {
  it('is told of every API answer: method, path, query and status', async () => {
    const from = served.length;
    await api(box, token, `/rest/v1.0/cost_codes?project_id=${TOWER}`);
    await api(box, token, '/rest/v1.0/cost_codes');
    const seen = served.slice(from).map((request) => [request.method, request.path, request.query.get('project_id'), request.status]);
    expect(seen).toEqual([
      ['GET', '/rest/v1.0/cost_codes', TOWER, 200],
      ['GET', '/rest/v1.0/cost_codes', null, 400],
    ]);
  });
});
