// A row segment file of the invoice index: what is written is read back field for field, and a
// file that is not whole, of another format or changed on disk is refused, not misread.
import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { newDocument } from '../../source/domain/invoice.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { cents } from '../../source/domain/money.js';
import { SHARDS_PER_SEGMENT } from '../../source/store/layout.js';
import { plainRow, rowOf, type IndexRow } from '../../source/store/index-rows.js';
import { crc32Portable, encodeSegment, SegmentFileError, SegmentTable } from '../../source/store/index-segment.js';
import { invoiceFor, plain, random } from './index-fixtures.js';

const FORMAT = 3;
const vault = 'v1' as VaultId;

/** Rows spread over the shards of segment 2, as the index keeps them. */
function segmentRows(rows: readonly IndexRow[]): Map<number, IndexRow[]> {
  const byShard = new Map<number, IndexRow[]>();
  rows.forEach((row, n) => {
    const shard = 2 * SHARDS_PER_SEGMENT + ((n * 7) % SHARDS_PER_SEGMENT);
    const list = byShard.get(shard) ?? [];
    list.push(row);
    byShard.set(shard, list);
  });
  return byShard;
}

const asPlain = (rows: ReadonlyMap<number, readonly IndexRow[]>) =>
  Object.fromEntries([...rows].sort(([a], [b]) => a - b).map(([shard, list]) => [shard, plain(list.map(plainRow))]));

describe('a row segment file', () => {
  it('gives back every field of every row, by shard, nulls and texts outside ASCII included', () => {
    const next = random(3);
    const rows = Array.from({ length: 200 }, (_, n) => rowOf(invoiceFor('v1', n + 1, next)));
    const odd = newDocument({ id: 'INV-999999' as InvoiceId, vaultId: vault, queueId: 'inbox' as QueueId, source: { kind: 'manual' }, attachments: [], user: 'pat', now: '2026-01-01T00:00:00.000Z', detail: 'added' });
    odd.header.vendor = 'Béton Québec — 混凝土 🏗';
    odd.header.description = '';
    odd.header.total = cents(-12_345);
    (odd.header as { creditMemo?: boolean }).creditMemo = false;
    rows.push(rowOf(odd));
    const written = segmentRows(rows);
    const table = new SegmentTable(encodeSegment(written, 2, 1_764_000_000_123, FORMAT), vault, FORMAT);
    expect(table.generation).toBe(1_764_000_000_123);
    const read = table.rowsByShard(2);
    expect(asPlain(read)).toEqual(asPlain(written));
    const back = [...read.values()].flat().find((row) => row.id === 'INV-999999')!;
    expect([back.vendor, back.description, back.total, back.creditMemo, back.invoiceNumber, back.vaultId]).toEqual(['Béton Québec — 混凝土 🏗', '', -12_345, false, null, 'v1']);
    // Credit memo said and not said are told apart.
    expect(new Set([...read.values()].flat().map((row) => row.creditMemo))).toEqual(new Set([undefined, true, false]));
  });

  it('holds more texts than two-byte codes can name', () => {
    // Four texts of their own per row (id, number, description, updated): 20,000 rows make more than 65,535.
    const next = random(4);
    const rows = Array.from({ length: 20_000 }, (_, n) => {
      const invoice = invoiceFor('v1', n + 1, next);
      invoice.header.invoiceNumber = `N-${n}`;
      invoice.header.description = `work item ${n}`;
      return rowOf(invoice);
    });
    const written = segmentRows(rows);
    const file = encodeSegment(written, 2, 7, FORMAT);
    expect(file.readUInt32LE(24)).toBe(4);
    // Compared as text: a deep comparison of 20,000 rows takes seconds.
    expect(JSON.stringify(asPlain(new SegmentTable(file, vault, FORMAT).rowsByShard(2))) === JSON.stringify(asPlain(written))).toBe(true);
  });

  it('is refused when cut short, changed, of another format or not a segment at all', () => {
    const next = random(5);
    const file = encodeSegment(segmentRows(Array.from({ length: 50 }, (_, n) => rowOf(invoiceFor('v1', n + 1, next)))), 2, 9, FORMAT);
    const refusal = (bytes: Buffer, format = FORMAT) => {
      try {
        new SegmentTable(bytes, vault, format);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(SegmentFileError);
        return (error as Error).message;
      }
    };
    expect(refusal(file)).toBeNull();
    expect(refusal(file.subarray(0, file.length - 1))).toMatch(/checksum/);
    expect(refusal(file.subarray(0, 40))).toMatch(/not an index segment file|checksum/);
    for (const at of [8, 16, 40, 200, file.length - 3]) {
      const changed = Buffer.from(file);
      changed[at]! ^= 1;
      expect(refusal(changed), `byte ${at}`).toMatch(/checksum/);
    }
    expect(refusal(file, 4)).toBe('is of index format 3, not 4');
    expect(refusal(Buffer.from('{"format":2,"generation":9,"shards":{}}'))).toBe('is not an index segment file');
    // Rows of a shard of another segment are a caller's mistake, not something to drop quietly.
    expect(() => encodeSegment(new Map([[0, [rowOf(invoiceFor('v1', 1, next))]]]), 2, 9, FORMAT)).toThrow(/outside index segment 2/);
    // A file that starts on an odd byte of its buffer (a pooled read) is read all the same.
    const shifted = Buffer.concat([Buffer.alloc(3), file]).subarray(3);
    expect(asPlain(new SegmentTable(shifted, vault, FORMAT).rowsByShard(2))).toEqual(asPlain(new SegmentTable(file, vault, FORMAT).rowsByShard(2)));
  });

  it('checks itself with the CRC-32 zlib computes, on a Node without zlib.crc32 too', () => {
    const check = Buffer.from('123456789');
    expect(crc32Portable(check)).toBe(0xcbf43926);
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, n) => (n * 31) % 256));
    const zlibCrc = (zlib as { crc32?: (data: Uint8Array, previous?: number) => number }).crc32;
    if (zlibCrc) {
      expect(crc32Portable(bytes)).toBe(zlibCrc(bytes));
      expect(crc32Portable(bytes.subarray(1000), crc32Portable(bytes.subarray(0, 1000)))).toBe(zlibCrc(bytes));
    }
    expect(crc32Portable(bytes.subarray(1000), crc32Portable(bytes.subarray(0, 1000)))).toBe(crc32Portable(bytes));
  });
});
