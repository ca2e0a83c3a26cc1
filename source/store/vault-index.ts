// A vault's invoice index on disk: a head (counts by queue and status, and which write last
// touched each other file and how many rows or ids it holds), 64 row segments of 16 shards each
// (column files, index-segment.ts), and 256 lookup-key files. A new process answers `status`
// from the head alone and a lookup from one key file and one segment; a running one re-reads
// only the files the head says moved.
//
// How the index stays in step with the invoice shards it describes:
//  - Only a transaction writes it, under the data-dir lock, in the same commit as the shards:
//    first a pending note naming the shards about to change, then the shards and the index files
//    side by side (segments and key files, the head after them, always rewritten with a new
//    generation), then the note goes. A rebuild writes a note too. So a note on disk means: a
//    write is under way, or one died — and while there is one, nothing depends on the order in
//    which the files under it were written.
//  - A reader takes no lock. It trusts what it read only if there was no note before and after,
//    and the head on disk is the one it started from (every write rewrites the head, so any write
//    that overlapped the read changed it). Otherwise it reads again; while a note stays, it takes
//    the lock, which waits out a live writer, and under it works off notes left behind by
//    re-reading the shards they name.
//  - A file that is missing, does not parse (a row segment: fails its checksum), or is not the
//    write or size the head names is rebuilt: a segment from its 16 shards, then counts and keys
//    from all the rows. A missing head (a vault from before the index) or one of another format
//    (an earlier apdesk's) means a full rebuild, which also removes the earlier row segments.
//  - A shard brought back from its previous generation no longer matches its rows: the recovery
//    leaves a note naming it before it touches the shard (store.ts), and the note is worked off
//    like any other.
//  - Index files and notes are not fsynced (the shards are). They can all be derived again; a
//    killed process loses nothing it wrote; and on a journaling filesystem the shard's fsync
//    makes the note that precedes it durable too. At worst a power cut leaves an index file torn
//    or from an older write, which the checks above catch.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CorruptFileError, JsonFile, sameVersion, versionOf, type FileVersion } from '../disk/json-file.js';
import type { Invoice } from '../domain/invoice.js';
import type { VaultId } from '../domain/ids.js';
import {
  KEY_SHARD_COUNT,
  SEGMENT_COUNT,
  SHARDS_PER_SEGMENT,
  keyShardOf,
  layout,
  segmentOf,
} from './layout.js';
import { addToCounts, Interner, keysOf, rowOf, RowSet, sameRow, type CountMatrix, type IndexRow } from './index-rows.js';
import { encodeSegment, SegmentFileError, SegmentTable } from './index-segment.js';

/**
 * 2: rows carry the hash of the file each document was made from, with a lookup key for it.
 * 3: row segments are column files (index-segment.ts), read a field at a time, not JSON.
 */
export const INDEX_FORMAT = 3;

export interface IndexHead {
  format: number;
  /**
   * Up on every write (and never back, even after a rebuild: it is at least the clock in ms):
   * a cheap "has anything changed" for a process that polls.
   */
  generation: number;
  counts: CountMatrix;
  /** Rows in each segment; a segment file exists exactly when its count is above 0. */
  segmentRows: number[];
  /** The generation each segment was last written in: a reader re-reads only those that moved. */
  segmentGens: number[];
  /** Invoice ids in each key file; likewise. */
  keyIds: number[];
  keyGens: number[];
}

interface KeyFile {
  generation: number;
  /** Lookup key → ids of the invoices that have it, sorted. */
  keys: Record<string, string[]>;
}

interface PendingNote {
  /** The shards whose rows may not match them; 'all' for a whole rebuild. */
  shards: number[] | 'all';
  reason: 'commit' | 'recovered' | 'rebuild';
  at: string;
}

export type SegmentRows = ReadonlyMap<number, readonly IndexRow[]>;
export type KeyMap = Readonly<Record<string, readonly string[]>>;

/** Index files are derived from the shards: see the opening comment for why they skip fsync. */
const DERIVED = { durable: false };

const EMPTY_SEGMENT: SegmentRows = new Map();
const EMPTY_KEYS: KeyMap = {};

/** Part of the index cannot be used as it is; `reread` says which shards rebuild it. */
export class IndexDamage extends Error {
  constructor(
    readonly what: string,
    readonly reread: number[] | 'all',
  ) {
    super(what);
    this.name = 'IndexDamage';
  }
}

export function emptyHead(): IndexHead {
  return {
    format: INDEX_FORMAT,
    generation: 0,
    counts: {},
    segmentRows: new Array<number>(SEGMENT_COUNT).fill(0),
    segmentGens: new Array<number>(SEGMENT_COUNT).fill(0),
    keyIds: new Array<number>(KEY_SHARD_COUNT).fill(0),
    keyGens: new Array<number>(KEY_SHARD_COUNT).fill(0),
  };
}

function nextGeneration(head: IndexHead | null): number {
  return Math.max((head?.generation ?? 0) + 1, Date.now());
}

const isList = (value: unknown, length: number) => Array.isArray(value) && value.length === length && value.every(Number.isInteger);

/** Why a parsed file is not a head: an index an earlier apdesk wrote is rebuilt like a damaged one, and said so. */
function notAHead(value: unknown): string {
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format < INDEX_FORMAT) return `is of index format ${format}, written by an earlier apdesk`;
  return 'is not in the form this apdesk writes';
}

function isHead(value: unknown): value is IndexHead {
  const head = value as IndexHead | null;
  return (
    head !== null &&
    typeof head === 'object' &&
    head.format === INDEX_FORMAT &&
    typeof head.generation === 'number' &&
    typeof head.counts === 'object' &&
    head.counts !== null &&
    isList(head.segmentRows, SEGMENT_COUNT) &&
    isList(head.segmentGens, SEGMENT_COUNT) &&
    isList(head.keyIds, KEY_SHARD_COUNT) &&
    isList(head.keyGens, KEY_SHARD_COUNT)
  );
}

export function shardsOfSegment(segment: number): number[] {
  return Array.from({ length: SHARDS_PER_SEGMENT }, (_, i) => segment * SHARDS_PER_SEGMENT + i);
}

/** An index file that must be there (the head says so): missing or unreadable is damage. */
async function readIndexFile<T>(path: string, damage: (what: string) => IndexDamage): Promise<T> {
  let data: T | null;
  try {
    data = await new JsonFile<T>(path).read();
  } catch (error) {
    if (error instanceof CorruptFileError) throw damage(`was damaged (${error.reason})`);
    throw error;
  }
  if (data === null) throw damage('is missing');
  return data;
}

// The look at the disk every read of the index makes (a stat, a small folder listing) is done
// synchronously: it costs microseconds, where a trip through Node's thread pool on a busy
// machine costs a millisecond or more.
function versionAt(path: string): FileVersion | null {
  try {
    return versionOf(statSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/**
 * Writes a file that is not JSON whole, as JsonFile writes one (a temp file of the same name
 * pattern, so a dead writer's is swept the same way, then a rename), without the fsync.
 */
async function writeDerivedFile(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.new.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

function countRows(rows: SegmentRows): number {
  let n = 0;
  for (const list of rows.values()) n += list.length;
  return n;
}

function countIds(keys: KeyMap): number {
  let n = 0;
  for (const ids of Object.values(keys)) n += ids.length;
  return n;
}

/**
 * One process's view of a vault's index files: each file parsed once and kept (rows decoded)
 * until the head names another write of it, and all rows as one RowSet for pages.
 */
export class VaultIndexFiles {
  readonly intern = new Interner();
  private headCache: { version: FileVersion; head: IndexHead } | null = null;
  /** Decoded files by the generation they were written in: one the head names is used without a look at the disk. */
  private readonly segments: ({ generation: number; rows: SegmentRows } | undefined)[] = new Array(SEGMENT_COUNT);
  private readonly keyFiles = new Map<number, { generation: number; keys: KeyMap }>();
  private rowSet: { set: RowSet; segments: SegmentRows[]; head: IndexHead } | null = null;
  /** Reads of segment files under way, by segment. */
  private readonly reading = new Map<number, { generation: number; rows: Promise<SegmentRows> }>();
  private building: { head: IndexHead; set: Promise<RowSet> } | null = null;
  /** Segment files read from disk and decoded by this process: tests and benchmarks read it. */
  segmentsRead = 0;

  constructor(
    readonly dataDir: string,
    readonly vaultId: VaultId,
  ) {}

  get headPath(): string {
    return layout.indexHead(this.dataDir, this.vaultId);
  }

  /** The head and the version of the file it came from; null when there is no index yet. */
  async readHead(): Promise<{ head: IndexHead; version: FileVersion } | null> {
    const path = this.headPath;
    const version = versionAt(path);
    if (version === null) {
      this.headCache = null;
      return null;
    }
    if (this.headCache && sameVersion(this.headCache.version, version)) return this.headCache;
    const file = new JsonFile<unknown>(path);
    let data: unknown;
    try {
      data = await file.read();
    } catch (error) {
      if (error instanceof CorruptFileError) throw new IndexDamage(`${path} was damaged (${error.reason})`, 'all');
      throw error;
    }
    if (data === null || !file.version) return null;
    if (!isHead(data)) throw new IndexDamage(`${path} ${notAHead(data)}`, 'all');
    this.headCache = { version: file.version, head: data };
    return this.headCache;
  }

  headVersion(): FileVersion | null {
    return versionAt(this.headPath);
  }

  /**
   * A segment's rows, checked against the head: the generation it names and the number of rows.
   * A mismatch is damage, or a write that overlapped the read (the reader tells which).
   */
  async readSegment(segment: number, head: IndexHead): Promise<SegmentRows> {
    const path = layout.indexSegment(this.dataDir, this.vaultId, segment);
    const expected = head.segmentRows[segment] ?? 0;
    if (expected === 0) return EMPTY_SEGMENT;
    const generation = head.segmentGens[segment]!;
    const damage = (what: string) => new IndexDamage(`${path} ${what}`, shardsOfSegment(segment));
    let cached = this.segments[segment];
    if (!cached || cached.generation !== generation) {
      // Callers that ask at once (the console's page and its counts) share one read of the file.
      let reading = this.reading.get(segment);
      if (!reading || reading.generation !== generation) {
        const rows = this.decodeSegment(path, segment, generation, damage);
        reading = { generation, rows };
        this.reading.set(segment, reading);
        const done = () => {
          if (this.reading.get(segment) === reading) this.reading.delete(segment);
        };
        rows.then(done, done);
      }
      const rows = await reading.rows;
      cached = this.segments[segment];
      if (!cached || cached.generation !== generation) {
        cached = { generation, rows };
        this.segments[segment] = cached;
      }
    }
    const held = countRows(cached.rows);
    if (held !== expected) throw damage(`holds ${held} rows where the index head counts ${expected}`);
    return cached.rows;
  }

  private async decodeSegment(path: string, segment: number, generation: number, damage: (what: string) => IndexDamage): Promise<SegmentRows> {
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw damage('is missing');
      throw error;
    }
    this.segmentsRead += 1;
    let table: SegmentTable;
    try {
      table = new SegmentTable(file, this.vaultId, INDEX_FORMAT);
    } catch (error) {
      if (error instanceof SegmentFileError) throw damage(error.message);
      throw error;
    }
    if (table.generation !== generation) throw damage(`is from write ${table.generation}, the index head names ${generation}`);
    return table.rowsByShard(segment);
  }

  async readKeys(keyShard: number, head: IndexHead): Promise<KeyMap> {
    const path = layout.indexKeys(this.dataDir, this.vaultId, keyShard);
    const expected = head.keyIds[keyShard] ?? 0;
    if (expected === 0) return EMPTY_KEYS;
    const generation = head.keyGens[keyShard];
    const damage = (what: string) => new IndexDamage(`${path} ${what}`, []);
    let cached = this.keyFiles.get(keyShard);
    if (!cached || cached.generation !== generation) {
      const data = await readIndexFile<KeyFile>(path, damage);
      if (typeof data.keys !== 'object' || data.keys === null || !Object.values(data.keys).every(Array.isArray)) {
        throw damage('is not in the form this apdesk writes');
      }
      if (data.generation !== generation) throw damage(`is from write ${data.generation}, the index head names ${generation}`);
      cached = { generation: data.generation, keys: data.keys };
      this.keyFiles.set(keyShard, cached);
    }
    const held = countIds(cached.keys);
    if (held !== expected) throw damage(`holds ${held} ids where the index head counts ${expected}`);
    return cached.keys;
  }

  /** The ids of the invoices with a lookup key. */
  async lookup(key: string, head: IndexHead): Promise<readonly string[]> {
    return (await this.readKeys(keyShardOf(key), head))[key] ?? [];
  }

  async row(shard: number, id: string, head: IndexHead): Promise<IndexRow | undefined> {
    return (await this.readSegment(segmentOf(shard), head)).get(shard)?.find((row) => row.id === id);
  }

  /** Every row, as a RowSet patched with only the segments that changed since the last call. */
  allRows(head: IndexHead): Promise<RowSet> {
    if (this.rowSet?.head === head) return Promise.resolve(this.rowSet.set);
    // Callers that ask at once for the same head share the work; one for another head waits its turn.
    if (this.building?.head === head) return this.building.set;
    const before = this.building?.set.catch(() => undefined);
    const set = (async () => {
      await before;
      return this.updateRows(head);
    })();
    const building = { head, set };
    this.building = building;
    const done = () => {
      if (this.building === building) this.building = null;
    };
    set.then(done, done);
    return set;
  }

  private async updateRows(head: IndexHead): Promise<RowSet> {
    if (this.rowSet?.head === head) return this.rowSet.set;
    const segments = await Promise.all(Array.from({ length: SEGMENT_COUNT }, (_, s) => this.readSegment(s, head)));
    if (!this.rowSet) {
      const rows: IndexRow[] = [];
      for (const segment of segments) for (const list of segment.values()) rows.push(...list);
      this.rowSet = { set: new RowSet(rows), segments, head };
      return this.rowSet.set;
    }
    const removed: IndexRow[] = [];
    const added: IndexRow[] = [];
    segments.forEach((segment, s) => {
      const before = this.rowSet!.segments[s]!;
      if (segment === before) return;
      // A rewritten segment keeps the row objects of its unchanged shards: only real changes move.
      const old = new Set<IndexRow>();
      for (const list of before.values()) for (const row of list) old.add(row);
      for (const list of segment.values()) for (const row of list) if (!old.delete(row)) added.push(row);
      removed.push(...old);
    });
    this.rowSet.set.replace(removed, added);
    this.rowSet.segments = segments;
    this.rowSet.head = head;
    return this.rowSet.set;
  }

  // ---- writing: only under the data-dir lock ----

  async writeSegment(segment: number, rows: ReadonlyMap<number, readonly IndexRow[]>, generation: number): Promise<number> {
    const path = layout.indexSegment(this.dataDir, this.vaultId, segment);
    const kept = new Map([...rows].filter(([, list]) => list.length > 0));
    if (kept.size === 0) {
      await removeFile(path);
      this.segments[segment] = undefined;
      return 0;
    }
    const file = encodeSegment(kept, segment, generation, INDEX_FORMAT);
    await writeDerivedFile(path, file);
    // The rows given stay this process's view of the segment: unchanged ones keep their objects.
    this.segments[segment] = { generation, rows: kept };
    return file.length;
  }

  async writeKeys(keyShard: number, keys: KeyMap, generation: number): Promise<number> {
    const path = layout.indexKeys(this.dataDir, this.vaultId, keyShard);
    if (Object.keys(keys).length === 0) {
      await removeFile(path);
      this.keyFiles.delete(keyShard);
      return 0;
    }
    const file = new JsonFile<KeyFile>(path, DERIVED);
    await file.write({ generation, keys: keys as Record<string, string[]> });
    this.keyFiles.set(keyShard, { generation, keys });
    return file.bytesWritten;
  }

  /** The head, last of a write (the index folder exists: the write's pending note is in it). */
  async writeHead(head: IndexHead): Promise<number> {
    const file = new JsonFile<IndexHead>(this.headPath, DERIVED);
    await file.write(head);
    this.headCache = { version: file.version!, head };
    return file.bytesWritten;
  }

  /** Removes the row segments of an earlier index format (JSON, before 3), once a rebuild has replaced them. */
  async removeEarlierSegments(): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(layout.indexDir(this.dataDir, this.vaultId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) if (/^rows-[0-9a-f]{2}\.json$/.test(name)) await removeFile(join(layout.indexDir(this.dataDir, this.vaultId), name));
  }

  // ---- pending notes ----

  get pendingDir(): string {
    return layout.indexPending(this.dataDir, this.vaultId);
  }

  pendingNotes(): string[] {
    try {
      return readdirSync(this.pendingDir).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** The shards a note names; 'all' when it cannot be read (a note torn by a crash). */
  async readPending(name: string): Promise<{ shards: number[] | 'all'; reason: PendingNote['reason'] | null }> {
    try {
      const note = await new JsonFile<PendingNote>(`${this.pendingDir}/${name}`).read();
      if (note === null) return { shards: [], reason: null };
      return { shards: note.shards === 'all' || Array.isArray(note.shards) ? note.shards : 'all', reason: note.reason };
    } catch (error) {
      if (error instanceof CorruptFileError) return { shards: 'all', reason: null };
      throw error;
    }
  }

  /** Written whole like every other file; one torn anyway (by hand) reads as "re-read everything". */
  async writePending(name: string, shards: number[] | 'all', reason: PendingNote['reason']): Promise<void> {
    const note: PendingNote = { shards, reason, at: new Date().toISOString() };
    const file = new JsonFile<PendingNote>(`${this.pendingDir}/${name}`, DERIVED);
    try {
      await file.write(note);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.pendingDir, { recursive: true });
      await file.write(note);
    }
  }

  async removePending(names: readonly string[]): Promise<void> {
    for (const name of names) await removeFile(`${this.pendingDir}/${name}`);
  }
}

/** Where a rebuild reads invoices: the shards as they are on disk. */
export interface ShardReader {
  /** Shard numbers with a file (or a previous generation) on disk. */
  onDisk(): Promise<number[]>;
  read(shard: number): Promise<Invoice[]>;
}

export interface IndexChanges {
  segments: Map<number, Map<number, IndexRow[]>>;
  keys: Map<number, Record<string, string[]>>;
  head: IndexHead;
}

export interface RebuildResult {
  invoices: number;
  shardsRead: number;
  ms: number;
}

/**
 * The index as one transaction sees and changes it, under the data-dir lock: settles what
 * readers found or earlier writers left, repairs damage it meets, and turns the shards a
 * commit changes into the index files to write.
 */
export class IndexWriter {
  private settled: Promise<void> | null = null;

  constructor(
    readonly files: VaultIndexFiles,
    private readonly shards: ShardReader,
    private readonly report: (message: string) => void,
    /** The note's name for this transaction's writes (its lock token). */
    private readonly noteName: string,
  ) {}

  private get vaultName(): string {
    return `vault '${this.files.vaultId}'`;
  }

  /** Works off notes left behind and builds a missing index (once per transaction). */
  settle(): Promise<void> {
    this.settled ??= this.settleNow().catch((error: unknown) => {
      this.settled = null;
      throw error;
    });
    return this.settled;
  }

  private async settleNow(): Promise<void> {
    const notes = this.files.pendingNotes();
    if (notes.length > 0) {
      let reread: Set<number> | 'all' = new Set();
      const reasons = new Set<string>();
      for (const name of notes) {
        const note = await this.files.readPending(name);
        if (note.shards === 'all') reread = 'all';
        else if (reread !== 'all') for (const shard of note.shards) reread.add(shard);
        reasons.add(
          note.reason === 'recovered'
            ? 'an invoice file was brought back from its previous version'
            : note.reason === 'rebuild'
              ? 'a rebuild of it was interrupted'
              : 'a write to it was interrupted',
        );
      }
      await this.rebuild(reread === 'all' ? 'all' : [...reread], `was out of step with its invoices (${[...reasons].join('; ')})`);
      await this.files.removePending(notes);
    }
    let head: IndexHead | null;
    try {
      head = (await this.files.readHead())?.head ?? null;
    } catch (error) {
      if (!(error instanceof IndexDamage)) throw error;
      await this.rebuild('all', `could not be used: ${error.what}`);
      return;
    }
    if (head === null && (await this.shards.onDisk()).length > 0) await this.rebuild('all', 'was missing');
  }

  /** Runs `use` on a usable index, repairing what it finds damaged (once per part). */
  async guarded<T>(use: (head: IndexHead) => Promise<T>): Promise<T> {
    await this.settle();
    for (let attempt = 0; ; attempt++) {
      try {
        const head = (await this.files.readHead())?.head ?? emptyHead();
        return await use(head);
      } catch (error) {
        if (!(error instanceof IndexDamage) || attempt >= 2) throw error;
        await this.rebuild(error.reread, `could not be used: ${error.what}`);
      }
    }
  }

  /**
   * Rebuilds the index from the shards: `reread` names the shards whose rows are re-derived from
   * their files ('all': every shard), other rows are kept from their segments; counts and keys
   * are derived again from all rows. Writes only files that change.
   */
  async rebuild(reread: number[] | 'all', why: string | null): Promise<RebuildResult> {
    const started = performance.now();
    let oldHead: IndexHead | null = null;
    try {
      oldHead = (await this.files.readHead())?.head ?? null;
    } catch {
      oldHead = null;
    }
    const full = reread === 'all' || oldHead === null;
    const rereadSet = new Set(reread === 'all' ? [] : reread);
    await this.files.writePending(this.noteName, full ? 'all' : [...rereadSet], 'rebuild');

    const present = new Set(await this.shards.onDisk());
    const segments: Map<number, IndexRow[]>[] = [];
    const changed = new Set<number>();
    let shardsRead = 0;
    for (let s = 0; s < SEGMENT_COUNT; s++) {
      const kept = full ? null : await unlessDamaged(() => this.files.readSegment(s, oldHead!));
      const rows = new Map<number, IndexRow[]>();
      for (const shard of shardsOfSegment(s)) {
        if (kept && !rereadSet.has(shard)) {
          const list = kept.get(shard);
          if (list) rows.set(shard, [...list]);
          continue;
        }
        changed.add(s);
        if (!present.has(shard)) continue;
        shardsRead += 1;
        const list = (await this.shards.read(shard)).map((invoice) => rowOf(invoice, this.files.intern));
        if (list.length > 0) rows.set(shard, list);
      }
      segments.push(rows);
    }

    const head = emptyHead();
    head.generation = nextGeneration(oldHead);
    const keyFiles: Record<string, string[]>[] = Array.from({ length: KEY_SHARD_COUNT }, () => ({}));
    let invoices = 0;
    segments.forEach((rows, s) => {
      for (const list of rows.values()) {
        for (const row of list) {
          invoices += 1;
          addToCounts(head.counts, row, 1);
          for (const key of keysOf(row)) (keyFiles[keyShardOf(key)]![key] ??= []).push(row.id);
        }
        head.segmentRows[s]! += list.length;
      }
    });
    for (const [k, keys] of keyFiles.entries()) {
      for (const ids of Object.values(keys)) ids.sort();
      head.keyIds[k] = countIds(keys);
    }

    for (let s = 0; s < SEGMENT_COUNT; s++) {
      if (full || changed.has(s)) {
        await this.files.writeSegment(s, segments[s]!, head.generation);
        head.segmentGens[s] = head.generation;
      } else {
        head.segmentGens[s] = oldHead!.segmentGens[s]!;
      }
    }
    for (let k = 0; k < KEY_SHARD_COUNT; k++) {
      const current = full ? null : await unlessDamaged(() => this.files.readKeys(k, oldHead!));
      if (current === null || !sameKeys(current, keyFiles[k]!)) {
        await this.files.writeKeys(k, keyFiles[k]!, head.generation);
        head.keyGens[k] = head.generation;
      } else {
        head.keyGens[k] = oldHead!.keyGens[k]!;
      }
    }
    await this.files.writeHead(head);
    if (full) await this.files.removeEarlierSegments();
    await this.files.removePending([this.noteName]);
    const ms = performance.now() - started;
    if (why !== null) {
      this.report(
        `the invoice index of ${this.vaultName} ${why}; rebuilt it from ${full ? 'all its invoice files' : `${shardsRead} invoice file${shardsRead === 1 ? '' : 's'}`} ` +
          `(${invoices} invoice${invoices === 1 ? '' : 's'}, ${(ms / 1000).toFixed(1)} s)`,
      );
    }
    return { invoices, shardsRead, ms };
  }

  /** The index files a commit of these shards (shard number → all its invoices) writes. */
  prepare(changed: ReadonlyMap<number, readonly Invoice[]>): Promise<IndexChanges> {
    return this.guarded(async (head) => {
      const next: IndexHead = structuredClone(head);
      next.generation = nextGeneration(head);
      const segments = new Map<number, Map<number, IndexRow[]>>();
      const delta = new Map<string, Map<string, number>>();
      const bump = (row: IndexRow, by: number) => {
        addToCounts(next.counts, row, by);
        for (const key of keysOf(row)) {
          const ids = delta.get(key) ?? new Map<string, number>();
          ids.set(row.id, (ids.get(row.id) ?? 0) + by);
          delta.set(key, ids);
        }
      };
      const bySegment = new Map<number, number[]>();
      for (const shard of changed.keys()) bySegment.set(segmentOf(shard), [...(bySegment.get(segmentOf(shard)) ?? []), shard]);
      for (const [s, shards] of bySegment) {
        const current = await this.files.readSegment(s, head);
        const rows = new Map(current as Map<number, IndexRow[]>);
        for (const shard of shards) {
          const before = new Map<string, IndexRow>();
          for (const old of current.get(shard) ?? []) {
            bump(old, -1);
            before.set(old.id, old);
          }
          // An unchanged invoice keeps its row object: readers then see only the rows that moved.
          const fresh = changed.get(shard)!.map((invoice) => {
            const row = rowOf(invoice, this.files.intern);
            const old = before.get(row.id);
            return old && sameRow(old, row) ? old : row;
          });
          for (const row of fresh) bump(row, 1);
          if (fresh.length > 0) rows.set(shard, fresh);
          else rows.delete(shard);
        }
        next.segmentRows[s] = countRows(rows);
        next.segmentGens[s] = next.generation;
        segments.set(s, rows);
      }
      const keys = new Map<number, Record<string, string[]>>();
      for (const [key, ids] of delta) {
        for (const [id, by] of ids) {
          if (by === 0) continue;
          const k = keyShardOf(key);
          let file = keys.get(k);
          if (!file) {
            file = { ...(await this.files.readKeys(k, head)) } as Record<string, string[]>;
            keys.set(k, file);
          }
          const list = (file[key] ?? []).filter((other) => other !== id);
          if (by > 0) list.push(id);
          list.sort();
          if (list.length > 0) file[key] = list;
          else delete file[key];
        }
      }
      for (const [k, file] of keys) {
        next.keyIds[k] = countIds(file);
        next.keyGens[k] = next.generation;
      }
      return { segments, keys, head: next };
    });
  }

  /** Before the shards are written: the note that makes readers wait and a crash repairable. */
  async beginCommit(shards: readonly number[]): Promise<number> {
    await this.files.writePending(this.noteName, [...shards], 'commit');
    return 1;
  }

  /**
   * After the shards: the index files, the head last (segments and key files may go in any
   * order among themselves, so they are written side by side). Returns files and bytes written.
   */
  async write(changes: IndexChanges): Promise<{ files: number; bytes: number }> {
    const written = await Promise.all([
      ...[...changes.segments].map(([s, rows]) => this.files.writeSegment(s, rows, changes.head.generation)),
      ...[...changes.keys].map(([k, keys]) => this.files.writeKeys(k, keys, changes.head.generation)),
    ]);
    const head = await this.files.writeHead(changes.head);
    return { files: written.length + 1, bytes: written.reduce((sum, bytes) => sum + bytes, head) };
  }

  async endCommit(): Promise<void> {
    await this.files.removePending([this.noteName]);
  }
}

function sameKeys(a: KeyMap, b: KeyMap): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  for (const name of names) {
    const x = a[name]!;
    const y = b[name];
    if (!y || x.length !== y.length || x.some((id, i) => id !== y[i])) return false;
  }
  return true;
}

/** Notes a shard as out of step with its rows, before a recovery changes it (no lock needed: the name is new). */
export async function noteRecoveredShard(files: VaultIndexFiles, shard: number): Promise<void> {
  const name = `recovered-${shard}-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2, 10)}.json`;
  await files.writePending(name, [shard], 'recovered');
}

/** An index file read as the head says it should be, or null when it is damaged and is to be written anew. */
async function unlessDamaged<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof IndexDamage)) throw error;
    return null;
  }
}
