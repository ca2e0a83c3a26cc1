// One row segment of a vault's invoice index as stored: the rows of 16 shards column by column,
// each text once in a string table, under a checksum. Read back, a row decodes a field only when
// it is asked for, so a new process's first page costs the columns it filters and sorts on and the
// rows it shows, not 18 fields of every row parsed from JSON.
import zlib from 'node:zlib';
import type { InvoiceStatus } from '../domain/invoice.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from '../domain/ids.js';
import type { Cents } from '../domain/money.js';
import { SHARDS_PER_SEGMENT } from './layout.js';
import { searchTextOf, type IndexColumn, type IndexRow, type SourceKind } from './index-rows.js';

// The file, all numbers little-endian:
//   0  "APIX"                 32  rows of each of the segment's 16 shards, u32 each
//   4  format, u32            96  total of each row, f64 (NaN: none), 8-byte aligned like every block
//   8  generation, f64            credit memo of each row, u8 (0: not said, 1: no, 2: yes)
//  16  rows, u32                  each text column: a code per row, u16 or u32 (0: none, n: text n-1)
//  20  texts, u32                 where each text starts, u32 × (texts + 1), counted in UTF-16 units
//  24  code width (2 or 4)        the texts, UTF-8, one after another, to the end of the file
//  28  CRC-32 of the file but these 4 bytes
// Rows are stored shard by shard, in shard order. The texts are decoded in one go and each is a
// slice of that (hence offsets in UTF-16 units, a JavaScript string's). A lone surrogate half
// (never valid text) comes back as U+FFFD.

const MAGIC = 0x58495041; // "APIX" read as a little-endian u32
const HEADER = 32 + 4 * SHARDS_PER_SEGMENT;
const CHECKSUM_AT = 28;

/** The text columns, in the order their codes are stored. */
const TEXT_COLUMNS = [
  'id',
  'queueId',
  'status',
  'vendor',
  'invoiceNumber',
  'invoiceDate',
  'dueDate',
  'createdAt',
  'updatedAt',
  'source',
  'procoreCompanyId',
  'procoreRequisitionId',
  'job',
  'message',
  'description',
  'fileHash',
] as const satisfies readonly IndexColumn[];

const columnOf = (name: (typeof TEXT_COLUMNS)[number]) => TEXT_COLUMNS.indexOf(name);
const ID = columnOf('id');
const QUEUE = columnOf('queueId');
const STATUS = columnOf('status');
const VENDOR = columnOf('vendor');
const NUMBER = columnOf('invoiceNumber');
const DATE = columnOf('invoiceDate');
const DUE = columnOf('dueDate');
const CREATED = columnOf('createdAt');
const UPDATED = columnOf('updatedAt');
const SOURCE = columnOf('source');
const COMPANY = columnOf('procoreCompanyId');
const REQUISITION = columnOf('procoreRequisitionId');
const JOB = columnOf('job');
const MESSAGE = columnOf('message');
const DESCRIPTION = columnOf('description');
const FILE_HASH = columnOf('fileHash');

/** A segment file that cannot be read as one; the message says why, after the file's name. */
export class SegmentFileError extends Error {
  constructor(what: string) {
    super(what);
    this.name = 'SegmentFileError';
  }
}

const align8 = (n: number) => (n + 7) & ~7;

/** Where each block of a file with these counts starts, and where the file ends. */
function blocksOf(rows: number, texts: number, width: number, textBytes = 0) {
  let at = HEADER;
  const take = (bytes: number) => {
    const start = at;
    at = align8(at + bytes);
    return start;
  };
  const totals = take(rows * 8);
  const creditMemo = take(rows);
  const codes = TEXT_COLUMNS.map(() => take(rows * width));
  const offsets = take((texts + 1) * 4);
  return { totals, creditMemo, codes, offsets, text: at, end: at + textBytes };
}

// ---- the checksum ----

let crcTable: Uint32Array | null = null;

/** CRC-32 (the one zlib and zip use), for a Node without zlib.crc32 (before 20.15). */
export function crc32Portable(data: Uint8Array, previous = 0): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

const crc32: (data: Uint8Array, previous?: number) => number =
  (zlib as { crc32?: (data: Uint8Array, previous?: number) => number }).crc32 ?? crc32Portable;

/** The file's checksum: every byte but the 4 that hold it. */
function checksumOf(file: Uint8Array): number {
  return crc32(file.subarray(CHECKSUM_AT + 4), crc32(file.subarray(0, CHECKSUM_AT)));
}

// ---- writing ----

/** A segment's file: `rows` maps each of its shards to that shard's rows. */
export function encodeSegment(rows: ReadonlyMap<number, readonly IndexRow[]>, segment: number, generation: number, format: number): Buffer {
  const ordered: IndexRow[] = [];
  const shardRows: number[] = [];
  for (let i = 0; i < SHARDS_PER_SEGMENT; i++) {
    const list = rows.get(segment * SHARDS_PER_SEGMENT + i) ?? [];
    shardRows.push(list.length);
    ordered.push(...list);
  }
  const given = [...rows.values()].reduce((sum, list) => sum + list.length, 0);
  if (given !== ordered.length) throw new Error(`rows of a shard outside index segment ${segment} were given to it`);
  const n = ordered.length;
  const texts: string[] = [];
  const known = new Map<string, number>();
  const codes = TEXT_COLUMNS.map(() => new Uint32Array(n));
  for (let at = 0; at < n; at++) {
    const row = ordered[at]!;
    for (let c = 0; c < TEXT_COLUMNS.length; c++) {
      const value = row[TEXT_COLUMNS[c]!] as string | null | undefined;
      if (value === null || value === undefined) continue;
      let code = known.get(value);
      if (code === undefined) {
        texts.push(value);
        code = texts.length;
        known.set(value, code);
      }
      codes[c]![at] = code;
    }
  }
  const width = texts.length <= 0xffff ? 2 : 4;
  const joined = texts.join('');
  const blocks = blocksOf(n, texts.length, width, Buffer.byteLength(joined, 'utf8'));
  const file = Buffer.alloc(blocks.end);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, format, true);
  view.setFloat64(8, generation, true);
  view.setUint32(16, n, true);
  view.setUint32(20, texts.length, true);
  view.setUint32(24, width, true);
  shardRows.forEach((count, i) => view.setUint32(32 + 4 * i, count, true));
  const totals = new Float64Array(n);
  for (let at = 0; at < n; at++) {
    const row = ordered[at]!;
    totals[at] = row.total ?? Number.NaN;
    file[blocks.creditMemo + at] = row.creditMemo === undefined ? 0 : row.creditMemo ? 2 : 1;
  }
  put(file, blocks.totals, totals);
  codes.forEach((column, c) => put(file, blocks.codes[c]!, width === 2 ? Uint16Array.from(column) : column));
  const offsets = new Uint32Array(texts.length + 1);
  for (let k = 0; k < texts.length; k++) offsets[k + 1] = offsets[k]! + texts[k]!.length;
  put(file, blocks.offsets, offsets);
  file.write(joined, blocks.text, 'utf8');
  view.setUint32(CHECKSUM_AT, checksumOf(file), true);
  return file;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies numbers into the file at `start`, little-endian whatever this machine's order. */
function put(file: Buffer, start: number, numbers: Uint16Array | Uint32Array | Float64Array): void {
  const bytes = Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength);
  if (LITTLE_ENDIAN) {
    bytes.copy(file, start);
    return;
  }
  const swapped = Buffer.from(bytes);
  if (numbers.BYTES_PER_ELEMENT === 2) swapped.swap16();
  else if (numbers.BYTES_PER_ELEMENT === 4) swapped.swap32();
  else swapped.swap64();
  swapped.copy(file, start);
}

// ---- reading ----

/** A typed array over part of the file, in this machine's byte order (a copy on a big-endian one). */
function numbers<T>(file: Buffer, start: number, count: number, size: 1 | 2 | 4 | 8, make: (buffer: ArrayBufferLike, offset: number, length: number) => T): T {
  if (LITTLE_ENDIAN || size === 1) return make(file.buffer, file.byteOffset + start, count);
  const copy = Buffer.from(file.subarray(start, start + count * size));
  if (size === 2) copy.swap16();
  else if (size === 4) copy.swap32();
  else copy.swap64();
  return make(copy.buffer, copy.byteOffset, count);
}

/** A segment file read: its columns, and its texts decoded in one go, each sliced out the first time a row asks for it. */
export class SegmentTable {
  readonly generation: number;
  /** Rows of each of the segment's shards, in shard order. */
  readonly shardRows: number[];
  readonly rows: number;
  private readonly totals: Float64Array;
  private readonly creditMemos: Uint8Array;
  private readonly codes: (Uint16Array | Uint32Array)[];
  private readonly offsets: Uint32Array;
  /** Every text, one after another: one decode of the file, of which each text is a slice. */
  private readonly joined: string;
  private readonly texts: (string | undefined)[];

  /** Throws SegmentFileError when the bytes are not a whole, unchanged segment file of `format`. */
  constructor(
    file: Buffer,
    readonly vaultId: VaultId,
    format: number,
  ) {
    if (file.length < HEADER || file.readUInt32LE(0) !== MAGIC) throw new SegmentFileError('is not an index segment file');
    const written = file.readUInt32LE(4);
    if (written !== format) throw new SegmentFileError(`is of index format ${written}, not ${format}`);
    if (file.readUInt32LE(CHECKSUM_AT) !== checksumOf(file)) throw new SegmentFileError('was damaged (its checksum does not match its bytes)');
    // Typed arrays need their alignment: a file read into a shared buffer may not start on 8 bytes.
    if (file.byteOffset % 8 !== 0) file = Buffer.from(new Uint8Array(file));
    this.generation = file.readDoubleLE(8);
    this.rows = file.readUInt32LE(16);
    const texts = file.readUInt32LE(20);
    const width = file.readUInt32LE(24);
    this.shardRows = Array.from({ length: SHARDS_PER_SEGMENT }, (_, i) => file.readUInt32LE(32 + 4 * i));
    const cannot = (why: string) => new SegmentFileError(`holds rows that cannot be read (${why})`);
    if (width !== 2 && width !== 4) throw cannot(`codes of ${width} bytes`);
    if (this.shardRows.reduce((sum, n) => sum + n, 0) !== this.rows) throw cannot('its shards do not add up to its rows');
    const blocks = blocksOf(this.rows, texts, width);
    if (blocks.text > file.length) throw cannot('it is shorter than its rows need');
    this.offsets = numbers(file, blocks.offsets, texts + 1, 4, (b, o, l) => new Uint32Array(b, o, l));
    this.joined = file.toString('utf8', blocks.text);
    if (this.offsets[texts] !== this.joined.length) throw cannot('its texts are not the length it says');
    for (let k = 0; k < texts; k++) if (this.offsets[k]! > this.offsets[k + 1]!) throw cannot('its texts overlap');
    this.totals = numbers(file, blocks.totals, this.rows, 8, (b, o, l) => new Float64Array(b, o, l));
    this.creditMemos = numbers(file, blocks.creditMemo, this.rows, 1, (b, o, l) => new Uint8Array(b, o, l));
    this.codes = blocks.codes.map((start) =>
      width === 2 ? numbers(file, start, this.rows, 2, (b, o, l) => new Uint16Array(b, o, l)) : numbers(file, start, this.rows, 4, (b, o, l) => new Uint32Array(b, o, l)),
    );
    if (this.codes[ID]!.includes(0)) throw cannot('a row has no id');
    this.texts = new Array<string | undefined>(texts);
  }

  text(column: number, at: number): string | null {
    const code = this.codes[column]![at]!;
    if (code === 0) return null;
    let text = this.texts[code - 1];
    if (text === undefined) {
      // The checksum held, so the file is as written: a code past the texts is a writer's bug.
      if (code > this.texts.length) throw new Error(`an index segment row names text ${code} of ${this.texts.length}`);
      text = this.joined.slice(this.offsets[code - 1], this.offsets[code]);
      this.texts[code - 1] = text;
    }
    return text;
  }

  total(at: number): Cents | null {
    const total = this.totals[at]!;
    return Number.isNaN(total) ? null : (total as Cents);
  }

  creditMemo(at: number): boolean | undefined {
    const value = this.creditMemos[at];
    return value === 0 ? undefined : value === 2;
  }

  /** The rows, by shard: the segment's first shard is `segment * 16`. */
  rowsByShard(segment: number): Map<number, IndexRow[]> {
    const rows = new Map<number, IndexRow[]>();
    let at = 0;
    this.shardRows.forEach((count, i) => {
      if (count === 0) return;
      const list: IndexRow[] = new Array(count);
      for (let k = 0; k < count; k++) list[k] = new StoredRow(this, at++);
      rows.set(segment * SHARDS_PER_SEGMENT + i, list);
    });
    return rows;
  }
}

/**
 * A row of a segment file: its fields are read from the file's columns when asked for. Handed
 * out of the store only as a plain row (plainRow): spread or serialised, it would be empty.
 */
class StoredRow implements IndexRow {
  readonly #table: SegmentTable;
  readonly #at: number;
  #search: string | undefined;

  constructor(table: SegmentTable, at: number) {
    this.#table = table;
    this.#at = at;
  }

  get id(): InvoiceId {
    return this.#table.text(ID, this.#at) as InvoiceId;
  }
  get vaultId(): VaultId {
    return this.#table.vaultId;
  }
  get queueId(): QueueId {
    return this.#table.text(QUEUE, this.#at) as QueueId;
  }
  get status(): InvoiceStatus {
    return this.#table.text(STATUS, this.#at) as InvoiceStatus;
  }
  get vendor(): string | null {
    return this.#table.text(VENDOR, this.#at);
  }
  get invoiceNumber(): string | null {
    return this.#table.text(NUMBER, this.#at);
  }
  get total(): Cents | null {
    return this.#table.total(this.#at);
  }
  get invoiceDate(): string | null {
    return this.#table.text(DATE, this.#at);
  }
  get dueDate(): string | null {
    return this.#table.text(DUE, this.#at);
  }
  get createdAt(): string {
    return this.#table.text(CREATED, this.#at) ?? '';
  }
  get updatedAt(): string {
    return this.#table.text(UPDATED, this.#at) ?? '';
  }
  get source(): SourceKind {
    return this.#table.text(SOURCE, this.#at) as SourceKind;
  }
  get procoreCompanyId(): ProcoreId | null {
    return this.#table.text(COMPANY, this.#at) as ProcoreId | null;
  }
  get procoreRequisitionId(): ProcoreId | null {
    return this.#table.text(REQUISITION, this.#at) as ProcoreId | null;
  }
  get job(): string | null {
    return this.#table.text(JOB, this.#at);
  }
  get message(): string | null {
    return this.#table.text(MESSAGE, this.#at);
  }
  get description(): string | null {
    return this.#table.text(DESCRIPTION, this.#at);
  }
  get creditMemo(): boolean | undefined {
    return this.#table.creditMemo(this.#at);
  }
  get fileHash(): string | null {
    return this.#table.text(FILE_HASH, this.#at);
  }

  /** What a text filter looks in: made on the first text search and kept. */
  get search(): string {
    this.#search ??= searchTextOf(this);
    return this.#search;
  }
}
