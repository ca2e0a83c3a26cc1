// How the store scales: one invoice edit in vaults of 1k, 10k and 50k invoices (time and bytes
// written), and importing 1,000 invoices into a vault of 50k. Prints figures; asserts nothing.
//   npm run bench:store            (or: npx tsx bench/store.ts [--sizes 1000,10000,50000])
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Store } from '../source/store/store.js';
import { newDocument, type Invoice } from '../source/domain/invoice.js';
import { manualInvoiceId, type QueueId, type VaultId } from '../source/domain/ids.js';
import { cents } from '../source/domain/money.js';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, edits: { type: 'string' } } });
const sizes = (values.sizes ?? '1000,10000,50000').split(',').map(Number);
const edits = Number(values.edits ?? 25);
const options = { user: 'bench', command: 'bench/store.ts' };

/** An invoice of realistic size: header, three coded lines with reviewers, a short audit trail. */
function invoice(n: number): Invoice {
  const now = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const base = newDocument({
    id: manualInvoiceId(n),
    vaultId: 'bench' as VaultId,
    queueId: 'procore-invoices' as QueueId,
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
    detail: `added requisition-${n}.pdf (4 pages) to queue 'Procore Invoices'`,
  });
  base.status = 'pending';
  base.header = {
    vendor: `V-${1000 + (n % 400)}`,
    invoiceNumber: `INV-${n}`,
    invoiceDate: '2026-04-30',
    dueDate: '2026-05-30',
    total: cents(4_770_000),
    retainage: cents(530_000),
    description: 'Progress billing for concrete foundations, April',
    processor: 'clerk',
  };
  base.lines = [1, 2, 3].map((line) => ({
    id: `L${line}`,
    type: 'subcontract' as const,
    job: '2301',
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

async function vaultOf(size: number): Promise<{ dir: string; store: Store }> {
  const dir = await mkdtemp(join(tmpdir(), `apdesk-bench-${size}-`));
  const store = await Store.open(dir, options);
  await store.transact(async (tx) => {
    tx.settings.vaults.push({
      id: 'bench' as VaultId,
      name: 'Bench',
      accounting: 'sage300',
      licences: ['procore', 'cloud-sync'],
      queues: [{ id: 'procore-invoices' as QueueId, name: 'Procore Invoices', createdAt: tx.now }],
      createdAt: tx.now,
      createdBy: tx.user,
    });
    for (let n = 1; n <= size; n++) await tx.putInvoice(invoice(n));
    tx.settings.counters.invoice = size;
  });
  return { dir, store };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (value: number) => `${(value / 1024).toFixed(0)} KB`;

async function editOnce(store: Store, id: string, round: number): Promise<{ time: number; bytes: number; files: number }> {
  const started = performance.now();
  await store.transact(async (tx) => {
    const current = (await tx.getInvoice('bench', id))!;
    current.header.description = `edited ${round}`;
    await tx.putInvoice(current);
  });
  return { time: performance.now() - started, bytes: store.lastCommit.bytes, files: store.lastCommit.files };
}

console.log(`store benchmark — ${edits} edits per size, median figures (node ${process.version})`);
console.log(`invoice size: ${JSON.stringify(invoice(1)).length} bytes compact, ${JSON.stringify(invoice(1), null, 2).length} pretty\n`);
console.log('vault size | edit, warm (console) | edit, cold (new process) | bytes written | files written');
let largest: { dir: string; store: Store; size: number } | null = null;
for (const size of sizes) {
  const { dir, store } = await vaultOf(size);
  const warm: number[] = [];
  const cold: number[] = [];
  let bytes = 0;
  let files = 0;
  for (let round = 0; round < edits; round++) {
    const id = manualInvoiceId(1 + Math.floor((round * 7919) % size));
    const result = await editOnce(store, id, round);
    warm.push(result.time);
    bytes = Math.max(bytes, result.bytes);
    files = Math.max(files, result.files);
    const fresh = await Store.open(dir, options);
    const started = performance.now();
    await editOnce(fresh, id, round + 1000);
    cold.push(performance.now() - started);
  }
  console.log(`${String(size).padStart(10)} | ${ms(median(warm)).padStart(20)} | ${ms(median(cold)).padStart(24)} | ${kb(bytes).padStart(13)} | ${files}`);
  if (largest) await rm(largest.dir, { recursive: true, force: true });
  largest = { dir, store, size };
}

if (largest) {
  const { store, size, dir } = largest;
  let started = performance.now();
  for (let n = 1; n <= 1000; n++) {
    await store.transact((tx) => tx.putInvoice(invoice(size + n)));
  }
  const oneByOne = (performance.now() - started) / 1000;
  started = performance.now();
  await store.transact(async (tx) => {
    for (let n = 1001; n <= 2000; n++) await tx.putInvoice(invoice(size + n));
  });
  const batched = (performance.now() - started) / 1000;
  const total = (await store.invoices('bench')).length;
  console.log(`\nimport 1,000 invoices into a vault of ${size}: ${oneByOne.toFixed(2)} s one transaction each; ${batched.toFixed(2)} s in one transaction (vault now ${total})`);
  // What the duplicate invoice-number check and `invoices list` pay: every invoice of the vault.
  started = performance.now();
  await (await Store.open(dir, options)).invoices('bench');
  const cold = performance.now() - started;
  const warm: number[] = [];
  for (let round = 0; round < 5; round++) {
    await store.transact(async (tx) => tx.putInvoice(invoice(round + 1)));
    started = performance.now();
    await store.invoices('bench');
    warm.push(performance.now() - started);
  }
  console.log(`read every invoice of the vault (${total}): ${ms(cold)} in a new process; ${ms(median(warm))} in a running one after an edit`);
  await rm(dir, { recursive: true, force: true });
}
