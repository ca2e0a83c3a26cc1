// The vault the benchmarks measure: invoices of realistic size (~2.3 KB: a header, three coded
// lines with reviewers, an audit trail) in one Sage 300 vault, written straight to a store.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../source/store/store.js';
import { INVOICE_STATUSES, newDocument, type Invoice } from '../source/domain/invoice.js';
import { manualInvoiceId, type QueueId, type VaultId } from '../source/domain/ids.js';
import { cents } from '../source/domain/money.js';
import type { LedgerConfig } from '../source/domain/vault.js';

export const QUEUES = ['procore-invoices', 'inbox', 'scanned'] as const;

/**
 * An invoice of realistic size: header, three coded lines with reviewers, a short audit trail.
 * Statuses, queues and vendors vary so that filters have something to do; every 500th invoice
 * repeats the number of the one before it (a duplicate for the lookup to find).
 */
export function invoice(n: number): Invoice {
  const now = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const queue = QUEUES[n % QUEUES.length]!;
  const base = newDocument({
    id: manualInvoiceId(n),
    vaultId: 'bench' as VaultId,
    queueId: queue as QueueId,
    source: { kind: 'manual' },
    attachments: [
      {
        role: 'document',
        name: `requisition-${n}.pdf`,
        path: `vaults/bench/documents/${manualInvoiceId(n)}/document.pdf`,
        contentType: 'application/pdf',
        bytes: 182_734,
        sha256: 'a'.repeat(64),
        pages: 4,
      },
    ],
    user: 'clerk',
    now,
    detail: `added requisition-${n}.pdf (4 pages) to queue '${queue}'`,
  });
  base.status = INVOICE_STATUSES[(n * 7) % INVOICE_STATUSES.length]!;
  base.header = {
    vendor: `V-${1000 + (n % 400)}`,
    invoiceNumber: `INV-${n % 500 === 0 ? n - 400 : n}`,
    invoiceDate: `2026-04-${String(1 + (n % 28)).padStart(2, '0')}`,
    dueDate: '2026-05-30',
    total: cents(4_770_000 + (n % 1000) * 100),
    retainage: cents(530_000),
    description: 'Progress billing for concrete foundations, April',
    processor: 'clerk',
  };
  base.lines = [1, 2, 3].map((line) => ({
    id: `L${line}`,
    type: 'subcontract' as const,
    job: String(2300 + (n % 20)),
    costCode: `03-${100 + line * 10}`,
    category: 'S',
    commitment: 'SC-001',
    commitmentItem: String(line),
    description: `Concrete work item ${line}: footings, slab on grade and walls`,
    amount: cents(1_590_000),
    retainage: cents(176_667 + (line === 3 ? -1 : 0)),
    reviewers: [
      { user: 'pm.lee', sequence: 1, status: 'pending' as const, at: null },
      { user: 'owner.pat', sequence: 2, status: 'pending' as const, at: null },
    ],
  }));
  base.audit.push(
    { at: now, user: 'clerk', action: 'invoice.validated', outcome: 'ok', detail: 'validation passed: 0 errors, 1 warning' },
    { at: now, user: 'clerk', action: 'invoice.routed', outcome: 'ok', detail: 'routed to pm.lee, owner.pat by rule Concrete' },
  );
  return base;
}

export async function vaultOf(
  size: number,
  options: { user: string; command: string },
  extra: { ledger?: LedgerConfig } = {},
): Promise<{ dir: string; store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), `apdesk-bench-${size}-`));
  const store = await Store.open(dir, options);
  await store.transact(async (tx) => {
    tx.settings.vaults.push({
      id: 'bench' as VaultId,
      name: 'Bench',
      accounting: 'sage300',
      licences: ['procore', 'cloud-sync'],
      queues: QUEUES.map((id) => ({ id: id as QueueId, name: id, createdAt: tx.now })),
      createdAt: tx.now,
      createdBy: tx.user,
      ...(extra.ledger ? { ledger: extra.ledger } : {}),
    });
    for (let n = 1; n <= size; n++) await tx.putInvoice(invoice(n));
    tx.settings.counters.invoice = size;
  });
  return { dir, store };
}

