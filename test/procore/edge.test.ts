// The client's edge as the importer uses it, against the sandbox on 127.0.0.1: lists where one bad
// requisition does not sink the rest, updated_at windows, cost codes, and file links that live on
// another host than the API.
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../source/log/log.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { costCodes, requisition, requisitions, requisitionsChecked } from '../../source/procore/resources.js';
import { readState, setRateLimits, updateState } from '../../source/sandbox/control.js';
import { DEMO_COMPANY_ID } from '../../source/sandbox/index.js';
import { connect, sandbox, type TestSandbox } from '../sandbox/helpers.js';

const WAREHOUSE = '1710002'; // job 2302

let box: TestSandbox;
let token: string;
let refreshes = 0;

beforeAll(async () => {
  box = await sandbox();
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  token = (await connect(box)).access_token;
});

function client(companyId: string | null = DEMO_COMPANY_ID): ProcoreHttp {
  const tokens = {
    accessToken: async () => token,
    refreshAfter: async () => {
      refreshes++;
      return token;
    },
  };
  return new ProcoreHttp({ environment: { kind: 'local', apiUrl: box.apiUrl, loginUrl: box.loginUrl }, tokens, logger: silentLogger, companyId });
}

describe('a list of requisitions with a bad one in it', () => {
  it('reads every good one and names the bad one with its reason; requisitions() still refuses the whole list', async () => {
    const before = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended' });
    expect(before.refused).toEqual([]);
    const victim = before.requisitions[1]!;
    await updateState(box.stateDir, (state) => {
      state.requisitions.find((r) => r.id === victim.id)!.billingDate = '2026-11-31';
    });
    const after = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended' });
    expect(after.refused).toEqual([{ id: victim.id, reason: "billing_date '2026-11-31' is not a date (YYYY-MM-DD)" }]);
    expect(after.requisitions.map((r) => r.id)).toEqual(before.requisitions.filter((r) => r.id !== victim.id).map((r) => r.id));
    await expect(requisitions(client(), WAREHOUSE)).rejects.toThrow(`Procore requisition ${victim.id}: billing_date '2026-11-31' is not a date (YYYY-MM-DD)`);
    await updateState(box.stateDir, (state) => {
      state.requisitions.find((r) => r.id === victim.id)!.billingDate = victim.billingDate!;
    });
  });
});

describe('updated_at windows', () => {
  it('sends a window to the whole second, both ends included, so a change at the edge is not lost', async () => {
    const state = await readState(box.stateDir);
    const stored = state.requisitions.filter((r) => r.projectId === WAREHOUSE).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const at = Date.parse(stored[2]!.updatedAt);
    // A window ending 300 ms before the change, and one starting 300 ms after it: each rounds out to hold it.
    const endsBefore = await requisitions(client(), WAREHOUSE, { updatedAt: [new Date(at - 60_000).toISOString(), new Date(at - 300).toISOString()] });
    const startsAfter = await requisitions(client(), WAREHOUSE, { updatedAt: [new Date(at + 300).toISOString(), new Date(at + 60_000).toISOString()] });
    expect(endsBefore.map((r) => r.id)).toContain(stored[2]!.id);
    expect(startsAfter.map((r) => r.id)).toContain(stored[2]!.id);
    const days = await requisitions(client(), WAREHOUSE, { updatedAt: [stored[0]!.updatedAt.slice(0, 10), stored.at(-1)!.updatedAt.slice(0, 10)] });
    expect(days.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
    await expect(requisitions(client(), WAREHOUSE, { updatedAt: ['last tuesday', '2026-11-30'] })).rejects.toThrow(
      "updated_at from 'last tuesday' is not an ISO 8601 time (e.g. 2026-11-20T15:07:00Z) or a day (2026-11-20)",
    );
  });
});

describe('cost codes', () => {
  it("resolve each item's cost_code_id to the code and name of the project's cost code", async () => {
    const codes = await costCodes(client(), WAREHOUSE);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => /^\d+$/.test(code.id) && code.fullCode && code.name)).toBe(true);
    const { requisitions: listed } = await requisitionsChecked(client(), WAREHOUSE, { view: 'extended', status: 'approved' });
    const byId = new Map(codes.map((code) => [code.id, code]));
    for (const read of listed) {
      for (const item of read.items!) expect(byId.get(item.costCodeId!)?.fullCode, `${read.id} line ${item.lineNumber}`).toBe(item.costCode);
    }
    const shown = await requisition(client(), WAREHOUSE, listed[0]!.id);
    expect(shown.items!.map((item) => item.costCodeId)).toEqual(listed[0]!.items!.map((item) => item.costCodeId));
  });
});
