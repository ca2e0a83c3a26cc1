// Invoices for the index tests, random edits of them from a seed, and what the index should say
// worked out the slow way: from every invoice in the shards.
import { seededRandom } from '../../source/sandbox/random.js';
import { expect } from 'vitest';
import { INVOICE_STATUSES, newDocument, type Invoice, type InvoiceSource } from '../../source/domain/invoice.js';
import { procoreId, type InvoiceId, type QueueId, type VaultId } from '../../source/domain/ids.js';
import { cents } from '../../source/domain/money.js';
import type { Store, Transaction } from '../../source/store/store.js';
import {
  addToCounts,
  comparator,
  countsOf,
  duplicateKey,
  matcher,
  rowOf,
  type IndexRow,
  type InvoiceQuery,
  type CountMatrix,
} from '../../source/store/index-rows.js';

export const QUEUES = ['inbox', 'procore', 'scans'] as const;
export const VENDORS = ['ABC-CON', 'abc-con ', 'XYZ', 'Steel Co', null] as const;

/** A small deterministic random source, so a failing sequence can be replayed. */
export const random = seededRandom;

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

export function invoiceFor(vaultId: string, n: number, next: () => number, now = '2026-11-26T00:00:00.000Z'): Invoice {
  const fromProcore = next() < 0.3;
  const source: InvoiceSource = fromProcore
    ? {
        kind: next() < 0.5 ? 'procore-auto' : 'procore-manual',
        procore: {
          companyId: procoreId(pick(next, ['10', '20'])),
          projectId: procoreId('7'),
          commitmentId: procoreId('8'),
          vendorId: null,
          requisitionId: procoreId(String(1000 + n)),
        },
      }
    : next() < 0.5
      ? { kind: 'manual' }
      : { kind: 'folder', inbox: 'scans' };
  const invoice = newDocument({
    id: `INV-${String(n).padStart(6, '0')}` as InvoiceId,
    vaultId: vaultId as VaultId,
    queueId: pick(next, QUEUES) as QueueId,
    source,
    attachments: [],
    user: 'pat',
    now,
    detail: 'added',
  });
  edit(invoice, next);
  return invoice;
}

/** Changes what the index keeps: status, queue, vendor, number, total, job, description, findings. */
export function edit(invoice: Invoice, next: () => number): void {
  invoice.status = pick(next, INVOICE_STATUSES);
  if (next() < 0.3) invoice.queueId = pick(next, QUEUES) as QueueId;
  invoice.header.vendor = pick(next, VENDORS);
  invoice.header.invoiceNumber = pick(next, ['A-1', ' a-1', 'B-2', 'C-3', null, `N-${Math.floor(next() * 40)}`]);
  invoice.header.total = next() < 0.2 ? null : cents(Math.floor(next() * 1_000_000));
  invoice.header.invoiceDate = next() < 0.2 ? null : `2026-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 10)}`;
  invoice.header.description = pick(next, [null, 'Footings', 'Slab on grade', 'x'.repeat(300)]);
  invoice.lines = next() < 0.3 ? [] : [{
    id: 'L1', type: 'subcontract', job: pick(next, ['2301', '2302', null]), costCode: '03-300', category: 'S',
    commitment: null, commitmentItem: null, description: null, amount: cents(100), retainage: cents(0), reviewers: [],
  }];
  invoice.validation = next() < 0.3
    ? { at: invoice.updatedAt, level: 'before-routing', issues: [
        { level: 'warning', rule: 'w', field: 'vendor', value: null, message: 'a warning' },
        { level: 'error', rule: 'e', field: 'total', value: null, message: 'Invoice total is empty' },
      ] }
    : null;
  invoice.routing = next() < 0.2 ? { at: invoice.updatedAt, outcome: 'failed', reasons: ['no rule matched line 1'] } : null;
  if (next() < 0.2) (invoice.header as { creditMemo?: boolean }).creditMemo = next() < 0.5;
  invoice.updatedAt = new Date(Date.UTC(2026, 10, 26) + Math.floor(next() * 1e9)).toISOString();
}

/** Random puts: new invoices and edits of existing ones, spread over `transactions` commits. */
export async function randomPuts(store: Store, vaultId: string, seed: number, transactions: number, ids: { next: number }): Promise<void> {
  const next = random(seed);
  for (let t = 0; t < transactions; t++) {
    await store.transact(async (tx) => {
      const puts = 1 + Math.floor(next() * 6);
      for (let p = 0; p < puts; p++) await putOne(tx, vaultId, next, ids);
    });
  }
}

async function putOne(tx: Transaction, vaultId: string, next: () => number, ids: { next: number }): Promise<void> {
  if (ids.next === 1 || next() < 0.4) {
    await tx.putInvoice(invoiceFor(vaultId, ids.next++, next, tx.now));
    return;
  }
  const n = 1 + Math.floor(next() * (ids.next - 1));
  const invoice = await tx.getInvoice(vaultId, `INV-${String(n).padStart(6, '0')}`);
  if (!invoice) return;
  edit(invoice, next);
  await tx.putInvoice(invoice);
}

/** What the index should hold, from every invoice of the vault. */
export async function expected(store: Store, vaultId: string) {
  const invoices = await store.invoices(vaultId);
  const rows = invoices.map((invoice) => rowOf(invoice));
  const matrix: CountMatrix = {};
  for (const row of rows) addToCounts(matrix, row, 1);
  return { invoices, rows, counts: countsOf(matrix) };
}

export const plain = (rows: readonly IndexRow[]) => rows.map((row) => JSON.parse(JSON.stringify(row)));

/**
 * The index answers as the invoices say: counts, every row, every duplicate and requisition
 * lookup — without having to repair anything on the way (a repair would hide a wrong index).
 */
export async function expectIndexMatchesShards(store: Store, vaultId: string): Promise<void> {
  const problemsBefore = store.problems.length;
  const truth = await expected(store, vaultId);
  expect(await store.invoiceCounts(vaultId)).toEqual(truth.counts);
  const all = await store.invoicePage(vaultId, { limit: 1_000_000 });
  expect(all.total).toBe(truth.rows.length);
  expect(plain(all.rows)).toEqual(plain([...truth.rows].sort(comparator('id', 'asc'))));
  const numbers = new Map<string, string[]>();
  for (const invoice of truth.invoices) {
    const key = duplicateKey(invoice.header.vendor, invoice.header.invoiceNumber);
    if (key) numbers.set(key, [...(numbers.get(key) ?? []), invoice.id].sort());
  }
  for (const invoice of truth.invoices) {
    const key = duplicateKey(invoice.header.vendor, invoice.header.invoiceNumber);
    const found = await store.invoicesByNumber(vaultId, invoice.header.vendor, invoice.header.invoiceNumber);
    expect(found.map((row) => row.id), `${invoice.header.vendor}/${invoice.header.invoiceNumber}`).toEqual(key ? numbers.get(key) : []);
    const { source } = invoice;
    if (source.kind === 'procore-auto' || source.kind === 'procore-manual') {
      expect(await store.invoiceForRequisition(vaultId, source.procore.companyId, source.procore.requisitionId)).toBe(invoice.id);
    }
  }
  expect(store.problems.slice(problemsBefore)).toEqual([]);
}

/** The page the index should give, worked out from all rows. */
export function expectedPage(rows: readonly IndexRow[], query: InvoiceQuery) {
  const matching = rows.filter(matcher(query)).sort(comparator(query.sort ?? 'id', query.direction ?? 'asc'));
  const offset = query.offset ?? 0;
  return { total: matching.length, rows: plain(matching.slice(offset, offset + (query.limit ?? 50))) };
}
