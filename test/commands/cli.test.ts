import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';
import { jpeg, pdfWithPages, png } from '../helpers/files.js';

async function ok(args: string[]): Promise<string> {
  return (await expectOk(args)).stdout;
}

async function json<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

let files: string;
beforeAll(async () => {
  files = await tempDir('apdesk-files-');
  await writeFile(join(files, 'three-pages.pdf'), await pdfWithPages(3));
  await writeFile(join(files, 'photo.jpg'), jpeg(640, 480));
  await writeFile(join(files, 'scan.png'), png(300, 400));
  await writeFile(join(files, 'notes.txt'), 'not an invoice');
  await writeFile(join(files, 'fake.pdf'), '<html>Access denied</html>');
  await writeFile(join(files, 'broken.pdf'), '%PDF-1.7\n1 0 obj garbage');
  await writeFile(join(files, 'empty.pdf'), '');
  await mkdir(join(files, 'folder.pdf'));
});

describe('a working desk from the command line', () => {
  it('creates vaults, licences, queues and documents, and lists them', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    expect(await ok(['vault', 'add', 'Harbor Builders', '--accounting', 'sage300', ...d])).toContain("Created vault 'Harbor Builders' (id harbor-builders, Sage 300)");
    await ok([...d, 'vault', 'add', 'Quarry Co', '--accounting', 'other']);
    expect(await ok(['license', 'grant', '--vault', 'Harbor Builders', 'procore', ...d])).toContain('Granted the procore licence');
    expect(await ok(['license', 'grant', '--vault', 'harbor-builders', 'procore', ...d])).toContain('already has the procore licence');
    await ok(['license', 'grant', '--vault', 'harbor-builders', 'cloud-sync', ...d]);
    await ok(['license', 'revoke', '--vault', 'harbor-builders', 'cloud-sync', ...d]);
    await ok(['queue', 'add', '--vault', 'harbor-builders', 'AP Inbox', ...d]);
    await ok(['queue', 'add', '--vault', 'harbor-builders', 'Procore Invoices', ...d]);

    const vaults = await json(['vault', 'list', ...d]);
    expect(vaults.map((v: any) => [v.id, v.accounting, v.licences, v.queues.length])).toEqual([
      ['harbor-builders', 'sage300', ['procore'], 2],
      ['quarry-co', 'other', [], 0],
    ]);

    const added = await json([
      'queue', 'add-document', '--vault', 'Harbor Builders', '--queue', 'ap inbox',
      join(files, 'three-pages.pdf'), join(files, 'photo.jpg'), join(files, 'scan.png'), ...d,
    ]);
    expect(added.map((a: any) => [a.id, a.pages, a.status])).toEqual([
      ['INV-000001', 3, 'unprocessed'],
      ['INV-000002', 1, 'unprocessed'],
      ['INV-000003', 1, 'unprocessed'],
    ]);
    for (const entry of added) {
      const pdf = await PDFDocument.load(await readFile(entry.documentPath));
      expect(pdf.getPageCount()).toBe(entry.pages);
    }

    const listed = await json(['invoices', 'list', '--vault', 'harbor-builders', '--queue', 'AP Inbox', '--status', 'unprocessed', ...d]);
    // Every match is streamed in the order it is stored; --sort asks for the list's order.
    expect(listed.map((i: any) => i.id).sort()).toEqual(['INV-000001', 'INV-000002', 'INV-000003']);
    const sorted = await json(['invoices', 'list', '--vault', 'harbor-builders', '--sort', 'id', '--desc', ...d]);
    expect(sorted.map((i: any) => i.id)).toEqual(['INV-000003', 'INV-000002', 'INV-000001']);
    const page = await json(['invoices', 'list', '--vault', 'harbor-builders', '--sort', 'id', '--limit', '2', '--offset', '1', ...d]);
    expect(page.map((i: any) => i.id)).toEqual(['INV-000002', 'INV-000003']);
    expect(await json(['invoices', 'list', '--status', 'paid', ...d])).toEqual([]);
    expect(await ok(['invoices', 'list', ...d])).toMatch(/INV-000001\s+harbor-builders\s+AP Inbox\s+unprocessed/);

    const shown = await json(['invoices', 'show', 'inv-000002', ...d]);
    expect(shown.documentPath).toBe(join(dir, 'vaults', 'harbor-builders', 'documents', 'INV-000002', 'document.pdf'));
    expect(existsSync(shown.documentPath)).toBe(true);
    expect(shown.attachments.map((a: any) => [a.role, a.name, a.contentType])).toEqual([
      ['document', 'photo.jpg.pdf', 'application/pdf'],
      ['original', 'photo.jpg', 'image/jpeg'],
    ]);
    expect(await readFile(shown.attachments[1].path)).toEqual(await readFile(join(files, 'photo.jpg')));
    expect(shown.audit).toEqual([expect.objectContaining({ action: 'document.added', outcome: 'ok', detail: expect.stringContaining('photo.jpg') })]);
    expect(await ok(['invoices', 'show', 'INV-000001', ...d])).toContain('(3 pages)');

    const vault = await json(['vault', 'show', 'harbor-builders', ...d]);
    expect(vault.queues.map((q: any) => [q.name, q.documents])).toEqual([['AP Inbox', 3], ['Procore Invoices', 0]]);
    expect((await json(['queue', 'list', '--vault', 'harbor-builders', ...d])).map((q: any) => q.id)).toEqual(['ap-inbox', 'procore-invoices']);

    const status = await json(['status', ...d]);
    expect(status.vaults[0].byStatus.unprocessed).toBe(3);
    expect(status.roles).toContain('admin');
  });

  it('takes the data dir from APDESK_DATA_DIR, and global flags before the command', async () => {
    const dir = await tempDir();
    expect((await runCli(['vault', 'add', 'Env', '--accounting', 'sage100'], { env: { APDESK_DATA_DIR: dir } })).code).toBe(0);
    const listed = JSON.parse((await runCli(['--data-dir', dir, '--json', 'vault', 'list'])).stdout);
    expect(listed[0].name).toBe('Env');
  });

  it('manages users and refuses admin work to a non-admin', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await ok(['user', 'add', 'lee', '--role', 'processor', ...d]);
    const result = await runCli(['vault', 'add', 'Other', '--accounting', 'sage300', '--user', 'lee', ...d]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("apdesk: user 'lee' may not add a vault: it needs the admin role, which an admin can give (`apdesk user add lee --role admin`)\n");
    expect((await json(['user', 'list', ...d])).map((u: any) => u.name)).toEqual([expect.any(String), 'lee']);
  });

  it('prints help for everything and for one command', async () => {
    const main = await ok(['--help']);
    for (const command of ['status', 'vault add', 'queue add-document', 'invoices show', 'license grant']) expect(main).toContain(command);
    expect(await ok(['help', 'queue', 'add-document'])).toContain('apdesk queue add-document --vault VAULT --queue QUEUE [--allow-duplicate] FILE...');
    expect(await ok(['vault', 'add', '--help'])).toContain('--accounting SYSTEM');
    expect(await ok(['help', 'vault'])).toContain('apdesk vault show VAULT');
  });

  it('without a terminal, says how to run the console and exits 2', async () => {
    const result = await runCli([], { isTTY: false });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the console needs a terminal');
    expect(result.stderr).toContain('apdesk --help');
  });
});

describe('bad input', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    const d = ['--data-dir', dir];
    await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await ok(['vault', 'add', 'Quarry', '--accounting', 'sage100', ...d]);
    await ok(['queue', 'add', '--vault', 'Harbor', 'AP Inbox', ...d]);
    await ok(['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', join(files, 'scan.png'), ...d]);
    await ok(['user', 'add', 'lee', '--role', 'reviewer', ...d]);
  });

  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate' — run `apdesk --help`/],
    ['unknown subcommand', ['vault', 'delete', 'Harbor'], /no command 'apdesk vault delete' — the vault commands are: list, add, show/],
    ['group without subcommand', ['queue'], /'apdesk queue' needs a subcommand: list, add, add-document/],
    ['unknown flag', ['vault', 'list', '--verbose'], /unknown option '--verbose' — see `apdesk help vault list`/],
    ['vault add without accounting', ['vault', 'add', 'New'], /--accounting sage100\|sage300\|other/],
    ['vault add with a bad accounting', ['vault', 'add', 'New', '--accounting', 'xero'], /accounting system 'xero' is not one of/],
    ['vault add with a taken name', ['vault', 'add', 'harbor', '--accounting', 'sage300'], /a vault named 'Harbor' already exists/],
    ['vault add with an empty name', ['vault', 'add', '  ', '--accounting', 'sage300'], /vault name is empty/],
    ['vault add with two names', ['vault', 'add', 'A', 'B', '--accounting', 'sage300'], /unexpected argument 'B'/],
    ['vault add as a non-admin', ['vault', 'add', 'New', '--accounting', 'sage300', '--user', 'lee'], /needs the admin role/],
    ['vault show of an unknown vault', ['vault', 'show', 'Nowhere'], /no vault 'Nowhere' — known vaults: Harbor, Quarry/],
    ['vault show without a vault', ['vault', 'show'], /missing VAULT — usage: apdesk vault show VAULT/],
    ['license for an unknown vault', ['license', 'grant', '--vault', 'Nowhere', 'procore'], /no vault 'Nowhere'/],
    ['license of an unknown kind', ['license', 'grant', '--vault', 'Harbor', 'docusign'], /licence 'docusign' is not one of: procore, cloud-sync/],
    ['license without a vault', ['license', 'revoke', 'procore'], /say which vault/],
    ['queue list without a vault', ['queue', 'list'], /say which vault with --vault/],
    ['queue add with a taken name', ['queue', 'add', '--vault', 'Harbor', 'ap inbox'], /already has a queue named 'AP Inbox'/],
    ['queue add to an unknown vault', ['queue', 'add', '--vault', 'Nowhere', 'X'], /no vault 'Nowhere'/],
    ['add-document to an unknown queue', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'Nope', '@three-pages.pdf'], /has no queue 'Nope' — its queues: AP Inbox/],
    ['add-document to a vault without queues', ['queue', 'add-document', '--vault', 'Quarry', '--queue', 'X', '@three-pages.pdf'], /has no queues yet/],
    ['add-document without a queue', ['queue', 'add-document', '--vault', 'Harbor', '@three-pages.pdf'], /say which queue with --queue/],
    ['add-document without files', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox'], /missing FILE\.\.\./],
    ['add-document of a missing file', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@missing.pdf'], /missing\.pdf does not exist; check the path/],
    ['add-document of a text file', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@notes.txt'], /notes\.txt is not a PDF, JPEG or PNG file/],
    ['add-document of HTML named .pdf', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@fake.pdf'], /fake\.pdf is not a PDF, JPEG or PNG file/],
    ['add-document of a broken PDF', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@broken.pdf'], /broken\.pdf is not a readable PDF/],
    ['add-document of an empty file', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@empty.pdf'], /empty\.pdf is empty/],
    ['add-document of a directory', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@folder.pdf'], /folder\.pdf is not a file/],
    ['add-document with one bad file among good ones', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@three-pages.pdf', '@notes.txt', '@scan.png'], /notes\.txt is not a PDF/],
    ['add-document as a reviewer', ['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', '@scan.png', '--user', 'lee'], /may not add documents: it needs the admin or processor role/],
    ['invoices list with a bad status', ['invoices', 'list', '--status', 'done'], /status 'done' is not one of: unprocessed, incomplete/],
    ['invoices list by queue across vaults', ['invoices', 'list', '--queue', 'AP Inbox'], /--queue needs --vault/],
    ['invoices list of an unknown queue', ['invoices', 'list', '--vault', 'Harbor', '--queue', 'Nope'], /has no queue 'Nope'/],
    ['invoices show of an unknown id', ['invoices', 'show', 'INV-999999'], /no invoice 'INV-999999'/],
    ['an empty --data-dir', ['status', '--data-dir', ''], /--data-dir needs a directory/],
    ['a flag without its value', ['vault', 'add', 'X', '--accounting'], /--accounting/],
    ['a --data-dir that is a file', ['status', '--data-dir', '@notes.txt'], /data dir \S+notes\.txt is a file, not a directory — give --data-dir a directory/],
    ['a --data-dir under a file', ['vault', 'add', 'X', '--accounting', 'sage300', '--data-dir', '@notes.txt/data'], /part of its path is a file/],
    ['an edit with fractions of a cent', ['invoices', 'edit', 'INV-000001', '--total', '12.345'], /total '12\.345' has fractions of a cent; .* \(write amounts like 1087\.80\)/],
    ['an edit with a word for an amount', ['invoices', 'edit', 'INV-000001', '--add-line', '--set', '1.amount=lots'], /line 1 amount 'lots' is not a decimal amount/],
  ];

  it.each(cases)('%s: exits non-zero with one line and leaves the store byte-for-byte unchanged', async (_, args, message) => {
    const before = await snapshot(dir);
    const argv = args.map((arg) => (arg.startsWith('@') ? join(files, arg.slice(1)) : arg));
    const result = await runCli([...argv, ...(argv.includes('--data-dir') ? [] : ['--data-dir', dir])]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apdesk: [^\n]+\n$/);
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.stderr).toMatch(message);
    expect(await snapshot(dir)).toEqual(before);
  });

  // root may write anywhere, so this one needs an ordinary user.
  it.skipIf(process.getuid?.() === 0)('a data dir the user may not write: says so, names the user, changes nothing', async () => {
    const readOnly = await tempDir();
    await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', '--data-dir', readOnly]);
    await chmod(readOnly, 0o555);
    try {
      const before = await snapshot(readOnly);
      const result = await runCli(['vault', 'add', 'Quarry', '--accounting', 'sage100', '--data-dir', readOnly]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`apdesk: permission denied on ${readOnly} — the data dir and everything in it must be readable and writable by ${userInfo().username}; nothing was changed\n`);
      expect(await snapshot(readOnly)).toEqual(before);
    } finally {
      await chmod(readOnly, 0o755);
    }
  });

  it('an unreadable file: says permission denied and changes nothing', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything; use a path under a file instead, which no user can open.
      const result = await runCli(['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', join(files, 'notes.txt', 'x.pdf'), '--data-dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/cannot be read|does not exist/);
      return;
    }
    const locked = join(files, 'locked.pdf');
    await writeFile(locked, await pdfWithPages(1));
    await chmod(locked, 0o000);
    const before = await snapshot(dir);
    const result = await runCli(['queue', 'add-document', '--vault', 'Harbor', '--queue', 'AP Inbox', locked, '--data-dir', dir]);
    expect(result.stderr).toMatch(/permission denied/);
    expect(await snapshot(dir)).toEqual(before);
  });
});
