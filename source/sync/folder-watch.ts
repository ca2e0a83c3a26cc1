// The folder-watch job: files dropped into a queue's inbox folder become documents in that queue,
// each exactly once, and are moved aside — into imported/ once stored, into refused/ with the reason.
//
// When is a file whole? A writer (a scanner, a copy over a share, a browser) gives no portable
// signal that it has finished, so a file is taken only when its size and mtime are the same as at
// an earlier look — the previous run, remembered in the inbox's SIGHTINGS_FILE so a restart or a
// one-shot run keeps them — and its mtime is at least the settle time older than the loop's clock.
// A file that grew between two runs is looked at again on the next one, never taken half-written.
// A writer that keeps a file open without writing cannot be told apart from one that has finished
// (open handles are not visible portably): the settle rule decides, so a writer paused for longer
// than the job's interval loses. What it had written is then still checked whole by the documents
// service (a PDF cut short is refused as damaged and lands in refused/ with the reason).
//
// Exactly once: the file is stored first (one transaction), then moved aside. Killed in between,
// the next run finds the same bytes already in the vault (the duplicate refusal), and moves the
// file to imported/ without adding it again.
import { lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { UserError } from '../domain/errors.js';
import type { Queue, Vault } from '../domain/vault.js';
import { emptyReport, type JobContext, type JobReport, type JobRunner } from './job.js';

export const DEFAULT_SETTLE_MS = 2000;
/** Where files that became documents go, inside the inbox. */
export const IMPORTED_FOLDER = 'imported';
/** Where files that could not be added go, inside the inbox, each with NAME.reason.txt. */
export const REFUSED_FOLDER = 'refused';
/** The sizes and mtimes seen at the last look; a dotfile, so the watch never takes it. */
export const SIGHTINGS_FILE = '.apdesk-folder-watch.json';

export interface FolderWatchOptions {
  /** How long a file's mtime must lie behind ctx.now() before it is taken (default 2 s). */
  settleMs?: number;
}

/** Names that writers use while a file is not finished yet, and hidden or backup files. */
export function isInboxCandidate(name: string): boolean {
  const lower = name.toLowerCase();
  if (name.startsWith('.') || name.startsWith('~$') || name.endsWith('~')) return false;
  return !['.part', '.tmp', '.crdownload'].some((suffix) => lower.endsWith(suffix));
}

interface Sighting {
  size: number;
  mtimeMs: number;
}

type Sightings = Record<string, Sighting>;

async function readSightings(inbox: string): Promise<Sightings> {
  // Lost or damaged, it only means waiting one more run: nothing is ever taken on a missing look.
  try {
    const parsed = JSON.parse(await readFile(join(inbox, SIGHTINGS_FILE), 'utf8')) as { files?: unknown };
    const files = parsed.files;
    const sightings: Sightings = {};
    if (files && typeof files === 'object') {
      for (const [name, value] of Object.entries(files as Record<string, unknown>)) {
        const { size, mtimeMs } = (value ?? {}) as Partial<Sighting>;
        if (typeof size === 'number' && typeof mtimeMs === 'number') sightings[name] = { size, mtimeMs };
      }
    }
    return sightings;
  } catch {
    return {};
  }
}

/** Written only when it changed; removed when no file is waiting, so an idle inbox holds nothing of ours. */
async function writeSightings(inbox: string, sightings: Sightings): Promise<void> {
  const path = join(inbox, SIGHTINGS_FILE);
  if (Object.keys(sightings).length === 0) await rm(path, { force: true });
  // A torn write does not parse, and is read as no sightings: no temporary file needed.
  else await writeFile(path, JSON.stringify({ files: sightings }));
}

function sameSightings(a: Sightings, b: Sightings): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => b[name]?.size === a[name]!.size && b[name]?.mtimeMs === a[name]!.mtimeMs);
}

/** Moves a file into a folder of the inbox under a free name (scan.pdf, scan-2.pdf, …); returns that name. */
async function moveAside(inbox: string, folder: string, name: string, alsoFree: (name: string) => string[] = () => []): Promise<string> {
  const dir = join(inbox, folder);
  await mkdir(dir, { recursive: true });
  const ext = extname(name);
  const stem = ext ? name.slice(0, -ext.length) : name;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem}-${n}${ext}`;
    const taken = await Promise.all([candidate, ...alsoFree(candidate)].map((each) => exists(join(dir, each))));
    if (taken.some(Boolean)) continue;
    // Only the sync loop (one per data dir) moves files here, so the name is still free.
    await rename(join(inbox, name), join(dir, candidate));
    return candidate;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error)?.message ?? String(error);
}

/** The duplicate refusal of the documents service, and the invoice it names. */
function duplicateOf(error: UserError): { invoiceId: string | null } | null {
  if (error.remedy?.action !== 'invoices.allow-duplicate') return null;
  return { invoiceId: / as invoice (\S+) \([^()]*\); nothing was added/.exec(error.message)?.[1] ?? null };
}

type Outcome = 'next' | 'stop';

class InboxRun {
  constructor(
    private readonly ctx: JobContext,
    private readonly report: JobReport,
    private readonly vault: Vault,
    private readonly queue: Queue,
    private readonly inbox: string,
  ) {}

  private get where(): string {
    return `the inbox folder ${this.inbox} of queue '${this.queue.name}' (vault '${this.vault.name}')`;
  }

  /** Whom the folder's permissions must let in: the OS user, not one an admin acts as. */
  private get osUser(): string {
    return this.ctx.desk.actingAdmin ?? this.ctx.desk.user;
  }

  private get pointElsewhere(): string {
    return `apdesk queue inbox --vault ${this.vault.id} ${this.queue.id} DIR (or --clear)`;
  }

  /** Something that stops this inbox for this run; the next queue still runs. */
  error(text: string): void {
    this.report.errors.push(text);
    this.ctx.report({ kind: 'error', vaultId: this.vault.id, job: 'folder-watch', error: text });
  }

  async run(settleMs: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.inbox, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return this.error(`${this.where} does not exist — create it again, or point the queue at another folder: ${this.pointElsewhere}`);
      if (code === 'ENOTDIR') return this.error(`${this.where} is not a folder — point the queue at a folder: ${this.pointElsewhere}`);
      return this.error(`${this.where} cannot be read (${reasonOf(error)}) — give ${this.osUser} read and write access to it, or: ${this.pointElsewhere}`);
    }
    const earlier = await readSightings(this.inbox);
    const now = this.ctx.now();
    const seen: Sightings = {};
    const ready: { name: string; mtimeMs: number }[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || !isInboxCandidate(entry.name)) continue;
      let info;
      try {
        info = await lstat(join(this.inbox, entry.name));
      } catch {
        continue; // taken away since the listing
      }
      if (!info.isFile()) continue;
      const sighting = { size: info.size, mtimeMs: info.mtimeMs };
      seen[entry.name] = sighting;
      const before = earlier[entry.name];
      const unchanged = before !== undefined && before.size === sighting.size && before.mtimeMs === sighting.mtimeMs;
      if (unchanged && sighting.mtimeMs <= now - settleMs) ready.push({ name: entry.name, mtimeMs: sighting.mtimeMs });
    }
    // Saved before any file is taken, so a run killed half-way leaves its look for the next one.
    if (!(await this.saveSightings(earlier, seen))) return;
    ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const left = { ...seen };
    try {
      for (const file of ready) {
        if (this.ctx.signal.aborted) return;
        const outcome = await this.take(file.name);
        // A file that stayed (not moved aside) keeps its look: the next run takes it up at once.
        if (!(await exists(join(this.inbox, file.name)).catch(() => true))) delete left[file.name];
        if (outcome === 'stop') return;
      }
    } finally {
      if (Object.keys(left).length !== Object.keys(seen).length) await this.saveSightings(seen, left);
    }
  }

  private async saveSightings(before: Sightings, after: Sightings): Promise<boolean> {
    if (sameSightings(before, after)) return true;
    try {
      await writeSightings(this.inbox, after);
      return true;
    } catch (error) {
      this.error(
        `${this.where} cannot be written (${reasonOf(error)}) — the folder watch moves the files it takes out of it; give ${this.osUser} write access to it, or: ${this.pointElsewhere}`,
      );
      return false;
    }
  }

  private async take(name: string): Promise<Outcome> {
    const path = join(this.inbox, name);
    let invoiceId: string;
    try {
      const [invoice] = await this.ctx.desk.documents.add({ vault: this.vault.id, queue: this.queue.id, paths: [path] });
      invoiceId = invoice!.id;
    } catch (error) {
      if (!(error instanceof UserError)) {
        this.error(`${path} could not be added (${reasonOf(error)}); it stays in the inbox and is tried again on the next run`);
        return 'stop';
      }
      const duplicate = duplicateOf(error);
      if (duplicate) return this.alreadyStored(name, duplicate.invoiceId);
      // The documents service names the file first when the file itself is the problem.
      if (error.message.startsWith(`${path} `)) return this.refuse(name, error.message.slice(path.length + 1));
      // Not about this file (the acting user's roles, the queue gone, the data dir's lock):
      // the file stays where it is for the next run.
      this.error(`files in ${this.where} cannot be added now: ${error.message}`);
      return 'stop';
    }
    this.report.documentsAdded.push(path);
    this.ctx.report({ kind: 'document-added', vaultId: this.vault.id, invoiceId, file: path });
    const moved = await this.move(name, IMPORTED_FOLDER, `was stored as ${invoiceId} but`);
    return moved === null ? 'stop' : 'next';
  }

  /** The same bytes are in the vault already: most often this file, stored by a run killed before it moved it. */
  private async alreadyStored(name: string, invoiceId: string | null): Promise<Outcome> {
    const moved = await this.move(name, IMPORTED_FOLDER, 'is already in the vault but');
    if (moved === null) return 'stop';
    const as = invoiceId ? `as ${invoiceId}` : 'as an earlier invoice';
    this.report.skipped.push({
      id: join(this.inbox, name),
      reason: `${name} is already in vault '${this.vault.name}' ${as} (the same bytes); moved to ${IMPORTED_FOLDER}/${moved} without adding it again`,
    });
    return 'next';
  }

  private async refuse(name: string, why: string): Promise<Outcome> {
    // Taken away between the look and the read: nothing to refuse.
    if (/^does not exist\b/.test(why)) return 'next';
    const moved = await this.move(name, REFUSED_FOLDER, 'was refused but', (candidate) => [`${candidate}.reason.txt`]);
    if (moved === null) return 'stop';
    const when = new Date(this.ctx.now()).toISOString();
    const text =
      `${name} was not added to queue '${this.queue.name}' of vault '${this.vault.name}' (${when}):\n` +
      `it ${why}\n` +
      `To add it after all, put a PDF, JPEG or PNG that opens completely back into ${this.inbox}\n`;
    try {
      await writeFile(join(this.inbox, REFUSED_FOLDER, `${moved}.reason.txt`), text);
    } catch (error) {
      this.error(`${name} was moved to ${join(this.inbox, REFUSED_FOLDER)}, but its reason could not be written there (${reasonOf(error)}): it ${why}`);
    }
    const reason = `${name} ${why}; moved to ${REFUSED_FOLDER}/${moved}`;
    this.report.failed.push({ id: join(this.inbox, name), reason });
    this.ctx.report({ kind: 'failed', vaultId: this.vault.id, error: reason });
    return 'next';
  }

  /** Moves the file aside, or reports why it could not be and returns null (it is handled again next run). */
  private async move(name: string, folder: string, what: string, alsoFree?: (name: string) => string[]): Promise<string | null> {
    try {
      return await moveAside(this.inbox, folder, name, alsoFree);
    } catch (error) {
      this.error(
        `${name} in ${this.where} ${what} could not be moved into ${folder}/ (${reasonOf(error)}) — it stays in the inbox and is moved on the next run once the folder is writable`,
      );
      return null;
    }
  }
}

/** A folder-watch runner; tests give a shorter settle time. */
export function folderWatch(options: FolderWatchOptions = {}): JobRunner {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  return async (ctx) => {
    const report = emptyReport();
    // What a run killed mid-add left in the vault goes first, whatever this run then finds.
    await ctx.desk.documents.clearUnfinished(ctx.vault.id);
    for (const queue of ctx.vault.queues) {
      if (ctx.signal.aborted) break;
      if (!queue.inbox) continue;
      await new InboxRun(ctx, report, ctx.vault, queue, queue.inbox).run(settleMs);
    }
    return report;
  };
}

export const runFolderWatch: JobRunner = folderWatch();
