// File plumbing of the bridge folder: read a file with the version (inode, size, mtime) of exactly
// those bytes, and write files whole — a temp name, fsync, then a rename — so a Sage import job
// or another apdesk process never sees half a file.
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { versionOf, type FileVersion } from '../disk/json-file.js';

export type { FileVersion };

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Same file, unchanged; two absent files are the same too. */
export function sameFile(a: FileVersion | null, b: FileVersion | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export async function fileVersion(path: string): Promise<FileVersion | null> {
  try {
    return versionOf(await stat(path));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The bytes of a file and the version they belong to, or null when there is no such file. */
export async function readVersioned(path: string): Promise<{ version: FileVersion; bytes: Buffer } | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  try {
    const version = versionOf(await handle.stat());
    return { version, bytes: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

function tempName(path: string): string {
  // A leading dot and a .tmp suffix: a job that picks up *.csv never takes a file being written.
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

async function writeTemp(path: string, text: string): Promise<string> {
  const temp = tempName(path);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return temp;
}

/** Replaces `path` with `text` in one step. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = await writeTemp(path, text);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes a new file and never replaces one that exists: `name`, or `name` with -2, -3 … before
 * its extension. A hard link publishes the complete file and fails if the name is taken; on a
 * share that has no hard links, a rename after a look stands in. Returns the path written.
 */
export async function publishNew(dir: string, name: string, text: string): Promise<string> {
  const temp = await writeTemp(join(dir, name), text);
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  try {
    for (let n = 1; ; n++) {
      const target = join(dir, n === 1 ? name : `${stem}-${n}${ext}`);
      try {
        await link(temp, target);
        return target;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (!noHardLinks(error)) throw error;
        if (await fileVersion(target)) continue;
        await rename(temp, target);
        return target;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Creates `path` with `text` unless it exists; says whether it wrote. */
export async function createIfMissing(path: string, text: string): Promise<boolean> {
  const temp = await writeTemp(path, text);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    if (!noHardLinks(error)) throw error;
    if (await fileVersion(path)) return false;
    await rename(temp, path);
    return true;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function noHardLinks(error: unknown): boolean {
  return ['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((error as NodeJS.ErrnoException).code ?? '');
}
