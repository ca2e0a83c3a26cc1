// One JSON file written whole: compact JSON, atomic replace (temp file, fsync, rename), an optional
// mode (0600 for secrets), optionally the previous good generation kept beside it as NAME.prev,
// and the stat of what was read so a reader can tell later whether another process replaced it.
// A plain class; its read and write have the shape the store's database adapter wants.
import { chmod, copyFile, constants, link, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pidAlive } from './lock.js';

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

export function previousPath(path: string): string {
  return `${path}.prev`;
}

export interface JsonFileOptions {
  mode?: number;
  /** Keep the file being replaced as NAME.prev, so a damaged or lost file can be recovered. */
  keepPrevious?: boolean;
  /**
   * fsync before the rename (the default), so the new content survives a power cut, not only a
   * crash of the process. Files that can be derived again may skip it.
   */
  durable?: boolean;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException)?.code;
}

function stamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

export class JsonFile<T> {
  /** Version of the file as last read or written here; null when it did not exist. */
  version: FileVersion | null = null;
  bytesWritten = 0;
  private readonly mode: number;
  private readonly keepPrevious: boolean;
  private readonly durable: boolean;

  constructor(
    readonly path: string,
    options: number | JsonFileOptions = {},
  ) {
    const given = typeof options === 'number' ? { mode: options } : options;
    this.mode = given.mode ?? 0o644;
    this.keepPrevious = given.keepPrevious ?? false;
    this.durable = given.durable ?? true;
  }

  get previousPath(): string {
    return previousPath(this.path);
  }

  /** The parsed file, or null when there is none. A file that does not parse throws CorruptFileError. */
  async read(): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') {
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
    await this.writeText(JSON.stringify(data));
  }

  /** Writes text that is already the JSON of a T (a writer that keeps parts of it serialised). */
  async writeText(text: string): Promise<void> {
    const temp = this.tempName();
    const handle = await open(temp, 'wx', this.mode);
    try {
      await handle.writeFile(text, 'utf8');
      if (this.durable) await handle.sync();
      const stats = await handle.stat();
      await handle.close();
      if (this.keepPrevious) await this.keepCurrentAsPrevious();
      await rename(temp, this.path);
      this.version = versionOf(stats);
      this.bytesWritten = Buffer.byteLength(text);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Makes the current file the previous generation without copying it: a second name (hard link)
   * for it goes to NAME.prev by rename, and only then does the new file replace it. The file
   * itself is never missing, and NAME.prev is at every moment a whole file: a crash at any step
   * leaves the old file in place and NAME.prev either the one before or the same as the file.
   */
  private async keepCurrentAsPrevious(): Promise<void> {
    const temp = this.tempName('prev');
    try {
      await link(this.path, temp);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT') return; // nothing to keep: the first write, or the file was lost
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK') throw error;
      // A filesystem without hard links: pay for a copy instead.
      try {
        await copyFile(this.path, temp);
      } catch (copyError) {
        if (errorCode(copyError) === 'ENOENT') return;
        throw copyError;
      }
    }
    try {
      await rename(temp, this.previousPath);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  /** The previous generation and when it was written, or null when there is none or it does not parse. */
  async readPrevious(): Promise<{ data: T; writtenAt: Date } | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.previousPath, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
    try {
      const stats = await handle.stat();
      const text = await handle.readFile('utf8');
      try {
        return { data: JSON.parse(text) as T, writtenAt: stats.mtime };
      } catch {
        return null;
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * Puts a copy of the previous generation back as the file — a copy, not a second link, so an
   * edit of one in place can never damage both. Never replaces a file that is there: if another
   * process restored or wrote it first, theirs stands and this returns false.
   */
  async restorePrevious(): Promise<boolean> {
    const temp = this.tempName('restore');
    try {
      await copyFile(this.previousPath, temp, constants.COPYFILE_EXCL);
      await chmod(temp, this.mode);
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await link(temp, this.path);
      return true;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST' || code === 'ENOENT') return false;
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /**
   * Moves the file aside as NAME.corrupt-<time>, if it is still the file last read here (another
   * process may have replaced it since). Returns where it went, or null when it was not moved.
   */
  async quarantine(): Promise<string | null> {
    const target = `${this.path}.corrupt-${stamp()}`;
    try {
      const current = await open(this.path, 'r');
      try {
        if (this.version && (await current.stat()).ino !== this.version.ino) return null;
      } finally {
        await current.close();
      }
      await rename(this.path, target);
      return target;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  private tempName(purpose = 'new'): string {
    return join(dirname(this.path), `.${basename(this.path)}.${purpose}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  }
}

/** `.NAME.PURPOSE.PID.RANDOM.tmp`: what tempName writes, with the writer's pid. */
const TEMP_NAME = /^\..+\.[a-z]+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes the temporary files of writers that died mid-write (kill -9 between writing and
 * renaming) in these folders: only those whose process is gone on this host, so a live writer's
 * file is never touched. Returns how many were removed.
 */
export async function removeDeadWritersFiles(dirs: readonly string[]): Promise<number> {
  let removed = 0;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const match = TEMP_NAME.exec(name);
      if (!match || pidAlive(Number(match[1]))) continue;
      await unlink(join(dir, name)).then(
        () => (removed += 1),
        () => undefined,
      );
    }
  }
  return removed;
}
