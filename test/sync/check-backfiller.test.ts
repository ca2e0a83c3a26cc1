// The Job Poll Invoice Check Backfiller with Create payments in Procore, against the real sandbox
// on 127.0.0.1 and the real disk: the demo vault, connected, its ledger's checks written by the
// test, and invoices from the sandbox's approved requisitions standing where the importer and the
// workflow would have left them (exported). Each test goes on from where the one before left off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDesk, type Desk } from '../../source/app/desk.js';
import type { Connection } from '../../source/app/procore.js';
import { emptyHeader, newDocument, type Invoice } from '../../source/domain/invoice.js';
import { procoreInvoiceId, type InvoiceId, type ProcoreId, type QueueId, type VaultId } from '../../source/domain/ids.js';
import { parseMoney } from '../../source/domain/money.js';
import { silentLogger } from '../../source/log/log.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { clearFaults, listPayments, listRequisitions, readState, setFault, updateState, type RequisitionSummary } from '../../source/sandbox/control.js';
import { DEMO_COMPANY_ID, ensureSandbox, type RunningSandbox } from '../../source/sandbox/index.js';
import { acquireLock } from '../../source/store/lock.js';
import { Store } from '../../source/store/store.js';
import { runCheckBackfiller } from '../../source/sync/check-backfiller.js';
import type { JobReport, SyncEvent } from '../../source/sync/job.js';
import { expectOk } from '../helpers/cli.js';
import { exited, spawnHelper } from '../helpers/process.js';
import { STORE_OPTIONS } from '../helpers/store.js';
import { tempDir } from '../helpers/temp.js';

const VAULT = 'demo-construction';
let dir: string;
let stateDir: string;
let desk: Desk;
let box: RunningSandbox;
let store: Store;
let approved: Map<string, RequisitionSummary>;
const checks: string[][] = [];

beforeAll(async () => {
  dir = await tempDir();
  stateDir = join(dir, 'sandbox');
  desk = await openDesk({ dataDir: dir });
  await desk.demo.create();
  box = await ensureSandbox(dir);
  const grant = await desk.procore.beginGrant(VAULT, 'urn:ietf:wg:oauth:2.0:oob');
  try {
    const reply = await desk.procore.sandboxSignIn(grant.url, desk.demo.login.email, desk.demo.login.password);
    await desk.procore.completeGrant(grant, await desk.procore.readGrantReply(reply, grant.state));
  } finally {
    await grant.close();
  }
  await desk.procore.configure({ vault: VAULT, company: DEMO_COMPANY_ID, createPayments: true });
  // The demo ledger's folder as a plain Sage export folder: the test writes the checks itself
  // instead of waiting a minute for the demo's clerk to pay.
  await desk.accounting.importFolder({ vault: VAULT, dir: join(dir, 'ledger', VAULT) });
  store = await Store.open(dir, STORE_OPTIONS);
  approved = new Map((await listRequisitions(stateDir, { status: 'approved' })).map((requisition) => [requisition.id, requisition]));
});
afterAll(async () => box?.close());

/** An invoice imported from this requisition and exported, as the importer and the workflow leave one. */
async function exportedFromProcore(requisitionId: string): Promise<InvoiceId> {
  const requisition = approved.get(requisitionId)!;
  const id = procoreInvoiceId(requisition.companyId as ProcoreId, requisition.id as ProcoreId);
  await putExported(id, {
    kind: 'procore-auto',
    procore: {
      companyId: requisition.companyId as ProcoreId,
      projectId: requisition.projectId as ProcoreId,
      commitmentId: requisition.commitmentId as ProcoreId,
      vendorId: null,
      requisitionId: requisition.id as ProcoreId,
    },
  }, requisition.vendorCode!, requisition.invoiceNumber!, requisition.amount);
  return id;
}

async function putExported(id: InvoiceId, source: Invoice['source'], vendor: string, invoiceNumber: string, total: string): Promise<void> {
  await store.transact(async (tx) => {
    const document = newDocument({ id, vaultId: VAULT as VaultId, queueId: 'procore-invoices' as QueueId, source, attachments: [], user: 'sync', now: tx.now, detail: 'imported' });
    await tx.putInvoice({
      ...document,
      status: 'exported',
      header: { ...emptyHeader(), vendor, invoiceNumber, invoiceDate: '2026-11-05', total: parseMoney(total) },
      exported: { at: tx.now, by: 'clerk', file: 'ap_export_test.csv' },
    });
  });
}

/** The accounting system pays it: a row in the ledger's checks.csv. */
async function payByCheck(vendor: string, invoiceNumber: string, check: { number: string; date: string; amount: string; method: string }): Promise<void> {
  checks.push([check.number, check.date, vendor, invoiceNumber, check.amount, check.method]);
  const rows = [['check_number', 'check_date', 'vendor', 'invoice_number', 'amount', 'method'], ...checks];
  await writeFile(join(dir, 'ledger', VAULT, 'checks.csv'), rows.map((row) => row.join(',')).join('\n') + '\n');
}

async function payRequisition(requisitionId: string, check: { number: string; amount: string; method: string }): Promise<void> {
  const requisition = approved.get(requisitionId)!;
  await payByCheck(requisition.vendorCode!, requisition.invoiceNumber!, { date: '2026-11-20', ...check });
}

interface Run {
  report: JobReport;
  events: SyncEvent[];
  /** Whether the job opened the Procore connection at all, and how many requests it sent. */
  opened: boolean;
  requests: number;
}

/** One run of the job as the loop gives it (as the admin, unless `as`); `noWaiting` gives the client a clock that does not wait between retries. */
async function run(options: { noWaiting?: boolean; as?: Desk } = {}): Promise<Run> {
  const acting = options.as ?? desk;
  const events: SyncEvent[] = [];
  let connection: Connection | undefined;
  const vault = await acting.vaults.get(VAULT);
  try {
    const report = await runCheckBackfiller({
      desk: acting,
      vault,
      procore: async () => {
        if (!connection) {
          const opened = await acting.procore.open(VAULT);
          connection = options.noWaiting
            ? { ...opened, http: new ProcoreHttp({ environment: opened.environment, tokens: opened.tokens, logger: silentLogger, companyId: opened.config.companyId, sleep: async () => undefined }) }
            : opened;
        }
        return connection;
      },
      signal: new AbortController().signal,
      report: (event) => events.push(event),
      now: Date.now,
    });
    return { report, events, opened: connection !== undefined, requests: connection?.http.requests ?? 0 };
  } finally {
    await connection?.close();
  }
}

const invoice = (id: string) => desk.invoices.get(id);
/** The payments in Procore that name this invoice as their origin. */
const paymentsFor = async (id: string) => (await listPayments(stateDir)).filter((payment) => payment.originId?.startsWith(`apdesk:${VAULT}:${id}:`));

describe('the check backfiller with payments to Procore', () => {
  it('marks paid what the checks paid, and gives each paid Procore invoice exactly one payment with the right fields', async () => {
    // A payment made in Procore by hand already on the commitment: ours are numbered after it.
    await updateState(stateDir, (state) => {
      state.payments.push({
        id: '4400001', projectId: '1710001', contractId: '786001', requisitionId: null, date: '2026-10-01', amount: 100_00, paymentMethod: 'check',
        checkNumber: '900', paymentNumber: 7, invoiceNumber: 'ABC-0987', invoiceDate: null, drawRequestNumber: null, notes: 'by hand', originId: null,
        originData: null, createdById: '1', createdAt: '2026-10-01T00:00:00Z', updatedAt: '2026-10-01T00:00:00Z',
      });
    });
    const first = await exportedFromProcore('1280601');
    const second = await exportedFromProcore('1280602');
    const big = await exportedFromProcore('9007199254740997');
    await putExported('INV-900001' as InvoiceId, { kind: 'manual' }, 'ABC-CON', 'ABC-MANUAL-1', '500.00');
    await payRequisition('1280601', { number: '10001', amount: '32838.75', method: 'ACH' });
    await payRequisition('1280602', { number: '10002', amount: '57108.35', method: 'Check' });
    await payRequisition('9007199254740997', { number: '10003', amount: '14940.00', method: 'Bitcoin' });
    await payByCheck('ABC-CON', 'ABC-MANUAL-1', { number: '10004', date: '2026-11-21', amount: '500.00', method: 'Check' });

    const { report, events } = await run();
    expect(report.paid.sort()).toEqual([first, second, big, 'INV-900001'].sort());
    expect(report.paymentsCreated).toEqual([first, second, big].sort());
    expect(report.failed).toEqual([]);
    expect(report.errors).toEqual([]);
    expect(events.filter((event) => event.kind === 'payment-created')).toHaveLength(3);

    const onCommitment = (await listPayments(stateDir, { contractId: '786001' })).filter((payment) => payment.originId);
    expect(onCommitment).toEqual([
      expect.objectContaining({
        projectId: '1710001', requisitionId: '1280601', date: '2026-11-20', amount: '32838.75', paymentMethod: 'electronic', checkNumber: '10001',
        paymentNumber: 8, invoiceNumber: 'ABC-1041', originId: `apdesk:${VAULT}:${first}:10001`,
      }),
      expect.objectContaining({ requisitionId: '1280602', amount: '57108.35', paymentMethod: 'check', paymentNumber: 9, originId: `apdesk:${VAULT}:${second}:10002` }),
    ]);
    expect(onCommitment[0]!.notes).toMatch(new RegExp(`apdesk from vault 'Demo Construction', invoice ${first}`));
    // The requisition id above 2^53 reached Procore exact; the unknown method went as a check, and the notes say so.
    const [bigPayment, ...more] = await paymentsFor(big);
    expect(more).toEqual([]);
    expect(bigPayment).toMatchObject({ requisitionId: '9007199254740997', contractId: '786009', paymentMethod: 'check', paymentNumber: 1, amount: '14940.00' });
    expect(bigPayment!.notes).toContain("payment method 'Bitcoin' is not one apdesk knows, so it was sent as a check");

    const recorded = await invoice(first);
    expect(recorded.procorePayment).toEqual({
      state: 'created', paymentId: onCommitment[0]!.id, originId: `apdesk:${VAULT}:${first}:10001`, paymentNumber: 8, amount: 32838_75, at: expect.any(String),
    });
    expect(recorded.audit.at(-1)).toMatchObject({ action: 'invoice.procore-payment', outcome: 'ok', detail: expect.stringMatching(/created for \$32,838\.75/) });
    // Scripts see its money as every other amount in --json: a decimal string.
    const shown = await expectOk(['invoices', 'show', first, '--json', '--data-dir', dir]);
    expect(JSON.parse(shown.stdout).procorePayment).toMatchObject({ state: 'created', amount: '32838.75', paymentNumber: 8 });
    expect((await invoice('INV-900001')).procorePayment).toBeUndefined();
    // apdesk names its payments by origin_id; the requisitions keep theirs.
    const state = await readState(stateDir);
    expect(state.requisitions.filter((requisition) => [first, second, big].some((id) => id.endsWith(`-${requisition.id}`))).map((r) => r.originId)).toEqual([null, null, null]);
  });

  it('creates none on the next run, and does not even open the connection when nothing is due', async () => {
    const before = (await listPayments(stateDir)).length;
    const { report, opened } = await run();
    expect(report).toMatchObject({ paid: [], paymentsCreated: [], failed: [], errors: [] });
    expect(opened).toBe(false);
    expect(await listPayments(stateDir)).toHaveLength(before);
  });

  it('killed between creating the payment in Procore and recording it, ends after another run with exactly one payment recorded', async () => {
    const id = await exportedFromProcore('1280604');
    await payRequisition('1280604', { number: '10005', amount: '35349.18', method: 'EFT' });
    expect((await desk.workflow.backfill(VAULT)).paid.map((paid) => paid.id)).toEqual([id]);
    // Holding the data dir's lock, the child can read, talk to Procore and create the payment, but
    // cannot record it: it waits for the lock, and is killed once the sandbox holds the payment.
    const held = await acquireLock(dir, { user: 'test', command: 'hold the lock for the kill', timeoutMs: 5000 });
    try {
      const child = spawnHelper('../sync/run-check-backfiller.ts', [dir, VAULT]);
      const ended = exited(child);
      const deadline = Date.now() + 30_000;
      while (!(await paymentsFor(id)).length) {
        if (child.exitCode !== null) throw new Error(`the child ended before creating the payment: ${(await ended).stderr}`);
        if (Date.now() > deadline) throw new Error('the child did not create the payment within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      child.kill('SIGKILL');
      expect((await ended).signal).toBe('SIGKILL');
    } finally {
      await held.release();
    }
    expect(await paymentsFor(id)).toHaveLength(1);
    expect((await invoice(id)).procorePayment).toBeUndefined();

    // The next run finds it in the commitment's list by its origin id: one GET, and no POST.
    const { report, requests } = await run();
    expect(report.paymentsCreated).toEqual([id]);
    expect(requests).toBe(1);
    const [payment, ...others] = await paymentsFor(id);
    expect(others).toEqual([]);
    const recorded = await invoice(id);
    expect(recorded.procorePayment).toMatchObject({ state: 'created', paymentId: payment!.id, paymentNumber: 1, amount: 35349_18 });
    expect(recorded.audit.at(-1)!.detail).toMatch(/found by its origin id .*: it was created before apdesk could record it, and not created twice/);
    expect((await run()).report.paymentsCreated).toEqual([]);
    expect(await paymentsFor(id)).toHaveLength(1);
  });

  it('records a commitment that takes no payments as the invoice\'s failure, leaves it on later runs, and tries again when a person asks', async () => {
    await updateState(stateDir, (state) => {
      state.commitments.find((commitment) => commitment.id === '786003')!.allowPayments = false;
    });
    const id = await exportedFromProcore('1280608');
    await payRequisition('1280608', { number: '10006', amount: '33464.34', method: 'Wire' });
    // An invoice of another company than the vault's is refused before Procore is asked.
    const elsewhere = await exportedFromProcore('1280624');
    await payRequisition('1280624', { number: '10007', amount: '15968.98', method: 'Check' });

    const refused = await run();
    expect(refused.report.paid.sort()).toEqual([id, elsewhere].sort());
    expect(refused.report.paymentsCreated).toEqual([]);
    expect(refused.report.failed).toEqual([
      { id: elsewhere, reason: expect.stringMatching(/came from Procore company 4126, but the vault is set up for company 9007199254740993/) },
      { id, reason: expect.stringMatching(/^Procore refused the payment: Payments are not allowed on this commitment \(Procore request id [\w-]+\) — allow payments on this commitment in Procore, then ask for the payment again$/) },
    ]);
    expect(refused.report.errors).toEqual([]);
    expect((await invoice(id)).procorePayment).toMatchObject({ state: 'failed', attempts: 1, error: refused.report.failed[1]!.reason });
    expect(await paymentsFor(id)).toEqual([]);

    const later = await run();
    expect(later.report).toMatchObject({ paymentsCreated: [], failed: [], errors: [] });
    expect(later.opened).toBe(false);
    expect((await invoice(id)).audit.filter((entry) => entry.action === 'invoice.procore-payment-failed')).toHaveLength(1);

    await updateState(stateDir, (state) => {
      state.commitments.find((commitment) => commitment.id === '786003')!.allowPayments = true;
    });
    const asked = await desk.payments.retry(id);
    expect(asked.procorePayment).toBeNull();
    expect(asked.audit.at(-1)).toMatchObject({ action: 'invoice.procore-payment-retry', detail: expect.stringMatching(/asked for again after its refusal/) });
    const again = await run();
    expect(again.report.paymentsCreated).toEqual([id]);
    expect(await paymentsFor(id)).toEqual([expect.objectContaining({ paymentMethod: 'electronic', amount: '33464.34', checkNumber: '10006' })]);
    await expect(desk.payments.retry(id)).rejects.toThrow(/already has Procore payment \d+ \(number 1\); nothing to retry/);
  });

  it('leaves a payment Procore could not take for now (503 after the client\'s retries) unrecorded, and makes it on the next run', async () => {
    const id = await exportedFromProcore('1280615');
    await payRequisition('1280615', { number: '10008', amount: '25200.00', method: 'Credit Card' });
    await setFault(stateDir, { kind: 'unavailable', count: 5, seconds: 1, path: '/rest/v1.0/contract_payments' });
    try {
      const failed = await run({ noWaiting: true });
      expect(failed.report.paid).toEqual([id]);
      expect(failed.report.failed).toEqual([]);
      expect(failed.report.errors).toEqual([expect.stringMatching(/payments of Procore commitment 786006 could not be read \(Procore answered 503 .*\); its invoice waits for the next run/)]);
      expect((await invoice(id)).procorePayment).toBeUndefined();
    } finally {
      await clearFaults(stateDir);
    }
    const { report } = await run();
    expect(report.paymentsCreated).toEqual([id]);
    expect(await paymentsFor(id)).toEqual([expect.objectContaining({ paymentMethod: 'credit_card', amount: '25200.00' })]);
  });

  it('writes nothing to Procore for a user who could not record it, and says why', async () => {
    const id = await exportedFromProcore('1280618');
    await payRequisition('1280618', { number: '10010', amount: '15380.30', method: 'Check' });
    expect((await desk.workflow.backfill(VAULT)).paid.map((paid) => paid.id)).toEqual([id]);
    await desk.users.setRoles({ name: 'pat', roles: ['reviewer'] });
    const asReviewer = await openDesk({ dataDir: dir, user: 'pat' });
    const refused = await run({ as: asReviewer });
    expect(refused.opened).toBe(false);
    expect(refused.report.errors).toEqual([
      expect.stringMatching(/^the check backfill did not run: user 'pat' may not record payments/),
      expect.stringMatching(/^no payment was written to Procore: user 'pat' may not record payments/),
    ]);
    expect(await paymentsFor(id)).toEqual([]);
    expect((await run()).report.paymentsCreated).toEqual([id]);
  });

  it('leaves an invoice paid more than 30 days ago to a person, whose retry brings it to the next run', async () => {
    const requisition = approved.get('1280619')!;
    const id = await exportedFromProcore(requisition.id);
    const longAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await store.transact(async (tx) => {
      const exported = (await tx.getInvoice(VAULT, id))!;
      await tx.putInvoice({
        ...exported,
        status: 'paid',
        payment: { checkNumber: '9001', checkDate: longAgo.slice(0, 10), amount: parseMoney('9000.00'), method: 'Check', recordedAt: longAgo },
        updatedAt: longAgo,
      });
    });
    // A new process (a new desk) looks back 30 days: this one is older.
    const fresh = await run({ as: await openDesk({ dataDir: dir }) });
    expect(fresh.report.paymentsCreated).toEqual([]);
    expect(fresh.opened).toBe(false);
    await desk.payments.retry(id);
    expect((await invoice(id)).audit.at(-1)).toMatchObject({ action: 'invoice.procore-payment-retry', detail: expect.stringMatching(/the next check backfiller run sends it/) });
    expect((await run()).report.paymentsCreated).toEqual([id]);
    expect(await paymentsFor(id)).toEqual([expect.objectContaining({ checkNumber: '9001', amount: '9000.00' })]);
  });

  it('writes nothing to Procore while Create payments in Procore is off; turned on, it pays what was paid meanwhile', async () => {
    await desk.procore.configure({ vault: VAULT, createPayments: false });
    const id = await exportedFromProcore('1280612');
    await payRequisition('1280612', { number: '10009', amount: '18958.15', method: 'Check' });
    const before = await readFile(join(stateDir, 'state.json'), 'utf8');
    const off = await run();
    expect(off.report).toMatchObject({ paid: [id], paymentsCreated: [], failed: [], errors: [] });
    expect(off.opened).toBe(false);
    expect(await readFile(join(stateDir, 'state.json'), 'utf8')).toBe(before);
    expect((await invoice(id)).procorePayment).toBeUndefined();

    await desk.procore.configure({ vault: VAULT, createPayments: true });
    const on = await run();
    expect(on.report.paymentsCreated).toEqual([id]);
    expect(await paymentsFor(id)).toHaveLength(1);
  });
});
