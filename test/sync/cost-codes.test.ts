// Requisitions whose items name their cost code by cost_code_id alone (no WBS code), imported by
// `apdesk sync --once` from the sandbox on 127.0.0.1: each line's cost code comes from the
// project's cost codes, read once per project and run, and an id the project's list does not have
// leaves the line blank with a reason that names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDesk, type Desk } from '../../source/app/desk.js';
import { closeMergeWorker } from '../../source/documents/merge.js';
import { DEMO_COMPANY_ID, startSandbox, type RunningSandbox, type ServedRequest } from '../../source/sandbox/index.js';
import { addRequisitions, attachFile, clearFaults, readState, removeCostCode, setFault, type RequisitionSummary } from '../../source/sandbox/control.js';
import type { NewRequisition } from '../../source/sandbox/control.js';
import type { VaultCycle } from '../../source/sync/loop.js';
import { pdfWithPages } from '../helpers/files.js';
import { connectedDemo, DEMO_VAULT } from '../helpers/sync.js';

const TOWER = '1710001'; // job 2301
const WAREHOUSE = '1710002'; // job 2302
const CLINIC = '1710003'; // job 2303
// Commitments of the tower (SC-2301-01, -02, -03) and of the clinic (SC-2303-01, and SC-2303-02 whose lines have sub jobs).
const TOWER_COMMITMENTS = ['786001', '786002', '786003'];
const CLINIC_COMMITMENTS = ['786009', '786013'];

let dir: string;
let stateDir: string;
let sandbox: RunningSandbox;
let desk: Desk;
let ok: (args: string[]) => Promise<{ stdout: string }>;
const served: ServedRequest[] = [];

const invoiceId = (requisitionId: string) => `PC-${DEMO_COMPANY_ID}-${requisitionId}`;

beforeAll(async () => {
  const demo = await connectedDemo('auto-route');
  ({ dir, stateDir, ok } = demo);
  // The same sandbox state, served again by one that tells the test every request it answers.
  await demo.sandbox.close();
  sandbox = await startSandbox({ stateDir, advertise: true, onServed: (request) => served.push(request) });
  desk = await openDesk({ dataDir: dir });
});
afterAll(async () => {
  await sandbox?.close();
  await closeMergeWorker();
});

/** Approved requisitions whose items carry cost_code_id alone, each with a one-page PDF. */
async function approvedByIdAlone(commitmentIds: readonly string[]): Promise<RequisitionSummary[]> {
  const specs: NewRequisition[] = commitmentIds.map((commitmentId) => ({ commitmentId, status: 'approved', itemCoding: 'cost-code-id' }));
  const added = await addRequisitions(stateDir, specs);
  for (const requisition of added) await attachFile(stateDir, requisition.id, { filename: `pay-app-${requisition.id}.pdf`, bytes: await pdfWithPages(1) });
  return added;
}

/** One `sync --once`: its import run, and the REST requests the sandbox answered meanwhile. */
async function syncOnce(): Promise<{ run: VaultCycle['runs'][number]; asked: ServedRequest[] }> {
  const from = served.length;
  const cycle = (JSON.parse((await ok(['sync', '--once', '--vault', DEMO_VAULT, '--json'])).stdout) as VaultCycle[])[0]!;
  return { run: cycle.runs.find((run) => run.job === 'procore-import')!, asked: served.slice(from).filter((request) => request.path.startsWith('/rest/')) };
}

/** Each line's job, cost code and category as the sandbox's commitment lines say they should be. */
async function expectedLines(requisitionId: string): Promise<[string, string, null][]> {
  const state = await readState(stateDir);
  const requisition = state.requisitions.find((candidate) => candidate.id === requisitionId)!;
  const project = state.projects.find((candidate) => candidate.id === requisition.projectId)!;
  const commitment = state.commitments.find((candidate) => candidate.id === requisition.commitmentId)!;
  return requisition.items.map((item) => [project.projectNumber, commitment.lines.find((line) => line.id === item.commitmentLineId)!.costCode, null]);
}

const costCodeReads = (asked: ServedRequest[]) => asked.filter((request) => request.path === '/rest/v1.0/cost_codes').map((request) => request.query.get('project_id'));

describe('a cycle importing requisitions whose items name their cost code by id alone', () => {
  let added: RequisitionSummary[];
  let cycle: Awaited<ReturnType<typeof syncOnce>>;
  beforeAll(async () => {
    added = await approvedByIdAlone([...TOWER_COMMITMENTS, ...CLINIC_COMMITMENTS]);
    cycle = await syncOnce();
  });

  it("imports each with every line's job and cost code from the project's cost codes, and routes it", async () => {
    expect(cycle.run.outcome).toBe('ok');
    expect(cycle.run.report.failed).toEqual([]);
    for (const requisition of added) {
      const invoice = await desk.invoices.get(invoiceId(requisition.id));
      const lines = await expectedLines(requisition.id);
      expect(lines.length, requisition.id).toBeGreaterThan(0);
      expect(invoice.lines.map((line) => [line.job, line.costCode, line.category]), requisition.id).toEqual(lines);
      expect(invoice.notes ?? [], requisition.id).not.toContainEqual(expect.stringMatching(/cost code/));
      // Valid against the demo ledger, which holds these codes for these jobs: routed.
      expect(cycle.run.report.routed, requisition.id).toContain(invoiceId(requisition.id));
      expect(invoice.status).toBe('pending');
    }
  });

  it("reads each project's cost codes once for the whole cycle, and only where an item needs them", () => {
    // Five requisitions and twelve items in two projects: two reads. The demo's requisitions, imported
    // in the same cycle, carry typed WBS codes and need none; neither does the warehouse.
    expect(costCodeReads(cycle.asked).sort()).toEqual([TOWER, CLINIC].sort());
    // Every lookup of the cycle is asked once: no commitment, vendor or cost code list twice.
    const lookups = cycle.asked.filter((request) => /^\/rest\/v1\.0\/(commitments|vendors|cost_codes)\b/.test(request.path));
    const keys = lookups.map((request) => `${request.path}?${request.query}`);
    expect(keys.length).toBeGreaterThan(2);
    expect(new Set(keys).size).toBe(keys.length);
    // The list with view=extended carries the items: no requisition is read again by id.
    expect(cycle.asked.filter((request) => /^\/rest\/v1\.[01]\/requisitions\/\d+$/.test(request.path))).toEqual([]);
    expect(costCodeReads(cycle.asked)).not.toContain(WAREHOUSE);
  });

  it('reads them again in the next cycle only for a new requisition that needs them', async () => {
    const idle = await syncOnce();
    expect(idle.run.report.imported).toEqual([]);
    expect(costCodeReads(idle.asked)).toEqual([]);
  });
});

describe("an item naming a cost code its project's list does not have", () => {
  let requisition: RequisitionSummary;
  let cycle: Awaited<ReturnType<typeof syncOnce>>;
  let removedId: string;
  beforeAll(async () => {
    // SC-2301-01 bills 03-300 and 03-350; 03-350 is taken off the tower's cost codes.
    const state = await readState(stateDir);
    removedId = state.commitments.find((commitment) => commitment.id === '786001')!.lines.find((line) => line.costCode === '03-350')!.costCodeId;
    await removeCostCode(stateDir, TOWER, removedId);
    requisition = (await approvedByIdAlone(['786001']))[0]!;
    cycle = await syncOnce();
  });

  it('is imported, the other lines resolved and that one blank, left in the queue with a reason naming the id', async () => {
    expect(cycle.run.outcome).toBe('ok');
    expect(cycle.run.report.failed).toEqual([]);
    const id = invoiceId(requisition.id);
    expect(cycle.run.report.imported).toEqual([id]);
    const invoice = await desk.invoices.get(id);
    expect(invoice.lines.map((line) => [line.job, line.costCode])).toEqual([
      ['2301', '03-300'],
      ['2301', null],
    ]);
    expect(invoice.status).toBe('unprocessed');
    expect(invoice.notes).toContainEqual(
      `line 2 names Procore cost code id ${removedId}, which is not among the cost codes of Procore project 2301 (it may have been deleted there) — enter the cost code, or correct the line in Procore`,
    );
    const left = cycle.run.report.leftInQueue.find((entry) => entry.id === id);
    expect(left?.reason).toContain('Line 2 has no cost code');
    expect(costCodeReads(cycle.asked)).toEqual([TOWER]);
  });
});

describe("a project whose cost codes cannot be read", () => {
  let added: RequisitionSummary[];
  let cycle: Awaited<ReturnType<typeof syncOnce>>;
  beforeAll(async () => {
    // Every answer of GET /cost_codes is cut short: the client retries, then gives up.
    await setFault(stateDir, { kind: 'malformed-json', path: '/rest/v1.0/cost_codes' });
    // More requisitions of one project than the importer reads at once (4).
    added = await approvedByIdAlone(['786009', '786010', '786013', '786015', '786009', '786013']);
    try {
      cycle = await syncOnce();
    } finally {
      await clearFaults(stateDir);
    }
  });

  it('fails each of its requisitions with a reason that names the read, and imports none with blank lines', async () => {
    expect(cycle.run.outcome).toBe('ok');
    expect(cycle.run.report.imported).toEqual([]);
    expect(cycle.run.report.failed.map((entry) => entry.id).sort()).toEqual(added.map((requisition) => requisition.id).sort());
    for (const entry of cycle.run.report.failed) {
      expect(entry.reason).toMatch(
        /^the cost codes of Procore project Eastside Clinic Renovation could not be read \(its items name their cost code by id alone\): Procore answered GET \/rest\/v1\.0\/cost_codes\?\S+ with a body that is not valid JSON/,
      );
    }
  });

  it('reads the list once for the cycle (with the client\'s own retries), not once more for each requisition', () => {
    const reads = costCodeReads(cycle.asked);
    expect(new Set(reads)).toEqual(new Set([CLINIC]));
    // One read: the client's five attempts at it.
    expect(reads).toHaveLength(5);
  });

  it('imports them all on the next cycle once the list can be read', async () => {
    const next = await syncOnce();
    expect(next.run.report.failed).toEqual([]);
    expect(next.run.report.imported.sort()).toEqual(added.map((requisition) => invoiceId(requisition.id)).sort());
    expect(costCodeReads(next.asked)).toEqual([CLINIC]);
    for (const requisition of added) {
      const invoice = await desk.invoices.get(invoiceId(requisition.id));
      expect(invoice.lines.map((line) => [line.job, line.costCode, line.category]), requisition.id).toEqual(await expectedLines(requisition.id));
    }
  });
});
