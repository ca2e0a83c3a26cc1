// One JSON file written whole: compact JSON, atomic replace (temp file, fsync, rename), an optional
// mode (0600 for secrets), and the stat of what was read so a reader can tell later whether
// another process replaced it. A plain class: the store hands it to lowdb (its read/write fit
// lowdb's adapter shape), others use it directly.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class CorruptFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} is not valid JSON (${reason})`);
    this.name = 'CorruptFileError';
  }
}

export interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

export function versionOf(stats: Stats): FileVersion {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameVersion(a: FileVersion | null, b: FileVersion | null): boolean {
  return a !== null && b !== null && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export class JsonFile<T> {
  /** Version of the file as last read or written here; null when it did not exist. */
  version: FileVersion | null = null;
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly mode = 0o644,
  ) {}

  async read(): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.version = null;
        return null;
      }
      throw error;
    }
    try {
      // Stat the open descriptor: the version then belongs to exactly the bytes we read.
      const stats = await handle.stat();
      const text = await handle.readFile('utf8');
      this.version = versionOf(stats);
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new CorruptFileError(this.path, (error as Error).message);
      }
    } finally {
      await handle.close();
    }
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const temp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', this.mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      const stats = await handle.stat();
      await handle.close();
      await rename(temp, this.path);
      this.version = versionOf(stats);
      this.bytesWritten = Buffer.byteLength(text);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }
}
