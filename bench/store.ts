// How the store scales: one invoice edit in vaults of 1k, 10k and 50k invoices (time and bytes
// written); on the largest, what the invoice index answers (counts, a page, a duplicate lookup)
// in a running process and in a new one, rebuilding the index, scanning the whole vault, and
// importing 1,000 invoices. Prints figures; asserts nothing.
//   npm run bench:store            (or: npx tsx bench/store.ts [--sizes 1000,10000,50000])
// The same file, run with --probe DATA_DIR ID, is the new process the bench starts.
import { rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Store } from '../source/store/store.js';
import { invoice, vaultOf } from './fixtures.js';
import { manualInvoiceId } from '../source/domain/ids.js';

const { values, positionals } = parseArgs({
  options: { sizes: { type: 'string' }, edits: { type: 'string' }, probe: { type: 'boolean' } },
  allowPositionals: true,
});
const options = { user: 'bench', command: 'bench/store.ts' };

if (values.probe) {
  await probe(positionals[0]!, positionals[1]!, positionals[2] ?? 'status');
  process.exit(0);
}

/**
 * The new process: what `apdesk status` and validating one invoice read ('status'), the
 * console's first page and the memory the vault's rows then take ('page'), or a scan ('scan').
 */
async function probe(dir: string, id: string, mode: string): Promise<void> {
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const store = await Store.open(dir, options);
  const opened = performance.now();
  if (mode === 'page') {
    const page = await store.invoicePage('bench', { status: 'pending', sort: 'updatedAt', direction: 'desc', limit: 50 });
    const done = performance.now();
    (globalThis as { gc?: () => void }).gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    process.stdout.write(`${JSON.stringify({ firstPageMs: done - opened, heapMb, rows: page.total })}\n`);
    return;
  }
  if (mode === 'scan') {
    let n = 0;
    for await (const invoice of store.scanInvoices('bench')) if (invoice.id) n += 1;
    const done = performance.now();
    process.stdout.write(`${JSON.stringify({ scanned: n, scanMs: done - opened, maxRssKb: process.resourceUsage().maxRSS })}\n`);
    return;
  }
  const counts = await store.invoiceCounts('bench');
  const counted = performance.now();
  const invoice = (await store.invoice('bench', id))!;
  const twins = await store.invoicesByNumber('bench', invoice.header.vendor, invoice.header.invoiceNumber);
  const looked = performance.now();
  process.stdout.write(
    `${JSON.stringify({ openMs: opened - started, countsMs: counted - opened, validateReadMs: looked - counted, total: counts.total, twins: twins.length })}\n`,
  );
}

function runProbe(args: string[]): Promise<{ wallMs: number; result: Record<string, number> }> {
  const self = fileURLToPath(import.meta.url);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--probe', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`probe exited ${code}`));
      else resolve({ wallMs: performance.now() - started, result: JSON.parse(out) });
    });
  });
}

const sizes = (values.sizes ?? '1000,10000,50000').split(',').map(Number);
const edits = Number(values.edits ?? 25);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const kb = (value: number) => `${(value / 1024).toFixed(0)} KB`;

async function editOnce(store: Store, id: string, round: number): Promise<{ time: number; bytes: number; files: number }> {
  const started = performance.now();
  await store.transact(async (tx) => {
    const current = (await tx.getInvoice('bench', id))!;
    current.header.description = `edited ${round}`;
    // Half the edits move the invoice to another status: the counts change too.
    if (round % 2 === 1) current.status = current.status === 'approved' ? 'pending' : 'approved';
    await tx.putInvoice(current);
  });
  return { time: performance.now() - started, bytes: store.lastCommit.bytes, files: store.lastCommit.files };
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

// Figures move with whatever else the machine runs: the load is printed with them.
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`store benchmark — ${edits} edits per size, median figures (node ${process.version}; load average ${load()})`);
console.log(`invoice size: ${JSON.stringify(invoice(1)).length} bytes compact, ${JSON.stringify(invoice(1), null, 2).length} pretty\n`);
console.log('vault size | edit, warm (console) | edit, new Store in this process | bytes written | files written');
let largest: { dir: string; store: Store; size: number } | null = null;
for (const size of sizes) {
  const { dir, store } = await vaultOf(size, options);
  const warm: number[] = [];
  const fresh: number[] = [];
  let bytes = 0;
  let files = 0;
  for (let round = 0; round < edits; round++) {
    const id = manualInvoiceId(1 + Math.floor((round * 7919) % size));
    const result = await editOnce(store, id, round);
    warm.push(result.time);
    bytes = Math.max(bytes, result.bytes);
    files = Math.max(files, result.files);
    const other = await Store.open(dir, options);
    fresh.push((await editOnce(other, id, round + 1000)).time);
  }
  console.log(
    `${String(size).padStart(10)} | ${ms(median(warm)).padStart(20)} | ${ms(median(fresh)).padStart(31)} | ${kb(bytes).padStart(13)} | ${files}`,
  );
  if (largest) await rm(largest.dir, { recursive: true, force: true });
  largest = { dir, store, size };
}

if (largest) {
  const { store, size, dir } = largest;
  console.log(`\nthe invoice index of the ${size} vault`);

  // A running process (the console): second calls, then again after an edit by this process.
  await store.invoiceCounts('bench');
  const countsWarm: number[] = [];
  for (let round = 0; round < 9; round++) countsWarm.push((await timed(() => store.invoiceCounts('bench')))[0]);
  const query = { status: ['pending', 'approved'] as const, queueId: 'procore-invoices', text: 'v-10', sort: 'vendor' as const, direction: 'desc' as const, offset: 100, limit: 50 };
  const [pageFirst, firstPage] = await timed(() => store.invoicePage('bench', { ...query, status: [...query.status] }));
  const pageWarm: number[] = [];
  for (let round = 0; round < 9; round++) pageWarm.push((await timed(() => store.invoicePage('bench', { ...query, status: [...query.status] })))[0]);
  const pageAfterEdit: number[] = [];
  for (let round = 0; round < 5; round++) {
    await editOnce(store, manualInvoiceId(1 + round * 37), round);
    pageAfterEdit.push((await timed(() => store.invoicePage('bench', { ...query, status: [...query.status] })))[0]);
  }
  const lookupWarm: number[] = [];
  for (let round = 0; round < 9; round++) {
    lookupWarm.push((await timed(() => store.invoicesByNumber('bench', 'V-1100', `INV-${1000 + round}`)))[0]);
  }
  console.log(`counts (${(await store.invoiceCounts('bench')).total} invoices), running process: ${ms(median(countsWarm))}`);
  console.log(
    `page of 50 (2 statuses, 1 queue, text, sorted by vendor desc; ${firstPage.total} match): ${ms(pageFirst)} first in this order, ` +
      `${ms(median(pageWarm))} again, ${ms(median(pageAfterEdit))} after an edit`,
  );
  console.log(`duplicate-number lookup, running process: ${ms(median(lookupWarm))}`);

  // A new process: node and tsx start, open the store, read the head; then one invoice and its duplicate lookup.
  const probes: Awaited<ReturnType<typeof runProbe>>[] = [];
  for (let round = 0; round < 5; round++) probes.push(await runProbe([dir, manualInvoiceId(500 * (round + 1))]));
  const pick = (key: string) => median(probes.map((probe) => probe.result[key]!));
  console.log(
    `new process (node + tsx start, Store.open, then): counts ${ms(pick('countsMs'))}; read one invoice + its duplicate lookup ${ms(pick('validateReadMs'))} ` +
      `(${probes[0]!.result.twins} rows); Store.open ${ms(pick('openMs'))}; whole process ${ms(median(probes.map((probe) => probe.wallMs)))}`,
  );

  const first = await runProbe([dir, manualInvoiceId(1), 'page']);
  console.log(
    `first page in a new process (reads and decodes every row, sorts once): ${ms(first.result.firstPageMs!)}; ` +
      `the vault's rows then take ${first.result.heapMb!.toFixed(0)} MB of heap`,
  );

  const [rebuildMs, rebuilt] = await timed(() => store.rebuildIndex('bench'));
  console.log(`full index rebuild from the shards: ${ms(rebuildMs)} (${rebuilt.invoices} invoices)`);

  const scan = await runProbe([dir, manualInvoiceId(1), 'scan']);
  console.log(
    `scan of the whole vault (${scan.result.scanned} invoices) in a new process: ${ms(scan.result.scanMs!)}, peak RSS ${(scan.result.maxRssKb! / 1024).toFixed(0)} MB`,
  );

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
  const total = (await store.invoiceCounts('bench')).total;
  console.log(`\nimport 1,000 invoices into a vault of ${size}: ${oneByOne.toFixed(2)} s one transaction each; ${batched.toFixed(2)} s in one transaction (vault now ${total})`);
  // What still reads every invoice: store.invoices().
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
  console.log(`store.invoices() of the whole vault (${total}): ${ms(cold)} in a new Store; ${ms(median(warm))} in a running one after an edit`);
  console.log(`load average at the end: ${load()}`);
  await rm(dir, { recursive: true, force: true });
}
