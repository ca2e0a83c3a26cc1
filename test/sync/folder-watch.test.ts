// The queue inbox setting on the real disk, through the commands a user types.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmod, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pdfWithPages } from '../helpers/files.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';

let pdfA: Uint8Array;
beforeAll(async () => {
  pdfA = await pdfWithPages(2, 'Invoice A');
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
