// Changing the sandbox from outside as Procore, a reviewer or another integration would, and what
// an importer polling on updated_at then sees through the API.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  approveRequisition,
  attachFile,
  readState,
  setRateLimits,
  setRequisitionStatus,
  updateRequisition,
} from '../../source/sandbox/control.js';
import { DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { api, call, connect, sandbox, type TestSandbox } from './helpers.js';

const TOWER = '1710001';
const CLINIC = '1710003';
let box: TestSandbox;
let token: string;

beforeAll(async () => {
  box = await sandbox();
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  token = (await connect(box)).access_token;
});

const stored = async (id: string) => (await readState(box.stateDir)).requisitions.find((r) => r.id === id)!;
const shown = async (id: string, project: string) => (await api(box, token, `/rest/v1.1/requisitions/${id}?project_id=${project}`)).json;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('updated_at follows every change an importer must see', () => {
  it('moves on approve and on attach, to the sandbox clock, to the second', async () => {
    const id = DEMO_REQUISITIONS.awaitingApproval;
    const before = await stored(id);
    box.clock.advance(0.25);
    const approved = await approveRequisition(box.stateDir, id, 'approved', { now: box.clock.now() });
    expect(approved.updatedAt).toBe(iso(Math.floor(box.clock.now() / 1000) * 1000));
    expect(approved.updatedAt > before.updatedAt).toBe(true);
    box.clock.advance(5);
    await attachFile(box.stateDir, id, { filename: 'lien-waiver.pdf', bytes: Buffer.from('%PDF-1.7\n%%EOF\n') }, { now: box.clock.now() });
    expect((await shown(id, TOWER)).updated_at).toBe(iso(Math.floor(box.clock.now() / 1000) * 1000));
  });

  it('can be left alone by attach, since whether Procore moves it on an upload is not known', async () => {
    const id = DEMO_REQUISITIONS.noAttachment;
    const before = (await stored(id)).updatedAt;
    box.clock.advance(60);
    await attachFile(box.stateDir, id, { filename: 'late.pdf', bytes: Buffer.from('%PDF-1.7\n%%EOF\n') }, { now: box.clock.now(), touchUpdatedAt: false });
    const after = await shown(id, '1710002');
    expect(after.updated_at).toBe(before);
    expect(after.attachments.map((a: any) => a.filename)).toEqual(['late.pdf']);
  });

  it('always moves forward, even when two changes fall in the same second', async () => {
    const id = DEMO_REQUISITIONS.bigId;
    const first = await updateRequisition(box.stateDir, id, { erpStatus: 'pending' }, { now: box.clock.now() });
    const second = await updateRequisition(box.stateDir, id, { erpStatus: 'synced' }, { now: box.clock.now() });
    expect(Date.parse(second.updatedAt) - Date.parse(first.updatedAt)).toBe(1000);
    // A change to what it already is changes nothing.
    const same = await updateRequisition(box.stateDir, id, { erpStatus: ' synced ' }, { now: box.clock.now() + 60_000 });
    expect(same.updatedAt).toBe(second.updatedAt);
  });

  it('lets a virtual clock approve "at" a time, and the updated_at window of the list finds it there', async () => {
    const id = '1280616'; // under review, job 2302
    const at = Date.parse('2027-03-01T08:00:00Z');
    await setRequisitionStatus(box.stateDir, id, 'approved', { now: at + 400 });
    const window = encodeURIComponent('2027-03-01T08:00:00Z...2027-03-01T08:00:00Z');
    const listed = await api(box, token, `/rest/v1.1/requisitions?project_id=1710002&filters[status]=approved&filters[updated_at]=${window}`);
    expect(listed.json.map((r: any) => [r.id, r.status, r.updated_at])).toEqual([[1280616, 'approved', '2027-03-01T08:00:00Z']]);
  });
});

describe('origin_id and erp_status', () => {
  it('are set and cleared, shown by the API, and origin_id filters the list', async () => {
    const id = DEMO_REQUISITIONS.bigId;
    const synced = await updateRequisition(box.stateDir, id, { originId: ' SAGE-AP-5530 ', erpStatus: 'synced' }, { now: box.clock.now() });
    expect(synced).toMatchObject({ originId: 'SAGE-AP-5530', erpStatus: 'synced' });
    const read = await shown(id, CLINIC);
    expect([read.origin_id, read.erp_status]).toEqual(['SAGE-AP-5530', 'synced']);
    const filtered = await api(box, token, `/rest/v1.1/requisitions?project_id=${CLINIC}&filters[origin_id]=SAGE-AP-5530`);
    expect(filtered.text).toContain(`"id":${id},`);
    expect(filtered.json).toHaveLength(1);

    const cleared = await updateRequisition(box.stateDir, id, { originId: '', erpStatus: null }, { now: box.clock.now() });
    expect([cleared.originId, cleared.erpStatus]).toEqual([null, null]);
    expect((await shown(id, CLINIC)).erp_status).toBeNull();
  });

  it('are refused when they could not be Procore text, and an unknown requisition or status is named', async () => {
    const id = DEMO_REQUISITIONS.bigId;
    await expect(updateRequisition(box.stateDir, id, { originId: 'x'.repeat(256) })).rejects.toThrow('the origin id is 256 characters long; keep it to 255');
    await expect(updateRequisition(box.stateDir, id, { erpStatus: 'a\nb' })).rejects.toThrow('the ERP status must be one line');
    await expect(updateRequisition(box.stateDir, id, { status: 'paid' as never })).rejects.toThrow(/unknown requisition status 'paid' — use one of draft,/);
    await expect(updateRequisition(box.stateDir, '42', { erpStatus: 'synced' })).rejects.toThrow('no requisition 42 in the sandbox');
  });

  it('are changed over the control API too, and the app installed or not', async () => {
    const id = DEMO_REQUISITIONS.docuSign;
    const patched = await call(`${box.controlUrl}/requisitions/${id}`, { method: 'PATCH', json: { originId: 'OTHER-1', erpStatus: 'rejected', status: 'approved_as_noted' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ id, originId: 'OTHER-1', erpStatus: 'rejected', status: 'approved_as_noted' });
    expect((await call(`${box.controlUrl}/requisitions/${id}`, { method: 'PATCH', json: { originId: 7 } })).status).toBe(400);
    expect((await call(`${box.controlUrl}/requisitions/999`, { method: 'PATCH', json: { erpStatus: 'x' } })).status).toBe(404);

    const off = await call(`${box.controlUrl}/companies/4126/app-installed`, { method: 'PUT', json: { installed: false } });
    expect(off.json).toEqual({ companyId: '4126', installed: false });
    expect((await api(box, token, '/rest/v1.0/projects?company_id=4126', { company: '4126' })).status).toBe(401);
    await call(`${box.controlUrl}/companies/4126/app-installed`, { method: 'PUT', json: { installed: true } });
    expect((await api(box, token, '/rest/v1.0/projects?company_id=4126', { company: '4126' })).status).toBe(200);
    expect((await call(`${box.controlUrl}/companies/4126/app-installed`, { method: 'PUT', json: { installed: 'yes' } })).status).toBe(400);
  });
});
