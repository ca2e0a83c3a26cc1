// The Job Poll Invoice Check Backfiller, with Create payments in Procore: the accounting system's
// checks mark exported invoices paid, then every paid invoice that came from Procore gets one
// contract payment on its commitment there, recorded on the invoice.
//
// Which invoices are looked at: those this run marked paid, and a sweep of the vault's index for
// paid Procore invoices updated since a watermark. An invoice waiting for its payment is not
// touched, so it keeps the updated time it got when it was paid; the watermark stays at or below
// the oldest one still waiting, and otherwise moves up to this run's start (less a margin for
// transactions that were under way). It lives in this process: the first run of a process sweeps
// the last SWEEP_HORIZON_DAYS, later runs only what changed since, never further back than that.
// So a steady run reads a page of the index and opens a handful of invoices, however large the
// vault. An invoice still waiting after SWEEP_HORIZON_DAYS is left to a person, whose retry
// (desk.payments.retry) updates it and so brings it back in front of the next run.
import { UserError } from '../domain/errors.js';
import type { Invoice, PaymentRecord } from '../domain/invoice.js';
import { formatMoney } from '../domain/money.js';
import {
  contractPaymentFor,
  isPaymentRefusal,
  needsProcorePayment,
  nextPaymentNumber,
  originIdOf,
  paymentBlocker,
  procoreLinkOf,
  refusalRecord,
} from '../domain/procore-payment.js';
import type { ProcoreConfig } from '../domain/procore-config.js';
import { requireRole, type Vault } from '../domain/vault.js';
import type { Desk } from '../app/desk.js';
import type { InvoiceRow } from '../app/invoices.js';
import { AccessRefusedError, ProcoreError, ReconnectNeededError } from '../procore/errors.js';
import type { ProcoreHttp } from '../procore/http.js';
import { contractPayments, createContractPayment, originIdTaken, refusalWords, type ContractPayment } from '../procore/payments.js';
import { emptyReport, type JobContext, type JobReport, type JobRunner } from './job.js';

/** How far back the first sweep of a process looks for paid Procore invoices still without a payment. */
export const SWEEP_HORIZON_DAYS = 30;
/** Transactions that began before a sweep may land just after it: the watermark stays this far behind. */
const SWEEP_MARGIN_MS = 5 * 60_000;
const SWEEP_PAGE = 200;
const PROCORE_SOURCES = ['procore-auto', 'procore-manual'] as const;

/** Per desk (one per process), per vault: every paid Procore invoice updated before this is settled. */
const settledBefore = new WeakMap<Desk, Map<string, number>>();

export const runCheckBackfiller: JobRunner = async (ctx) => {
  const report = emptyReport();
  let paid: Invoice[] = [];
  try {
    const result = await ctx.desk.workflow.backfill(ctx.vault.id);
    paid = result.paid;
    report.paid = paid.map((invoice) => invoice.id);
    for (const problem of result.problems) if (problem.fatal) fail(ctx, report, `${problem.file}: ${problem.message}`);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    fail(ctx, report, `the check backfill did not run: ${error.message}`);
  }
  await writePayments(ctx, paid, report);
  return report;
};

function fail(ctx: JobContext, report: JobReport, error: string): void {
  report.errors.push(error);
  ctx.report({ kind: 'error', vaultId: ctx.vault.id, job: 'check-backfiller', error });
}

/** Paid Procore invoices updated at or after `floor` (ms), newest first, from the vault's index alone. */
async function sweep(desk: Desk, vaultId: string, floor: number): Promise<InvoiceRow[]> {
  const rows: InvoiceRow[] = [];
  for (let offset = 0; ; offset += SWEEP_PAGE) {
    const page = await desk.invoices.list({ vault: vaultId, status: ['paid'], source: PROCORE_SOURCES, sort: 'updated', descending: true, offset, limit: SWEEP_PAGE });
    for (const row of page.rows) {
      if (Date.parse(row.updatedAt) < floor) return rows;
      rows.push(row);
    }
    if (offset + SWEEP_PAGE >= page.total) return rows;
  }
}

type Due = Invoice & { payment: PaymentRecord };

/** What a failed call means for the payments: Procore refused this one, try again later, or stop. */
type Trouble =
  | { kind: 'refused'; words: string; status: number | null }
  | { kind: 'transient'; message: string; stopAll: boolean }
  | { kind: 'stop'; message: string };

function troubleOf(error: unknown): Trouble {
  if (error instanceof AccessRefusedError || error instanceof ReconnectNeededError) return { kind: 'stop', message: error.message };
  if (error instanceof ProcoreError) {
    if (isPaymentRefusal(error.status)) {
      return { kind: 'refused', status: error.status, words: `${refusalWords(error)}${error.requestId ? ` (Procore request id ${error.requestId})` : ''}` };
    }
    // Unreachable or overloaded after the client's own retries: the other invoices would fare no better.
    return { kind: 'transient', message: error.message, stopAll: error.status === null || error.status === 429 || error.status === 503 };
  }
  // An answer that did not read as a payment, or the data dir busy: nothing a person must undo.
  if (error instanceof UserError) return { kind: 'transient', message: error.message, stopAll: false };
  throw error;
}

async function writePayments(ctx: JobContext, paidNow: readonly Invoice[], report: JobReport): Promise<void> {
  const { desk } = ctx;
  const vault = await desk.vaults.get(ctx.vault.id);
  const config = vault.procore;
  if (!config?.createPayments) return;
  if (config.connection.state !== 'connected') {
    fail(ctx, report, `Create payments in Procore is on, but vault '${vault.name}' ${config.connection.state === 'reconnect-needed' ? 'must be granted access to Procore again' : 'is not connected to Procore'}: paid invoices wait for their payment`);
    return;
  }

  const started = Date.now();
  const horizon = started - SWEEP_HORIZON_DAYS * 86_400_000;
  const floor = Math.max(horizon, settledBefore.get(desk)?.get(vault.id) ?? horizon);
  const seen = new Map<string, Invoice>(paidNow.map((invoice) => [invoice.id, invoice]));
  const rows = (await sweep(desk, vault.id, floor)).filter((row) => !seen.has(row.id));
  for await (const invoice of desk.invoices.read(rows)) seen.set(invoice.id, invoice);
  const due = [...seen.values()].filter((invoice): invoice is Due => needsProcorePayment(invoice)).sort((a, b) => a.id.localeCompare(b.id));

  const settled = new Set<string>();
  const remember = () => {
    const waiting = due.filter((invoice) => !settled.has(invoice.id)).map((invoice) => Date.parse(invoice.updatedAt));
    const memory = settledBefore.get(desk) ?? new Map<string, number>();
    memory.set(vault.id, Math.min(started - SWEEP_MARGIN_MS, ...waiting));
    settledBefore.set(desk, memory);
  };
  try {
    if (due.length) await payInvoices(ctx, vault, config, due, settled, report);
  } finally {
    remember();
  }
}

async function payInvoices(ctx: JobContext, vault: Vault, config: ProcoreConfig, due: readonly Due[], settled: Set<string>, report: JobReport): Promise<void> {
  const { desk } = ctx;

  const refuse = async (invoice: Invoice, error: string) => {
    try {
      await desk.payments.recordFailed(invoice.id, error);
      settled.add(invoice.id);
      report.failed.push({ id: invoice.id, reason: error });
      ctx.report({ kind: 'failed', vaultId: vault.id, invoiceId: invoice.id, error });
    } catch (problem) {
      if (!(problem instanceof UserError)) throw problem;
      fail(ctx, report, `invoice ${invoice.id}: Procore's refusal could not be recorded (${problem.message}); the next run asks again`);
    }
  };
  const record = async (invoice: Due, payment: ContractPayment, found: boolean) => {
    try {
      await desk.payments.recordCreated(invoice.id, { paymentId: payment.id, originId: originIdOf(invoice), paymentNumber: payment.paymentNumber, amount: payment.amount, found });
      settled.add(invoice.id);
      report.paymentsCreated.push(invoice.id);
      ctx.report({ kind: 'payment-created', vaultId: vault.id, invoiceId: invoice.id, paymentId: payment.id, amount: formatMoney(payment.amount) });
    } catch (problem) {
      if (!(problem instanceof UserError)) throw problem;
      fail(ctx, report, `invoice ${invoice.id}: Procore payment ${payment.id} exists but could not be recorded (${problem.message}); the next run finds it by its origin id`);
    }
  };

  // Whoever runs the job must be able to record what it writes to Procore, or every run would
  // create a payment it cannot record.
  try {
    requireRole(await desk.users.list(), desk.user, ['admin', 'processor'], 'record payments');
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    fail(ctx, report, `no payment was written to Procore: ${error.message}`);
    return;
  }

  const sendable: Due[] = [];
  for (const invoice of due) {
    const blocker = paymentBlocker(invoice, config.companyId);
    if (blocker) await refuse(invoice, blocker);
    else sendable.push(invoice);
  }
  if (!sendable.length) return;

  let http: ProcoreHttp;
  try {
    http = (await ctx.procore()).http;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    fail(ctx, report, `${sendable.length} paid ${sendable.length === 1 ? 'invoice waits' : 'invoices wait'} for a payment in Procore: ${error.message}`);
    return;
  }

  // One list per commitment: the payment numbers go on from the highest there, and origin ids
  // already there are this invoice's payment from a run that stopped before recording it.
  const commitments = new Map<string, Due[]>();
  for (const invoice of sendable) {
    const link = procoreLinkOf(invoice)!;
    const key = `${link.projectId}/${link.commitmentId}`;
    commitments.set(key, [...(commitments.get(key) ?? []), invoice]);
  }

  for (const invoices of commitments.values()) {
    if (ctx.signal.aborted) return;
    const link = procoreLinkOf(invoices[0]!)!;
    let existing: ContractPayment[];
    try {
      existing = await contractPayments(http, link.projectId, link.commitmentId);
    } catch (error) {
      const trouble = troubleOf(error);
      if (trouble.kind === 'refused') {
        for (const invoice of invoices) await refuse(invoice, refusalRecord(trouble.status, trouble.words));
        continue;
      }
      fail(ctx, report, `the payments of Procore commitment ${link.commitmentId} could not be read (${trouble.message}); ${invoices.length === 1 ? 'its invoice waits' : `its ${invoices.length} invoices wait`} for the next run`);
      if (trouble.kind === 'stop' || trouble.stopAll) return;
      continue;
    }
    const numbers = existing.map((payment) => payment.paymentNumber);
    const byOrigin = new Map(existing.filter((payment) => payment.originId !== null).map((payment) => [payment.originId!, payment]));

    for (const invoice of invoices) {
      if (ctx.signal.aborted) return;
      const already = byOrigin.get(originIdOf(invoice));
      if (already) {
        await record(invoice, already, true);
        continue;
      }
      const draft = contractPaymentFor(invoice, vault, nextPaymentNumber(numbers));
      let created: ContractPayment;
      try {
        created = await createContractPayment(http, draft);
      } catch (error) {
        const found = error instanceof ProcoreError && originIdTaken(error) ? await findByOrigin(http, draft.projectId, draft.contractId, draft.originId) : null;
        if (found) {
          await record(invoice, found, true);
          continue;
        }
        const trouble = troubleOf(error);
        if (trouble.kind === 'refused') {
          await refuse(invoice, refusalRecord(trouble.status, trouble.words));
          continue;
        }
        fail(ctx, report, `invoice ${invoice.id}: the payment to Procore did not go through (${trouble.message}); the next run tries again`);
        if (trouble.kind === 'stop' || trouble.stopAll) return;
        // What happened to the POST is unknown: the next run reads this commitment again first.
        break;
      }
      numbers.push(created.paymentNumber ?? draft.paymentNumber);
      await record(invoice, created, false);
    }
  }
}

/** Procore said the origin id is taken: the payment is there, made by an earlier run. */
async function findByOrigin(http: ProcoreHttp, projectId: string, contractId: string, originId: string): Promise<ContractPayment | null> {
  try {
    return (await contractPayments(http, projectId, contractId)).find((payment) => payment.originId === originId) ?? null;
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
}
