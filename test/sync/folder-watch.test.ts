// The folder-watch job on the real disk: a real desk on a temp data dir, real inbox folders, and
// a child process killed with SIGKILL while it works.
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFile, chmod, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { openDesk, type Desk } from '../../source/app/desk.js';
import type { Vault } from '../../source/domain/vault.js';
import { emptyReport, type JobReport, type SyncEvent } from '../../source/sync/job.js';
import { DEFAULT_SETTLE_MS, folderWatch, isInboxCandidate, runFolderWatch, SIGHTINGS_FILE } from '../../source/sync/folder-watch.js';
import { pdfWithPages, png } from '../helpers/files.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { exited, waitForLine } from '../helpers/process.js';
import { snapshot, tempDir } from '../helpers/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Run {
  report: JobReport;
  events: SyncEvent[];
}

/** One run of the job on the vault as the store has it now; `now` is the loop's clock. */
async function watch(desk: Desk, vaultRef: string, options: { now?: () => number; signal?: AbortSignal; job?: typeof runFolderWatch; onEvent?: (event: SyncEvent) => void } = {}): Promise<Run> {
  const events: SyncEvent[] = [];
  const vault: Vault = await desk.vaults.get(vaultRef);
  const report = await (options.job ?? runFolderWatch)({
    desk,
    vault,
    signal: options.signal ?? new AbortController().signal,
    procore: () => Promise.reject(new Error('the folder watch does not use Procore')),
    report: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
    // A minute after the files were written, as between two runs of the loop.
    now: options.now ?? (() => Date.now() + 60_000),
  });
  return { report, events };
}

/** The first run only looks; the second takes what has not changed since. */
async function watchTwice(desk: Desk, vaultRef: string, options: Parameters<typeof watch>[2] = {}): Promise<Run> {
  const first = await watch(desk, vaultRef, options);
  expect(first.report.documentsAdded, 'nothing is taken on the first look').toEqual([]);
  return watch(desk, vaultRef, options);
}

async function invoicesOf(desk: Desk, vault: string) {
  const all = [];
  for await (const invoice of desk.invoices.stream({ vault })) all.push(invoice);
  return all;
}

/** A new data dir with vault 'Harbor' and queue 'AP Inbox' watching a new folder. */
async function setUp(): Promise<{ desk: Desk; inbox: string; dataDir: string }> {
  const dataDir = await tempDir();
  const inbox = join(await tempDir('apdesk-inbox-'), 'scans');
  await mkdir(inbox);
  const desk = await openDesk({ dataDir });
  await desk.vaults.add({ name: 'Harbor', accounting: 'sage300' });
  await desk.vaults.addQueue({ vault: 'harbor', name: 'AP Inbox' });
  await desk.vaults.setInbox({ vault: 'harbor', queue: 'AP Inbox', dir: inbox });
  return { desk, inbox, dataDir };
}

let pdfA: Uint8Array;
let pdfB: Uint8Array;
beforeAll(async () => {
  pdfA = await pdfWithPages(2, 'Invoice A');
  pdfB = await pdfWithPages(1, 'Invoice B');
});

describe('the names the folder watch leaves alone', () => {
  it('takes plain names, not hidden, partial, temporary or backup files', () => {
    expect(['scan.pdf', 'Photo 1.JPG', 'invoice', 'a.partial.pdf'].filter(isInboxCandidate)).toEqual(['scan.pdf', 'Photo 1.JPG', 'invoice', 'a.partial.pdf']);
    expect(['.scan.pdf', 'scan.pdf.part', 'scan.PDF.TMP', 'scan.pdf.crdownload', '~$scan.docx', 'scan.pdf~', SIGHTINGS_FILE].filter(isInboxCandidate)).toEqual([]);
  });
});

describe('the folder watch', () => {
  it('adds a file that has settled to the queue and moves it into imported/', async () => {
    const { desk, inbox, dataDir } = await setUp();
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    await writeFile(join(inbox, 'photo.png'), png(40, 60));

    const first = await watch(desk, 'harbor');
    expect(first.report).toEqual(emptyReport());
    expect((await readdir(inbox)).sort()).toEqual([SIGHTINGS_FILE, 'photo.png', 'scan.pdf']);

    const { report, events } = await watch(desk, 'harbor');
    expect(report.errors).toEqual([]);
    expect(report.documentsAdded.sort()).toEqual([join(inbox, 'photo.png'), join(inbox, 'scan.pdf')]);
    // The idle inbox holds nothing of apdesk's but the folder of what it took.
    expect(await readdir(inbox)).toEqual(['imported']);
    expect((await readdir(join(inbox, 'imported'))).sort()).toEqual(['photo.png', 'scan.pdf']);
    expect(await readFile(join(inbox, 'imported', 'scan.pdf'))).toEqual(Buffer.from(pdfA));

    const invoices = await invoicesOf(desk, 'harbor');
    expect(invoices.map((invoice) => [invoice.queueId, invoice.status])).toEqual([['ap-inbox', 'unprocessed'], ['ap-inbox', 'unprocessed']]);
    const scan = invoices.find((invoice) => invoice.attachments[0]!.name === 'scan.pdf')!;
    expect(await readFile(join(dataDir, scan.attachments[0]!.path))).toEqual(Buffer.from(pdfA));
    expect(events).toContainEqual({ kind: 'document-added', vaultId: 'harbor', invoiceId: scan.id, file: join(inbox, 'scan.pdf') });

    // Nothing left to do: a third run changes nothing.
    expect((await watch(desk, 'harbor')).report).toEqual(emptyReport());
    expect(await invoicesOf(desk, 'harbor')).toHaveLength(2);
  });

  it('leaves sub-folders, hidden, partial and temporary files where they are', async () => {
    const { desk, inbox } = await setUp();
    const left = ['.hidden.pdf', 'download.pdf.crdownload', 'copy.pdf.part', 'scan.tmp', '~$lock.pdf', 'scan.pdf~'];
    for (const name of left) await writeFile(join(inbox, name), pdfA);
    await mkdir(join(inbox, 'March'));
    await writeFile(join(inbox, 'March', 'scan.pdf'), pdfA);
    const { report } = await watchTwice(desk, 'harbor');
    expect(report).toEqual(emptyReport());
    expect((await readdir(inbox)).sort()).toEqual(['March', ...left].sort());
    expect(await invoicesOf(desk, 'harbor')).toEqual([]);
  });

  it('gives a file moved aside under a name already taken a numbered name', async () => {
    const { desk, inbox } = await setUp();
    await mkdir(join(inbox, 'imported'));
    await writeFile(join(inbox, 'imported', 'scan.pdf'), 'an earlier scan');
    await writeFile(join(inbox, 'imported', 'scan-2.pdf'), 'another earlier scan');
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    const { report } = await watchTwice(desk, 'harbor');
    expect(report.documentsAdded).toEqual([join(inbox, 'scan.pdf')]);
    expect((await readdir(join(inbox, 'imported'))).sort()).toEqual(['scan-2.pdf', 'scan-3.pdf', 'scan.pdf']);
    expect(await readFile(join(inbox, 'imported', 'scan-3.pdf'))).toEqual(Buffer.from(pdfA));
    expect(await readFile(join(inbox, 'imported', 'scan.pdf'), 'utf8')).toBe('an earlier scan');
  });

  it('does not take a file that grew since the last look, until it stops growing', async () => {
    const { desk, inbox } = await setUp();
    const path = join(inbox, 'slow copy.pdf');
    const half = Math.floor(pdfA.byteLength / 2);
    await writeFile(path, pdfA.subarray(0, half));
    expect((await watch(desk, 'harbor')).report).toEqual(emptyReport());
    // The writer goes on between two runs, and pauses long enough for the mtime to settle.
    await appendFile(path, pdfA.subarray(half));
    const second = await watch(desk, 'harbor');
    expect(second.report).toEqual(emptyReport());
    expect(await readdir(inbox)).toContain('slow copy.pdf');

    const third = await watch(desk, 'harbor');
    expect(third.report.documentsAdded).toEqual([path]);
    const [invoice] = await invoicesOf(desk, 'harbor');
    expect(invoice!.attachments[0]!.sha256).toBe(sha256(pdfA));
  });

  it('does not take a file modified less than the settle time ago, on the loop clock', async () => {
    const { desk, inbox } = await setUp();
    const path = join(inbox, 'scan.pdf');
    await writeFile(path, pdfA);
    const mtimeMs = (await stat(path)).mtimeMs;
    const at = (ms: number) => () => mtimeMs + ms;
    await watch(desk, 'harbor', { now: at(DEFAULT_SETTLE_MS - 500) });
    expect((await watch(desk, 'harbor', { now: at(DEFAULT_SETTLE_MS - 500) })).report).toEqual(emptyReport());
    expect((await watch(desk, 'harbor', { now: at(DEFAULT_SETTLE_MS - 1) })).report).toEqual(emptyReport());
    expect((await watch(desk, 'harbor', { now: at(DEFAULT_SETTLE_MS) })).report.documentsAdded).toEqual([path]);
    // A shorter settle time (tests, fast scanners) takes the same file sooner.
    await writeFile(join(inbox, 'next.pdf'), pdfB);
    const quick = folderWatch({ settleMs: 0 });
    await watch(desk, 'harbor', { job: quick, now: () => Date.now() });
    expect((await watch(desk, 'harbor', { job: quick, now: () => Date.now() })).report.documentsAdded).toEqual([join(inbox, 'next.pdf')]);
  });

  it('moves a file that cannot be added into refused/, with the reason beside it', async () => {
    const { desk, inbox } = await setUp();
    await writeFile(join(inbox, 'notes.txt'), 'not an invoice');
    await writeFile(join(inbox, 'empty.pdf'), '');
    await writeFile(join(inbox, 'cut.pdf'), pdfA.subarray(0, Math.floor(pdfA.byteLength / 2)));
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    const { report, events } = await watchTwice(desk, 'harbor');
    expect(report.documentsAdded).toEqual([join(inbox, 'scan.pdf')]);
    expect(report.failed.map((failure) => failure.id).sort()).toEqual(['cut.pdf', 'empty.pdf', 'notes.txt'].map((name) => join(inbox, name)));
    expect(report.failed.find((failure) => failure.id.endsWith('notes.txt'))!.reason).toBe(
      'notes.txt is not a PDF, JPEG or PNG file; only those can be added to a queue; moved to refused/notes.txt',
    );
    expect(events.filter((event) => event.kind === 'failed')).toHaveLength(3);
    expect((await readdir(join(inbox, 'refused'))).sort()).toEqual([
      'cut.pdf', 'cut.pdf.reason.txt', 'empty.pdf', 'empty.pdf.reason.txt', 'notes.txt', 'notes.txt.reason.txt',
    ]);
    const reason = await readFile(join(inbox, 'refused', 'notes.txt.reason.txt'), 'utf8');
    expect(reason).toContain("notes.txt was not added to queue 'AP Inbox' of vault 'Harbor'");
    expect(reason).toContain('it is not a PDF, JPEG or PNG file');
    expect(reason).toContain(`back into ${inbox}`);
    expect(await readFile(join(inbox, 'refused', 'empty.pdf.reason.txt'), 'utf8')).toContain('it is empty');
    expect(await readFile(join(inbox, 'refused', 'cut.pdf.reason.txt'), 'utf8')).toMatch(/damaged|incomplete|cut short/);
    expect(await readFile(join(inbox, 'refused', 'notes.txt'), 'utf8')).toBe('not an invoice');
    expect(await invoicesOf(desk, 'harbor')).toHaveLength(1);

    // The same name refused again gets its own name and its own reason.
    await writeFile(join(inbox, 'notes.txt'), 'still not an invoice');
    await watchTwice(desk, 'harbor');
    expect(await readFile(join(inbox, 'refused', 'notes-2.txt'), 'utf8')).toBe('still not an invoice');
    expect(await readFile(join(inbox, 'refused', 'notes-2.txt.reason.txt'), 'utf8')).toContain('notes.txt was not added');
  });

  it('moves a file already in the vault into imported/ without adding it twice', async () => {
    const { desk, inbox, dataDir } = await setUp();
    // As if a run stored the file and was killed before moving it aside.
    const elsewhere = join(dataDir, '..', 'earlier.pdf');
    await writeFile(elsewhere, pdfA);
    const [earlier] = await desk.documents.add({ vault: 'harbor', queue: 'AP Inbox', paths: [elsewhere] });
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    await writeFile(join(inbox, 'other.pdf'), pdfB);

    const { report, events } = await watchTwice(desk, 'harbor');
    expect(report.documentsAdded).toEqual([join(inbox, 'other.pdf')]);
    expect(report.skipped).toEqual([
      {
        id: join(inbox, 'scan.pdf'),
        reason: `scan.pdf is already in vault 'Harbor' as ${earlier!.id} (the same bytes); moved to imported/scan.pdf without adding it again`,
      },
    ]);
    expect(report.failed).toEqual([]);
    expect(events.filter((event) => event.kind === 'document-added')).toHaveLength(1);
    expect((await readdir(join(inbox, 'imported'))).sort()).toEqual(['other.pdf', 'scan.pdf']);
    const invoices = await invoicesOf(desk, 'harbor');
    expect(invoices).toHaveLength(2);
    expect(invoices.filter((invoice) => invoice.attachments[0]!.sha256 === sha256(pdfA))).toHaveLength(1);
  });

  it('reports a stored file it could not move aside, and moves it on the next run without adding it again', async () => {
    const { desk, inbox } = await setUp();
    // imported/ cannot be made: a link to nowhere holds its name (root passes any permission check).
    await symlink(join(inbox, 'no such place', 'imported'), join(inbox, 'imported'));
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    const { report } = await watchTwice(desk, 'harbor');
    const [invoice] = await invoicesOf(desk, 'harbor');
    expect(report.documentsAdded).toEqual([join(inbox, 'scan.pdf')]);
    expect(report.errors).toEqual([
      expect.stringContaining(`scan.pdf in the inbox folder ${inbox} of queue 'AP Inbox' (vault 'Harbor') was stored as ${invoice!.id} but could not be moved into imported/`),
    ]);
    expect(await readdir(inbox)).toContain('scan.pdf');

    await rm(join(inbox, 'imported'));
    const next = await watch(desk, 'harbor');
    expect(next.report.errors).toEqual([]);
    expect(next.report.skipped).toEqual([expect.objectContaining({ id: join(inbox, 'scan.pdf'), reason: expect.stringContaining(`already in vault 'Harbor' as ${invoice!.id}`) })]);
    expect(await readdir(join(inbox, 'imported'))).toEqual(['scan.pdf']);
    expect(await invoicesOf(desk, 'harbor')).toHaveLength(1);
  });

  it('reports an inbox that vanished, naming it and what to do, and goes on with the other queues', async () => {
    const { desk, inbox } = await setUp();
    await desk.vaults.addQueue({ vault: 'harbor', name: 'Receipts' });
    const receipts = await tempDir('apdesk-receipts-');
    await desk.vaults.setInbox({ vault: 'harbor', queue: 'receipts', dir: receipts });
    await writeFile(join(receipts, 'receipt.pdf'), pdfB);
    await rm(inbox, { recursive: true });

    const { report, events } = await watchTwice(desk, 'harbor');
    const error = `the inbox folder ${inbox} of queue 'AP Inbox' (vault 'Harbor') does not exist — create it again, or point the queue at another folder: apdesk queue inbox --vault harbor ap-inbox DIR (or --clear)`;
    expect(report.errors).toEqual([error]);
    expect(events).toContainEqual({ kind: 'error', vaultId: 'harbor', job: 'folder-watch', error });
    expect(report.documentsAdded).toEqual([join(receipts, 'receipt.pdf')]);
    expect((await invoicesOf(desk, 'harbor')).map((invoice) => invoice.queueId)).toEqual(['receipts']);

    // A file where the folder was is no folder either.
    await writeFile(inbox, 'a file');
    expect((await watch(desk, 'harbor')).report.errors).toEqual([expect.stringContaining(`${inbox} of queue 'AP Inbox' (vault 'Harbor') is not a folder`)]);
  });

  it('leaves the files in place when the one running the job may not add documents', async () => {
    const { desk: admin, inbox, dataDir } = await setUp();
    await admin.users.setRoles({ name: 'rita', roles: ['reviewer'] });
    const desk = await openDesk({ dataDir, user: 'rita' });
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    const { report } = await watchTwice(desk, 'harbor');
    expect(report.failed).toEqual([]);
    expect(report.errors).toEqual([expect.stringMatching(/cannot be added now: user 'rita' may not add documents: it needs the admin or processor role/)]);
    expect(await readdir(inbox)).toEqual(expect.arrayContaining(['scan.pdf']));
    expect(await readdir(inbox)).not.toContain('refused');
  });

  it('stops between files when the loop is asked to stop', async () => {
    const { desk, inbox } = await setUp();
    for (const name of ['a.pdf', 'b.pdf', 'c.pdf']) await writeFile(join(inbox, name), await pdfWithPages(1, name));
    await watch(desk, 'harbor');
    const stop = new AbortController();
    const { report } = await watch(desk, 'harbor', { signal: stop.signal, onEvent: (event) => event.kind === 'document-added' && stop.abort() });
    expect(report.documentsAdded).toHaveLength(1);
    expect((await readdir(inbox)).filter((name) => name.endsWith('.pdf'))).toHaveLength(2);
    // The look is kept: the next run takes the rest at once.
    expect((await watch(desk, 'harbor')).report.documentsAdded).toHaveLength(2);
  });

  it('reports an inbox it may not write to, and takes nothing from it', async () => {
    const { desk, inbox } = await setUp();
    await writeFile(join(inbox, 'scan.pdf'), pdfA);
    await chmod(inbox, 0o555);
    try {
      // root writes anyway: then the file is simply taken, which is right for root.
      const probe = await writeFile(join(inbox, '.probe'), '').then(() => true, () => false);
      const { report } = await watchTwice(desk, 'harbor');
      if (probe) {
        expect(report.documentsAdded).toEqual([join(inbox, 'scan.pdf')]);
      } else {
        expect(report.errors).toEqual([expect.stringMatching(new RegExp(`inbox folder ${inbox} .* cannot be written \\(permission denied\\)`))]);
        expect(report.documentsAdded).toEqual([]);
        expect(await invoicesOf(desk, 'harbor')).toEqual([]);
      }
    } finally {
      await chmod(inbox, 0o755);
    }
  });
});

describe('apdesk queue inbox', () => {
  it('sets and clears a queue inbox, and queue list shows it', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    const inbox = await tempDir('apdesk-inbox-');
    await expectOk(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await expectOk(['queue', 'add', '--vault', 'harbor', 'AP Inbox', ...d]);
    await expectOk(['queue', 'add', '--vault', 'harbor', 'Receipts', ...d]);

    // A relative DIR is taken from the current folder and stored absolute.
    const set = await runCli(['queue', 'inbox', '--vault', 'harbor', 'ap inbox', relative(process.cwd(), inbox), ...d]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`Files dropped into ${inbox} become documents in queue 'AP Inbox' of vault 'Harbor'`);
    expect(set.stderr).toBe('apdesk: warning: the Folder Watch Import job is not enabled for this vault, so nothing is taken yet: apdesk jobs enable --vault harbor folder-watch\n');
    await expectOk(['jobs', 'enable', '--vault', 'harbor', 'folder-watch', ...d]);
    expect((await expectOk(['queue', 'inbox', '--vault', 'harbor', 'ap-inbox', inbox, ...d])).stdout).toContain(`Already: files dropped into ${inbox}`);

    const listed = JSON.parse((await expectOk(['queue', 'list', '--vault', 'harbor', '--json', ...d])).stdout);
    expect(listed.map((queue: any) => [queue.id, queue.inbox ?? null])).toEqual([['ap-inbox', inbox], ['receipts', null]]);
    const text = (await expectOk(['queue', 'list', '--vault', 'harbor', ...d])).stdout;
    expect(text).toMatch(/^ID\s+NAME\s+DOCUMENTS\s+INBOX$/m);
    expect(text).toMatch(new RegExp(`^ap-inbox\\s+AP Inbox\\s+0\\s+${inbox}$`, 'm'));
    expect(text).toMatch(/^receipts\s+Receipts\s+0\s+-$/m);

    expect((await expectOk(['queue', 'inbox', '--vault', 'harbor', 'AP Inbox', '--clear', ...d])).stdout).toBe("Queue 'AP Inbox' of vault 'Harbor' no longer has an inbox folder.\n");
    expect(JSON.parse((await expectOk(['queue', 'list', '--vault', 'harbor', '--json', ...d])).stdout)[0].inbox).toBeUndefined();
    expect((await expectOk(['queue', 'inbox', '--vault', 'harbor', 'AP Inbox', '--clear', ...d])).stdout).toContain('has no inbox folder; nothing to clear');
  });

  it('refuses a folder it could not watch, and changes nothing', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    const files = await tempDir('apdesk-files-');
    const inbox = await tempDir('apdesk-inbox-');
    await writeFile(join(files, 'scan.pdf'), pdfA);
    await expectOk(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await expectOk(['queue', 'add', '--vault', 'harbor', 'AP Inbox', ...d]);
    await expectOk(['queue', 'add', '--vault', 'harbor', 'Receipts', ...d]);
    await expectOk(['queue', 'inbox', '--vault', 'harbor', 'Receipts', inbox, ...d], { warnings: 'allow' });
    await expectOk(['user', 'add', 'lee', '--role', 'processor', ...d]);
    const before = await snapshot(dir);

    const missing = join(files, 'no such folder');
    const refusals: [string[], string | RegExp, number][] = [
      [[missing], `apdesk: folder ${missing} does not exist — create it first (mkdir -p), or give the folder files are dropped into; nothing was changed\n`, 1],
      [[join(files, 'scan.pdf')], `apdesk: ${join(files, 'scan.pdf')} is a file, not a folder — give the folder files are dropped into; nothing was changed\n`, 1],
      [[dir], /is inside the data dir .*; give a folder outside it; nothing was changed/, 1],
      [[inbox], `apdesk: ${inbox} is already the inbox of queue 'Receipts' in vault 'Harbor'; one folder feeds one queue — give another folder; nothing was changed\n`, 1],
      [[files, '--user', 'lee'], /user 'lee' may not set a queue inbox: it needs the admin role/, 1],
      [[files, '--clear'], /give either DIR or --clear, not both/, 2],
      [[], /give the inbox folder DIR, or --clear/, 2],
    ];
    for (const [args, message, code] of refusals) {
      const result = await runCli(['queue', 'inbox', '--vault', 'harbor', 'AP Inbox', ...args, ...d]);
      expect(result.stderr, args.join(' ')).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stdout).toBe('');
    }
    const locked = await tempDir('apdesk-locked-');
    await chmod(locked, 0o500);
    const probe = await writeFile(join(locked, '.probe'), '').then(() => true, () => false);
    const result = await runCli(['queue', 'inbox', '--vault', 'harbor', 'AP Inbox', locked, ...d]);
    // root may write anywhere: there is nothing to refuse then.
    if (!probe) {
      expect(result.stderr).toMatch(new RegExp(`^apdesk: folder ${locked} is not readable and writable by \\S+ — the folder watch reads the files dropped there and moves them into imported/ and refused/ inside it`));
      expect(result.code).toBe(1);
    } else {
      expect(result.code).toBe(0);
      await expectOk(['queue', 'inbox', '--vault', 'harbor', 'AP Inbox', '--clear', ...d]);
    }
    await chmod(locked, 0o700);
    const after = await snapshot(dir);
    // The lock file and the logs may differ; the settings must not.
    expect(after['settings.json']).toBe(before['settings.json']);
  });
});

/** The job in a process of its own, from the compiled dist/. */
const CHILD = fileURLToPath(new URL('../helpers/run-folder-watch.mjs', import.meta.url));


describe('killed with SIGKILL at a random moment', () => {
  it('ends with every file one invoice and in imported/, nothing left in the inbox, run after run', { timeout: 300_000 }, async () => {
    const { desk, inbox, dataDir } = await setUp();
    const documents = join(dataDir, 'vaults', 'harbor', 'documents');
    const expected = new Map<string, string>();

    /** Ten new files, each its own bytes. */
    const dropFiles = async (round: number): Promise<string[]> => {
      const names: string[] = [];
      for (let n = 1; n <= 10; n++) {
        const name = `r${String(round).padStart(2, '0')}-${String(n).padStart(2, '0')}.pdf`;
        const bytes = await pdfWithPages(1, `round ${round} file ${n}`);
        await writeFile(join(inbox, name), bytes);
        expected.set(name, sha256(bytes));
        names.push(name);
      }
      return names;
    };

    const startChild = async () => {
      const child = spawn(process.execPath, [CHILD, dataDir, 'harbor'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const ended = exited(child);
      await waitForLine(child, 'ready');
      return { child, ended, readyAt: Date.now() };
    };

    // Round 0 runs undisturbed to learn how long a run takes here.
    await dropFiles(0);
    const calm = await startChild();
    const calmEnd = await calm.ended;
    expect(calmEnd.code, calmEnd.stderr).toBe(0);
    const runMs = Date.now() - calm.readyAt;

    const killedAt: string[] = [];
    for (let round = 1; round <= 10; round++) {
      await dropFiles(round);
      const { child, ended } = await startChild();
      const delay = Math.random() * runMs;
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      const end = await ended;
      expect(end.signal === 'SIGKILL' || end.code === 0, end.stderr).toBe(true);
      const storedByChild = (await invoicesOf(desk, 'harbor')).length - (expected.size - 10);
      let recovered = 0;

      // The next runs, here, finish the work: the killed run's look may have been saved or not.
      for (let pass = 0; pass < 2; pass++) {
        const again = await watch(desk, 'harbor', { job: folderWatch({ settleMs: 0 }), now: () => Date.now() });
        expect(again.report.errors).toEqual([]);
        expect(again.report.failed).toEqual([]);
        recovered += again.report.skipped.length;
      }
      // When it was killed, how many files its run had stored, and how many of those it had not moved aside yet.
      killedAt.push(`${Math.round(delay)} ms (${storedByChild} stored, ${recovered} not moved)`);

      expect(await readdir(inbox), `round ${round}: nothing left in the inbox`).toEqual(['imported']);
      expect((await readdir(join(inbox, 'imported'))).sort(), `round ${round}: every file in imported/, once`).toEqual([...expected.keys()].sort());
      const invoices = await invoicesOf(desk, 'harbor');
      const hashes = invoices.map((invoice) => invoice.attachments[0]!.sha256).sort();
      expect(hashes, `round ${round}: every file one invoice`).toEqual([...expected.values()].sort());
      for (const invoice of invoices) {
        expect(await readFile(join(dataDir, invoice.attachments[0]!.path)).then(sha256), invoice.id).toBe(invoice.attachments[0]!.sha256);
      }
      const ids = new Set<string>(invoices.map((invoice) => invoice.id));
      // Nothing else in the documents folder: no temporary folder, none for an invoice never recorded.
      expect((await readdir(documents)).filter((entry) => !ids.has(entry)), `round ${round}: debris in the vault's documents folder`).toEqual([]);
    }
    console.log(`folder watch kill test: a run took ${runMs} ms; killed after ${killedAt.join(', ')}`);
  });
});
