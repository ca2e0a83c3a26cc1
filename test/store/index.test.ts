// The per-vault invoice index: kept in step with the shards by every commit, in one process and
// across processes, answering counts, lookups and pages; rebuilt (and said so) when missing,
// damaged or out of step.
import { describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../source/store/store.js';
import { layout, segmentOf, shardOf, keyShardOf } from '../../source/store/layout.js';
import { duplicateKey, plainRow, type IndexRow, type InvoiceQuery } from '../../source/store/index-rows.js';
import { SegmentTable } from '../../source/store/index-segment.js';
import { INDEX_FORMAT } from '../../source/store/vault-index.js';
import { newDocument } from '../../source/domain/invoice.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { tempDir } from '../helpers/temp.js';
import { STORE_OPTIONS, storeWithVault } from '../helpers/store.js';
import { exited, spawnHelper, waitForLine } from '../helpers/process.js';
import { edit, expected, expectedPage, expectIndexMatchesShards, invoiceFor, plain, random, randomPuts } from './index-fixtures.js';

function opened(dir: string) {
  const problems: string[] = [];
  return Store.open(dir, { ...STORE_OPTIONS, onProblem: (message) => problems.push(message) }).then((store) => ({ store, problems }));
}

/** A vault of `count` random invoices, put in a few transactions. */
async function vaultWith(count: number, seed = 1): Promise<{ dir: string; store: Store }> {
  const dir = await tempDir();
  const store = await storeWithVault(dir, 'v1');
  const next = random(seed);
  await store.transact(async (tx) => {
    for (let n = 1; n <= count; n++) await tx.putInvoice(invoiceFor('v1', n, next, tx.now));
  });
  return { dir, store };
}

async function indexFiles(dir: string): Promise<Record<string, unknown>> {
  const index = layout.indexDir(dir, 'v1');
  const files: Record<string, unknown> = {};
  for (const name of (await readdir(index)).filter((one) => one.endsWith('.json') || one.endsWith('.bin')).sort()) {
    if (name.endsWith('.bin')) {
      // A row segment: its rows by shard, read back the way the store reads them.
      const segment = parseInt(name.slice('rows-'.length, -'.bin'.length), 16);
      const rows = new SegmentTable(await readFile(join(index, name)), 'v1' as VaultId, INDEX_FORMAT).rowsByShard(segment);
      files[name] = Object.fromEntries([...rows].map(([shard, list]) => [shard, plain(list.map(plainRow))]));
      continue;
    }
    const parsed = JSON.parse(await readFile(join(index, name), 'utf8'));
    // Which write last touched a file differs between updates and a rebuild; what it holds may not.
    delete parsed.generation;
    delete parsed.segmentGens;
    delete parsed.keyGens;
    // Key order inside a file may differ between a rebuild and updates; the content may not.
    files[name] = name.startsWith('keys-') ? Object.fromEntries(Object.entries(parsed.keys).sort()) : parsed;
  }
  return files;
}

/** Changes one byte in the middle of a file, keeping its length. */
async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[Math.floor(bytes.length / 2)]! ^= 0x20;
  await writeFile(path, bytes);
}

describe('the invoice index', () => {
  it('equals a rebuild from the shards after random puts that change status, queue, vendor and number', async () => {
    const dir = await tempDir();
    const store = await storeWithVault(dir, 'v1');
    const ids = { next: 1 };
    await randomPuts(store, 'v1', 42, 60, ids);
    expect(ids.next).toBeGreaterThan(40);
    await expectIndexMatchesShards(store, 'v1');
    const incremental = await indexFiles(dir);
    // Another process opening the data dir reads the same answers from disk.
    await expectIndexMatchesShards(await Store.open(dir, STORE_OPTIONS), 'v1');
    await store.rebuildIndex('v1');
    expect(await indexFiles(dir)).toEqual(incremental);
  });

  it('stays in step when two processes write at once, editing the same invoices', async () => {
    const { dir, store } = await vaultWith(50, 7);
    const children = [
      spawnHelper('../store/index-writer.ts', [dir, '11', '40', '1000', 'strict']),
      spawnHelper('../store/index-writer.ts', [dir, '12', '40', '2000', 'strict']),
    ];
    const results = await Promise.all(children.map(exited));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0 });
    // The store of this process was warm before the others wrote: it must see their writes.
    await expectIndexMatchesShards(store, 'v1');
    const truth = await expected(store, 'v1');
    expect(truth.invoices.length).toBeGreaterThan(50 + 40);
    const before = await indexFiles(dir);
    await store.rebuildIndex('v1');
    expect(await indexFiles(dir)).toEqual(before);
  });

  it('counts per status, per queue and per both', async () => {
    const { store } = await vaultWith(120, 3);
    const counts = await store.invoiceCounts('v1');
    const truth = await expected(store, 'v1');
    expect(counts.total).toBe(120);
    for (const status of new Set(truth.rows.map((row) => row.status))) {
      expect(counts.byStatus[status]).toBe(truth.rows.filter((row) => row.status === status).length);
    }
    for (const queue of ['inbox', 'procore', 'scans']) {
      expect(counts.byQueue[queue]).toBe(truth.rows.filter((row) => row.queueId === queue).length);
      expect(counts.byQueueAndStatus[queue]?.pending ?? 0).toBe(truth.rows.filter((row) => row.queueId === queue && row.status === 'pending').length);
    }
    // An empty vault, and one that does not exist, count nothing.
    await storeWithVault(await tempDir(), 'v2').then(async (other) => expect((await other.invoiceCounts('v2')).total).toBe(0));
    expect((await store.invoiceCounts('nope')).total).toBe(0);
    expect(store.problems).toEqual([]);
  });

  it('finds the invoices with a vendor invoice number the way validation compares them', async () => {
    const dir = await tempDir();
    const store = await storeWithVault(dir, 'v1');
    const make = (id: string, vendor: string | null, number: string | null, status: 'pending' | 'rejected' = 'pending') => {
      const invoice = newDocument({ id: id as InvoiceId, vaultId: 'v1' as VaultId, queueId: 'inbox' as QueueId, source: { kind: 'manual' }, attachments: [], user: 'pat', now: 'now', detail: 'x' });
      invoice.header.vendor = vendor;
      invoice.header.invoiceNumber = number;
      invoice.status = status;
      return invoice;
    };
    await store.transact(async (tx) => {
      await tx.putInvoice(make('INV-000001', 'ABC-CON', 'A-100'));
      await tx.putInvoice(make('INV-000002', ' abc-con', 'a-100 ', 'rejected'));
      await tx.putInvoice(make('INV-000003', 'ABC-CON', 'A-101'));
      await tx.putInvoice(make('INV-000004', null, 'A-100'));
      await tx.putInvoice(make('INV-000005', 'XYZ', ''));
    });
    const found = await store.invoicesByNumber('v1', 'Abc-Con  ', ' A-100');
    expect(found.map((row) => [row.id, row.status])).toEqual([['INV-000001', 'pending'], ['INV-000002', 'rejected']]);
    expect(await store.invoicesByNumber('v1', null, 'A-100')).toEqual([]);
    expect(await store.invoicesByNumber('v1', 'XYZ', '  ')).toEqual([]);
    // Changing the number moves the invoice from one key to the other.
    await store.transact(async (tx) => {
      const invoice = (await tx.getInvoice('v1', 'INV-000001'))!;
      invoice.header.invoiceNumber = 'A-101';
      await tx.putInvoice(invoice);
    });
    expect((await store.invoicesByNumber('v1', 'abc-con', 'a-100')).map((row) => row.id)).toEqual(['INV-000002']);
    expect((await store.invoicesByNumber('v1', 'abc-con', 'a-101')).map((row) => row.id)).toEqual(['INV-000001', 'INV-000003']);
    expect(store.problems).toEqual([]);
  });

  it('says whether a Procore requisition was already imported', async () => {
    const { store } = await vaultWith(80, 5);
    const truth = await expected(store, 'v1');
    const imported = truth.invoices.filter((invoice) => invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual');
    expect(imported.length).toBeGreaterThan(5);
    for (const invoice of imported) {
      if (invoice.source.kind === 'manual' || invoice.source.kind === 'folder') continue;
      const { companyId, requisitionId } = invoice.source.procore;
      expect(await store.invoiceForRequisition('v1', companyId, requisitionId)).toBe(invoice.id);
      // The same requisition id in another company is another requisition.
      expect(await store.invoiceForRequisition('v1', companyId === '10' ? '30' : '40', requisitionId)).toBeUndefined();
    }
    expect(store.problems).toEqual([]);
  });

  it('pages rows filtered and sorted, with the id breaking ties and empty values last', async () => {
    const { store } = await vaultWith(300, 9);
    const { rows } = await expected(store, 'v1');
    // Written out plainly here, apart from the index's own filter and sort.
    const wanted = (query: InvoiceQuery) => {
      const statuses = query.status === undefined ? null : [query.status].flat();
      const text = query.text?.toLowerCase();
      const matching = rows.filter(
        (row) =>
          (statuses === null || statuses.includes(row.status)) &&
          (query.queueId === undefined || row.queueId === query.queueId) &&
          (query.vendor === undefined || row.vendor?.trim().toUpperCase() === query.vendor.trim().toUpperCase()) &&
          (query.source === undefined || [query.source].flat().includes(row.source)) &&
          (text === undefined ||
            [row.id, row.vendor, row.invoiceNumber, row.description].some((field) => field?.toLowerCase().includes(text))),
      );
      const column = query.sort ?? 'id';
      const sign = query.direction === 'desc' ? -1 : 1;
      matching.sort((a, b) => {
        const x = a[column] ?? null;
        const y = b[column] ?? null;
        if (x !== y) {
          if (x === null) return 1;
          if (y === null) return -1;
          return (x < y ? -1 : 1) * sign;
        }
        return a.id < b.id ? -1 : 1;
      });
      const offset = query.offset ?? 0;
      return { total: matching.length, rows: plain(matching.slice(offset, offset + (query.limit ?? 50))) };
    };
    const queries: InvoiceQuery[] = [
      {},
      { status: 'pending' },
      { status: ['pending', 'approved'], sort: 'total', direction: 'desc', limit: 20 },
      { queueId: 'inbox', sort: 'vendor', offset: 10, limit: 15 },
      { vendor: ' abc-con', sort: 'invoiceDate', direction: 'desc' },
      { text: 'SLAB', sort: 'updatedAt' },
      { text: 'inv-0001', sort: 'dueDate' },
      { source: ['procore-auto', 'procore-manual'], sort: 'job', direction: 'desc' },
      { sort: 'message', limit: 300 },
      { sort: 'creditMemo', direction: 'desc', limit: 300 },
      { status: 'paid', queueId: 'scans', text: 'a-1', offset: 2, limit: 3 },
      { offset: 290, limit: 50 },
    ];
    for (const query of queries) {
      const page = await store.invoicePage('v1', query);
      expect({ total: page.total, rows: plain(page.rows) }, JSON.stringify(query)).toEqual(wanted(query));
    }
    // Again after an edit: the kept orders are patched, not stale.
    await store.transact(async (tx) => {
      const invoice = (await tx.getInvoice('v1', 'INV-000150'))!;
      invoice.header.total = null;
      invoice.status = 'pending';
      await tx.putInvoice(invoice);
    });
    const fresh = await expected(store, 'v1');
    rows.splice(0, rows.length, ...fresh.rows);
    for (const query of queries) {
      const page = await store.invoicePage('v1', query);
      expect({ total: page.total, rows: plain(page.rows) }, JSON.stringify(query)).toEqual(wanted(query));
    }
    // And after many changes at once (merged by a sort rather than patched in place).
    await randomPuts(store, 'v1', 77, 1, { next: 301 });
    await store.transact(async (tx) => {
      const next = random(78);
      for (let n = 1; n <= 120; n++) {
        const invoice = (await tx.getInvoice('v1', `INV-${String(n * 2).padStart(6, '0')}`))!;
        edit(invoice, next);
        await tx.putInvoice(invoice);
      }
    });
    rows.splice(0, rows.length, ...(await expected(store, 'v1')).rows);
    for (const query of queries) {
      const page = await store.invoicePage('v1', query);
      expect({ total: page.total, rows: plain(page.rows) }, JSON.stringify(query)).toEqual(wanted(query));
    }
    expect(store.problems).toEqual([]);
  });

  it('keeps the pages of a few queries in step as rows move into, out of and within their filters', async () => {
    const { store } = await vaultWith(300, 21);
    // Few enough queries that all their orders stay kept: every edit patches them in place.
    const queries: InvoiceQuery[] = [
      { status: 'pending', sort: 'createdAt', limit: 40 },
      { status: ['pending', 'approved'], queueId: 'inbox', sort: 'total', direction: 'desc', offset: 5, limit: 10 },
      { text: 'slab', sort: 'vendor', limit: 300 },
      { sort: 'updatedAt', direction: 'desc', limit: 30 },
    ];
    const check = async (when: string) => {
      const { rows } = await expected(store, 'v1');
      for (const query of queries) {
        const page = await store.invoicePage('v1', query);
        expect({ total: page.total, rows: plain(page.rows) }, `${when}: ${JSON.stringify(query)}`).toEqual(expectedPage(rows, query));
        // A count of the same filter, without a page.
        expect((await store.invoicePage('v1', { ...query, limit: 0 })).total).toBe(page.total);
      }
    };
    await check('first');
    const pending = (await store.invoicePage('v1', { status: 'pending', limit: 3 })).rows.map((row) => row.id);
    const other = (await store.invoicePage('v1', { status: 'paid', limit: 3 })).rows.map((row) => row.id);
    await store.transact(async (tx) => {
      // Out of the pending filter, into it, and moved within it (a new total and description).
      const leaving = (await tx.getInvoice('v1', pending[0]!))!;
      leaving.status = 'approved';
      leaving.queueId = 'inbox' as QueueId;
      await tx.putInvoice(leaving);
      const arriving = (await tx.getInvoice('v1', other[0]!))!;
      arriving.status = 'pending';
      arriving.header.description = 'Slab on grade, again';
      await tx.putInvoice(arriving);
      const moving = (await tx.getInvoice('v1', pending[1]!))!;
      moving.header.total = null;
      moving.updatedAt = '2030-01-01T00:00:00.000Z';
      await tx.putInvoice(moving);
    });
    await check('after three edits');
    // Many at once: merged by a sort rather than patched one by one.
    await store.transact(async (tx) => {
      const next = random(5);
      for (let n = 1; n <= 150; n++) {
        const invoice = (await tx.getInvoice('v1', `INV-${String(n * 2).padStart(6, '0')}`))!;
        edit(invoice, next);
        await tx.putInvoice(invoice);
      }
    });
    await check('after 150 edits');
    expect(store.problems).toEqual([]);
  });

  it('gives the first rows of a query asked once (picked, not sorted) as a sort would, and again when asked twice', async () => {
    const { dir } = await vaultWith(400, 27);
    const store = await Store.open(dir, STORE_OPTIONS);
    const { rows } = await expected(store, 'v1');
    // Small pages of many matches, in orders with ties and empty values.
    const queries: InvoiceQuery[] = [
      { sort: 'createdAt', limit: 5 },
      { sort: 'total', direction: 'desc', offset: 3, limit: 7 },
      { sort: 'vendor', limit: 20 },
      { sort: 'creditMemo', direction: 'desc', offset: 1, limit: 4 },
      { status: ['pending', 'approved', 'paid', 'exported'], sort: 'invoiceDate', limit: 6 },
      { sort: 'job', direction: 'desc', limit: 1 },
    ];
    for (const round of ['picked', 'sorted and kept', 'kept']) {
      for (const query of queries) {
        const page = await store.invoicePage('v1', query);
        expect({ total: page.total, rows: plain(page.rows) }, `${round}: ${JSON.stringify(query)}`).toEqual(expectedPage(rows, query));
      }
    }
  });

  it('reads each segment once in a new process when a page and a count ask at the same time', async () => {
    const { dir } = await vaultWith(400, 5);
    const fresh = await Store.open(dir, STORE_OPTIONS);
    const head = JSON.parse(await readFile(layout.indexHead(dir, 'v1'), 'utf8'));
    const segments = head.segmentRows.filter((rows: number) => rows > 0).length;
    // What the console's Invoices pane asks on opening: its first page, and a count of one view.
    const [page, count] = await Promise.all([
      fresh.invoicePage('v1', { status: 'pending', sort: 'createdAt', limit: 20 }),
      fresh.invoicePage('v1', { status: 'unprocessed', source: 'procore-auto', limit: 0 }),
      fresh.invoiceCounts('v1'),
    ]);
    expect(fresh.indexFiles('v1').segmentsRead).toBe(segments);
    const { rows } = await expected(fresh, 'v1');
    expect({ total: page.total, rows: plain(page.rows) }).toEqual(expectedPage(rows, { status: 'pending', sort: 'createdAt', limit: 20 }));
    expect(count.total).toBe(rows.filter((row) => row.status === 'unprocessed' && row.source === 'procore-auto').length);
    expect(count.rows).toEqual([]);
  });

  it('keeps what an invoice row needs for the console', async () => {
    const { store } = await vaultWith(60, 11);
    const truth = await expected(store, 'v1');
    const invoice = truth.invoices.find((one) => one.validation && one.lines.length > 0)!;
    const row = (await store.indexRow('v1', invoice.id))!;
    expect(row.message).toBe('Invoice total is empty');
    expect(row.job).toBe(invoice.lines[0]!.job);
    expect(row.total).toBe(invoice.header.total);
    expect(row.vaultId).toBe('v1');
    const long = truth.invoices.find((one) => (one.header.description?.length ?? 0) > 200)!;
    expect((await store.indexRow('v1', long.id))!.description).toHaveLength(160);
    const failed = truth.invoices.find((one) => !one.validation && one.routing?.outcome === 'failed');
    if (failed) expect((await store.indexRow('v1', failed.id))!.message).toBe('no rule matched line 1');
    expect(store.problems).toEqual([]);
  });

  it('lets a transaction see its own puts in counts, lookups and pages before they are committed', async () => {
    const { store } = await vaultWith(30, 13);
    const before = await store.invoiceCounts('v1');
    const next = random(99);
    await store.transact(async (tx) => {
      const invoice = invoiceFor('v1', 500, next, tx.now);
      invoice.header.vendor = 'NEW-VENDOR';
      invoice.header.invoiceNumber = 'N-1';
      invoice.status = 'on-hold';
      await tx.putInvoice(invoice);
      expect((await tx.invoicesByNumber('v1', 'new-vendor', 'n-1')).map((row) => row.id)).toEqual(['INV-000500']);
      const counts = await tx.invoiceCounts('v1');
      expect(counts.total).toBe(before.total + 1);
      expect(counts.byStatus['on-hold']).toBe((before.byStatus['on-hold'] ?? 0) + 1);
      expect((await tx.invoicePage('v1', { vendor: 'NEW-VENDOR' })).rows.map((row) => row.id)).toEqual(['INV-000500']);
      // An edit of a committed invoice replaces its row, counted once.
      const old = (await tx.getInvoice('v1', 'INV-000001'))!;
      const was = old.status;
      old.status = was === 'paid' ? 'approved' : 'paid';
      await tx.putInvoice(old);
      const after = await tx.invoiceCounts('v1');
      expect(after.total).toBe(before.total + 1);
      expect(after.byStatus[was]).toBe((counts.byStatus[was] ?? 0) - 1);
      expect((await tx.indexRow('v1', 'INV-000001'))!.status).toBe(old.status);
      // Outside the transaction, nothing of it yet.
      expect(await store.invoicesByNumber('v1', 'new-vendor', 'n-1')).toEqual([]);
      expect((await store.invoiceCounts('v1')).total).toBe(before.total);
    });
    expect((await store.invoicesByNumber('v1', 'new-vendor', 'n-1')).map((row) => row.id)).toEqual(['INV-000500']);
    await expectIndexMatchesShards(store, 'v1');
  });

  it('scans every invoice of a vault shard by shard', async () => {
    const { store, dir } = await vaultWith(200, 17);
    const fresh = await Store.open(dir, STORE_OPTIONS);
    const seen: string[] = [];
    for await (const invoice of fresh.scanInvoices('v1')) seen.push(invoice.id);
    expect(seen.sort()).toEqual((await store.invoices('v1')).map((invoice) => invoice.id).sort());
    const none: string[] = [];
    for await (const invoice of fresh.scanInvoices('nope')) none.push(invoice.id);
    expect(none).toEqual([]);
    expect([...store.problems, ...fresh.problems]).toEqual([]);
  });
});

describe('an index that cannot be used', () => {
  it('is rebuilt when missing, with a message, and not when the vault has no invoices', async () => {
    const { dir } = await vaultWith(100, 19);
    await rm(layout.indexDir(dir, 'v1'), { recursive: true });
    const { store, problems } = await opened(dir);
    expect((await store.invoiceCounts('v1')).total).toBe(100);
    expect(problems).toEqual([expect.stringMatching(/^the invoice index of vault 'v1' was missing; rebuilt it from all its invoice files \(100 invoices, /)]);
    await expectIndexMatchesShards(store, 'v1');
    const empty = await opened(await tempDir());
    expect((await empty.store.invoiceCounts('v9')).total).toBe(0);
    expect(empty.problems).toEqual([]);
  });

  it('is rebuilt when a segment, a key file or the head is damaged or missing', async () => {
    const { dir } = await vaultWith(150, 23);
    const truth = await expected(await Store.open(dir, STORE_OPTIONS), 'v1');
    const target = truth.invoices.find((invoice) => duplicateKey(invoice.header.vendor, invoice.header.invoiceNumber))!;
    const key = duplicateKey(target.header.vendor, target.header.invoiceNumber)!;
    const damages: [string, () => Promise<void>][] = [
      ['segment damaged', () => writeFile(layout.indexSegment(dir, 'v1', segmentOf(shardOf(target.id))), '{"format":1,"sha')],
      ['segment missing', () => unlink(layout.indexSegment(dir, 'v1', segmentOf(shardOf(target.id))))],
      // One byte changed (a torn write, a bad disk block): the file still has the right length and form.
      ['segment with a byte changed', () => flipByte(layout.indexSegment(dir, 'v1', segmentOf(shardOf(target.id))))],
      ['key file damaged', () => writeFile(layout.indexKeys(dir, 'v1', keyShardOf(key)), 'nonsense')],
      ['key file emptied', () => writeFile(layout.indexKeys(dir, 'v1', keyShardOf(key)), '{"keys":{}}')],
      ['head damaged', () => writeFile(layout.indexHead(dir, 'v1'), '{')],
      ['head from elsewhere', () => writeFile(layout.indexHead(dir, 'v1'), '{"format":99}')],
    ];
    for (const [label, damage] of damages) {
      await damage();
      const { store, problems } = await opened(dir);
      const found = await store.invoicesByNumber('v1', target.header.vendor, target.header.invoiceNumber);
      expect(found.map((row) => row.id), label).toContain(target.id);
      expect(problems, label).toHaveLength(1);
      expect(problems[0], label).toMatch(/^the invoice index of vault 'v1' could not be used: .* rebuilt it from /);
      await expectIndexMatchesShards(store, 'v1');
    }
  });

  it('is rebuilt when an earlier apdesk wrote it (index format 2, JSON row segments), which goes', async () => {
    const { dir } = await vaultWith(80, 53);
    const head = JSON.parse(await readFile(layout.indexHead(dir, 'v1'), 'utf8'));
    await writeFile(layout.indexHead(dir, 'v1'), JSON.stringify({ ...head, format: 2 }));
    const former = join(layout.indexDir(dir, 'v1'), 'rows-00.json');
    await writeFile(former, JSON.stringify({ format: 2, generation: head.generation, shards: {} }));
    const { store, problems } = await opened(dir);
    expect((await store.invoiceCounts('v1')).total).toBe(80);
    expect(problems).toEqual([
      expect.stringMatching(/^the invoice index of vault 'v1' could not be used: .*head\.json is of index format 2, written by an earlier apdesk; rebuilt it from all its invoice files \(80 invoices, /),
    ]);
    expect((await readdir(layout.indexDir(dir, 'v1'))).filter((name) => name.startsWith('rows-') && !name.endsWith('.bin'))).toEqual([]);
    expect(JSON.parse(await readFile(layout.indexHead(dir, 'v1'), 'utf8')).format).toBe(INDEX_FORMAT);
    await expectIndexMatchesShards(store, 'v1');
  });

  it('is brought back in step after a commit that died between its shards and its index', async () => {
    const { dir, store } = await vaultWith(100, 29);
    // What a writer killed after the shards and before the index leaves: a note and a changed shard.
    const id = 'INV-000010';
    const shardPath = layout.shard(dir, 'v1', shardOf(id));
    const shard = JSON.parse(await readFile(shardPath, 'utf8'));
    shard.invoices[id].status = shard.invoices[id].status === 'paid' ? 'approved' : 'paid';
    shard.invoices[id].header.vendor = 'MOVED';
    shard.invoices[id].header.invoiceNumber = 'M-1';
    await mkdir(layout.indexPending(dir, 'v1'), { recursive: true });
    await writeFile(join(layout.indexPending(dir, 'v1'), 'deadbeef.json'), JSON.stringify({ shards: [shardOf(id)], reason: 'commit', at: 'then' }));
    await writeFile(shardPath, JSON.stringify(shard));
    const { store: next, problems } = await opened(dir);
    expect((await next.invoicesByNumber('v1', 'moved', 'm-1')).map((row) => row.id)).toEqual([id]);
    expect(problems).toEqual([expect.stringMatching(/was out of step with its invoices \(a write to it was interrupted\); rebuilt it from 1 invoice file /)]);
    expect(await readdir(layout.indexPending(dir, 'v1'))).toEqual([]);
    await expectIndexMatchesShards(next, 'v1');
    // The warm store of before sees it too.
    await expectIndexMatchesShards(store, 'v1');
  });

  it('is repaired under the transaction\'s own lock when a store read inside a transaction finds a note', async () => {
    const { dir } = await vaultWith(30, 47);
    await mkdir(layout.indexPending(dir, 'v1'), { recursive: true });
    await writeFile(join(layout.indexPending(dir, 'v1'), 'dead.json'), JSON.stringify({ shards: [shardOf('INV-000003')], reason: 'commit', at: 'then' }));
    const { store, problems } = await opened(dir);
    // Taking the lock again from inside would wait for itself: this must finish, and quickly.
    const counts = await store.transact(async () => store.invoiceCounts('v1'));
    expect(counts.total).toBe(30);
    expect(problems).toEqual([expect.stringContaining('a write to it was interrupted')]);
    expect(await readdir(layout.indexPending(dir, 'v1'))).toEqual([]);
  }, 20_000);

  it('takes a torn pending note for a whole rebuild', async () => {
    const { dir } = await vaultWith(40, 31);
    await mkdir(layout.indexPending(dir, 'v1'), { recursive: true });
    await writeFile(join(layout.indexPending(dir, 'v1'), 'torn.json'), '');
    const { store, problems } = await opened(dir);
    expect((await store.invoiceCounts('v1')).total).toBe(40);
    expect(problems[0]).toContain('rebuilt it from all its invoice files');
  });

  it('follows a shard brought back from its previous generation', async () => {
    const { dir, store } = await vaultWith(60, 37);
    const id = 'INV-000020';
    await store.transact(async (tx) => {
      const invoice = (await tx.getInvoice('v1', id))!;
      invoice.header.vendor = 'LATER';
      invoice.header.invoiceNumber = 'L-1';
      await tx.putInvoice(invoice);
    });
    expect((await store.invoicesByNumber('v1', 'later', 'l-1')).map((row) => row.id)).toEqual([id]);
    // The shard is damaged; its previous generation (before the edit) comes back.
    await writeFile(layout.shard(dir, 'v1', shardOf(id)), '{"invoices":');
    const { store: next, problems } = await opened(dir);
    expect((await next.invoice('v1', id))!.header.vendor).not.toBe('LATER');
    expect(await next.invoicesByNumber('v1', 'later', 'l-1')).toEqual([]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('was damaged');
    expect(problems[1]).toContain('an invoice file was brought back from its previous version');
    await expectIndexMatchesShards(next, 'v1');
  });

  it('is built by the migration to schema 4, quietly', async () => {
    const { dir } = await vaultWith(90, 41);
    await rm(layout.indexDir(dir, 'v1'), { recursive: true });
    const settings = JSON.parse(await readFile(layout.settings(dir), 'utf8'));
    settings.schemaVersion = 3;
    await writeFile(layout.settings(dir), JSON.stringify(settings));
    const { store, problems } = await opened(dir);
    expect((await store.settings()).migrations.at(-1)).toMatchObject({ version: 4 });
    expect(problems).toEqual([]);
    expect(await readdir(layout.indexDir(dir, 'v1'))).toContain('head.json');
    await expectIndexMatchesShards(store, 'v1');
  });
});

describe('the index and a killed writer', () => {
  it('is in step with the shards after writers are killed mid-commit', async () => {
    const { dir } = await vaultWith(50, 43);
    for (let round = 0; round < 3; round++) {
      const child = spawnHelper('../store/index-writer.ts', [dir, String(100 + round), '100000', String(10_000 * (round + 1))]);
      const done = exited(child);
      await waitForLine(child, 'ready');
      await new Promise((resolve) => setTimeout(resolve, 200 + round * 90));
      child.kill('SIGKILL');
      await done;
    }
    const { store, problems } = await opened(dir);
    // A writer killed inside a commit leaves a note; the first read works it off and says so.
    await store.invoiceCounts('v1');
    for (const problem of problems) expect(problem).toMatch(/was out of step with its invoices \((a write to it|a rebuild of it) was interrupted/);
    await expectIndexMatchesShards(store, 'v1');
    const rows: IndexRow[] = (await store.invoicePage('v1', { limit: 100_000 })).rows;
    expect(rows.length).toBeGreaterThan(50);
  });
});
