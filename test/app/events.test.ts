// The desk announces what its services changed, so the console and the sync loop refresh from
// events instead of polling files.
import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDesk } from '../../source/app/desk.js';
import type { DeskEventMap } from '../../source/app/events.js';
import { tempDir } from '../helpers/temp.js';
import { pdfWithPages } from '../helpers/files.js';

describe('desk events', () => {
  it('announce admin changes, added documents and workflow steps', async () => {
    const dir = await tempDir();
    const desk = await openDesk({ dataDir: dir });
    const seen: string[] = [];
    const stopSettings = desk.events.on('settings.changed', ({ what }) => seen.push(`settings:${what}`));
    const stopInvoices = desk.events.on('invoices.changed', ({ ids, action }: DeskEventMap['invoices.changed']) => seen.push(`invoices:${action}:${ids.join(',')}`));
    const vault = await desk.vaults.add({ name: 'Harbor', accounting: 'sage300' });
    await desk.vaults.addQueue({ vault: vault.id, name: 'AP Inbox' });
    const file = join(await tempDir(), 'scan.pdf');
    await writeFile(file, await pdfWithPages(1));
    await desk.documents.add({ vault: vault.id, queue: 'AP Inbox', paths: [file] });
    await desk.workflow.hold('INV-000001', 'waiting on a lien waiver');
    // A refusal changes nothing, and says nothing.
    await expect(desk.workflow.hold('INV-000001', 'again')).rejects.toThrow(/already on hold/);
    stopSettings();
    stopInvoices();
    await desk.workflow.release('INV-000001');
    expect(seen).toEqual(['settings:vaults', 'settings:queues', 'invoices:added:INV-000001', 'invoices:held:INV-000001']);
  });

  it('report a damaged store file found while the desk is open', async () => {
    const dir = await tempDir();
    const desk = await openDesk({ dataDir: dir });
    await desk.vaults.add({ name: 'Harbor', accounting: 'sage300' });
    await desk.vaults.addQueue({ vault: 'harbor', name: 'AP Inbox' });
    const problems: string[] = [];
    desk.events.on('problem', ({ message }) => problems.push(message));
    await writeFile(join(dir, 'settings.json'), '{"vaults": [');
    expect((await desk.vaults.list()).map((v) => v.name)).toEqual(['Harbor']);
    expect(problems).toEqual([expect.stringMatching(/settings\.json was damaged .*recovered the previous version/)]);
  });
});
