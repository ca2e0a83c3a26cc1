// The last good parse of each ledger file, kept in the bridge folder itself so that every apdesk
// process bridged to the folder — not only the one that saw the file good — keeps using it while
// the export job leaves a broken file behind. The folder is where the files are and the one
// place all those processes share (they may not share a data dir).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileVersion, isMissing, sameFile, writeAtomic, type FileVersion } from './files.js';
import { withFolderLock } from './folder-lock.js';

export const LAST_GOOD_FILE = '.apdesk-last-good.json';

export interface LastGood {
  /** When the rows were parsed. */
  savedAt: string;
  /** The version of the CSV file they came from. */
  source: FileVersion;
  rows: unknown[];
}

interface Snapshot {
  format: 1;
  files: Record<string, LastGood>;
}

function isLastGood(value: unknown): value is LastGood {
  const entry = value as LastGood;
  return typeof entry?.savedAt === 'string' && Array.isArray(entry.rows) && typeof entry.source?.size === 'number';
}

/** The last-good copies in `dir`; a missing or damaged snapshot simply has none. */
export class LastGoodStore {
  private cached: { version: FileVersion | null; files: Record<string, LastGood> } | null = null;

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, LAST_GOOD_FILE);
  }

  async all(): Promise<Record<string, LastGood>> {
    const version = await fileVersion(this.path);
    if (this.cached && sameFile(this.cached.version, version)) return this.cached.files;
    const files = version ? await this.read() : {};
    this.cached = { version, files };
    return files;
  }

  async get(file: string): Promise<LastGood | undefined> {
    return (await this.all())[file];
  }

  /** Records good parses, under the folder lock so two processes never drop each other's entries. */
  async save(entries: Record<string, LastGood>): Promise<void> {
    const changed = (current: Record<string, LastGood>) =>
      Object.entries(entries).filter(([file, entry]) => !sameFile(current[file]?.source ?? null, entry.source));
    if (!changed(await this.all()).length) return;
    await withFolderLock(this.dir, 'save the last good ledger files', async () => {
      // Again under the lock: another process may have saved the same files meanwhile.
      this.cached = null;
      const current = await this.all();
      const fresh = changed(current);
      if (!fresh.length) return;
      const files = { ...current, ...Object.fromEntries(fresh) };
      const snapshot: Snapshot = { format: 1, files };
      await writeAtomic(this.path, JSON.stringify(snapshot));
      this.cached = { version: await fileVersion(this.path), files };
    });
  }

  private async read(): Promise<Record<string, LastGood>> {
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as Partial<Snapshot>;
      const files: Record<string, LastGood> = {};
      for (const [file, entry] of Object.entries(parsed.files ?? {})) if (isLastGood(entry)) files[file] = entry;
      return files;
    } catch (error) {
      if (isMissing(error) || error instanceof SyntaxError) return {};
      throw error;
    }
  }
}
