// Temporary data dirs on the real disk, removed after each test file.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll } from 'vitest';

const made: string[] = [];

export async function tempDir(prefix = 'apdesk-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Every file under `dir` with its mode and a hash of its bytes: equal snapshots mean nothing changed. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        result[`${relative(dir, path)}/`] = 'dir';
        await walk(path);
      } else {
        const info = await stat(path);
        const hash = createHash('sha256').update(await readFile(path)).digest('hex');
        result[relative(dir, path)] = `${(info.mode & 0o777).toString(8)} ${hash}`;
      }
    }
  }
  await walk(dir);
  return result;
}
