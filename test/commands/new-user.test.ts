// What a new user tripped on, each as the command line they typed. Every test here failed before
// its fix; the title names the defect.
import { beforeEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';
import { pdfWithPages } from '../helpers/files.js';

let dir: string;
let files: string;
const d = () => ['--data-dir', dir];
const ok = async (args: string[]) => (await expectOk([...args, ...d()], { warnings: 'allow' })).stdout;
const run = (args: string[]) => runCli([...args, ...d()]);

beforeEach(async () => {
  dir = await tempDir();
  files = await tempDir();
});

/** The demo vault (Sage 300, its ledger, a routing rule) with two uncoded scans in AP Inbox: INV-000001 and INV-000002. */
async function twoDocuments(): Promise<void> {
  await ok(['demo']);
  await writeFile(join(files, 'b.pdf'), await pdfWithPages(2, 'B'));
  await ok(['queue', 'add-document', '--vault', 'demo-construction', '--queue', 'AP Inbox', join(files, 'b.pdf')]);
}

describe('commands over several ids (defect 2)', () => {
  it('check every id before doing anything: `invoices route A B` with an unknown B changes nothing', async () => {
    await twoDocuments();
    const before = await snapshot(dir);
    const result = await run(['invoices', 'route', 'INV-000001', 'INV-999999']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("apdesk: no invoice 'INV-999999'; nothing was done (`apdesk invoices list`)\n");
    expect(await snapshot(dir)).toEqual(before);
  });

  it('do each id once and print each outcome', async () => {
    await twoDocuments();
    const result = await run(['invoices', 'validate', 'INV-000001', 'inv-000001', 'INV-000002']);
    expect(result.stdout.match(/^INV-000001: /gm)).toHaveLength(1);
    expect(result.stdout).toMatch(/^INV-000002: /m);
    const trail = JSON.parse(await ok(['audit', '--vault', 'demo-construction', '--invoice', 'INV-000001', '--json']));
    expect(trail.filter((row: { action: string }) => row.action === 'invoice.validated')).toHaveLength(1);
  });

  it('report an id that could not be done beside the ones that were', async () => {
    await twoDocuments();
    await ok(['invoices', 'hold', 'INV-000002', '--reason', 'vendor disputes it']);
    const result = await run(['invoices', 'route', 'INV-000001', 'INV-000002']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^INV-000001: not routed — now incomplete\./m);
    expect(result.stdout).toMatch(/^INV-000002: not done — invoice INV-000002 is on hold \(vendor disputes it\) — release it first \(`apdesk invoices release INV-000002`\)$/m);
    expect(result.stderr).toBe('apdesk: 1 invoice could not be routed and stays in its queue; 1 invoice could not be tried\n');
  });
});

describe('status (defect 4)', () => {
  it('counts incomplete, rejected and on-hold invoices too', async () => {
    await twoDocuments();
    await run(['invoices', 'route', 'INV-000001']);
    await ok(['invoices', 'hold', 'INV-000002', '--reason', 'waiting on a lien waiver']);
    const text = await ok(['status']);
    expect(text).toMatch(/^incomplete\s+1$/m);
    expect(text).toMatch(/^on-hold\s+1$/m);
    expect(text).toMatch(/^rejected\s+0$/m);
    const json = JSON.parse(await ok(['status', '--json']));
    expect(json.vaults[0].byStatus).toMatchObject({ incomplete: 1, 'on-hold': 1, rejected: 0, unprocessed: 0 });
  });
});

describe('negative amounts (defect 6)', () => {
  it('parse after any amount flag, and are refused unless the invoice is a credit memo', async () => {
    await twoDocuments();
    const before = await snapshot(dir);
    const refused = await run(['invoices', 'edit', 'INV-000001', '--total', '-50.00']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'apdesk: invoice INV-000001 has a negative total -$50.00; only a credit memo may be negative — mark it as a credit memo, or enter the amount without a minus sign (`apdesk invoices edit INV-000001 --credit-memo on`)\n',
    );
    expect(await snapshot(dir)).toEqual(before);
    const lineRefused = await run(['invoices', 'edit', 'INV-000001', '--add-line', '--set', '1.amount=-50.00']);
    expect(lineRefused.stderr).toMatch(/negative line 1 amount -\$50\.00/);
    expect(await ok(['invoices', 'edit', 'INV-000001', '--total', '-50.00', '--credit-memo', 'on'])).toMatch(/changed total, creditMemo/);
    const shown = JSON.parse(await ok(['invoices', 'show', 'INV-000001', '--json']));
    expect(shown.header).toMatchObject({ total: '-50.00', creditMemo: true });
  });
});

describe('usage errors exit 2 (defect 7)', () => {
  it.each([
    ['an accounting system that is not one', ['vault', 'add', 'X', '--accounting', 'quickbooks'], /accounting system 'quickbooks' is not one of: sage100, sage300, other/],
    ['a status that is not one', ['invoices', 'list', '--status', 'done'], /status 'done' is not one of/],
    ['hold without --reason', ['invoices', 'hold', 'INV-000001'], /missing --reason TEXT/],
    ['reject without --reason', ['invoices', 'reject', 'INV-000001'], /missing --reason TEXT/],
    ['a sort column that is not one', ['invoices', 'list', '--sort', 'colour'], /--sort takes created, updated, id/],
    ['a licence that is not one', ['license', 'grant', '--vault', 'demo-construction', 'sap'], /licence 'sap' is not one of/],
  ])('%s', async (_what, args, message) => {
    await twoDocuments();
    const before = await snapshot(dir);
    const result = await run(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('licences (defect 8)', () => {
  it('refuses the procore licence on a vault bridged to another accounting system', async () => {
    await ok(['vault', 'add', 'Corner Shop', '--accounting', 'other']);
    const before = await snapshot(dir);
    const result = await run(['license', 'grant', '--vault', 'corner-shop', 'procore']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bridged to Other, and the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300/);
    expect(await snapshot(dir)).toEqual(before);
    await ok(['license', 'grant', '--vault', 'corner-shop', 'cloud-sync']);
  });
});

describe('the same file added twice (defect 9)', () => {
  it('is refused, naming the earlier invoice, unless --allow-duplicate says it is meant', async () => {
    await twoDocuments();
    const before = await snapshot(dir);
    const again = await run(['queue', 'add-document', '--vault', 'demo-construction', '--queue', 'AP Inbox', join(files, 'b.pdf')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/b\.pdf is already in vault 'Demo Construction' as invoice INV-000002 \(unprocessed\); nothing was added — add it again on purpose with --allow-duplicate/);
    const twice = await run(['queue', 'add-document', '--vault', 'demo-construction', '--queue', 'AP Inbox', join(files, 'b.pdf'), join(files, 'b.pdf')]);
    expect(twice.stderr).toMatch(/is the same file as .*b\.pdf, given twice/);
    expect(await snapshot(dir)).toEqual(before);
    expect(await ok(['queue', 'add-document', '--vault', 'demo-construction', '--queue', 'AP Inbox', '--allow-duplicate', join(files, 'b.pdf')])).toMatch(/Added INV-000003/);
  });
});

describe('--user (defect 10)', () => {
  it('lets an admin act as another user, and the audit names both', async () => {
    await twoDocuments();
    await ok(['user', 'add', 'clerk', '--role', 'processor']);
    await ok(['invoices', 'hold', 'INV-000001', '--reason', 'checking', '--user', 'clerk']);
    const [row] = JSON.parse(await ok(['audit', '--vault', 'demo-construction', '--invoice', 'INV-000001', '--json'])).slice(-1);
    expect(row).toMatchObject({ user: 'clerk', actingAdmin: expect.any(String), action: 'invoice.held' });
    expect(await ok(['audit', '--vault', 'demo-construction', '--invoice', 'INV-000001'])).toMatch(/ as clerk +INV-000001 +invoice\.held/);
  });

  it('is refused to anyone who is not an admin', async () => {
    await twoDocuments();
    await ok(['user', 'add', 'ada', '--role', 'admin']);
    const me = JSON.parse(await ok(['status', '--json'])).user;
    // The OS user steps down to processor; ada stays admin.
    await ok(['user', 'add', me, '--role', 'processor']);
    const before = await snapshot(dir);
    const result = await run(['invoices', 'hold', 'INV-000001', '--reason', 'x', '--user', 'ada']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`apdesk: --user ada: only an admin may act as another user, and ${me} is not one — leave out --user to act as ${me}\n`);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('is refused on a data dir that has no users yet (its first writer becomes the admin)', async () => {
    const result = await run(['vault', 'add', 'Harbor', '--accounting', 'sage300', '--user', 'mallory']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/this data dir has no users yet — run a command without --user first/);
  });
});

describe('wording (defect 12)', () => {
  it('says each route reason once and counts without "(s)"', async () => {
    await twoDocuments();
    const result = await run(['invoices', 'route', 'INV-000001', 'INV-000002']);
    expect(result.stdout + result.stderr).not.toContain('(s)');
    const block = result.stdout.split(/^INV-000002/m)[0]!;
    const reasons = block.split('\n').filter((line) => line.startsWith('  '));
    expect(new Set(reasons).size).toBe(reasons.length);
    expect(block).not.toMatch(/^ {2}error: /m);
    expect(result.stderr).toBe('apdesk: 2 invoices could not be routed and stay in their queues\n');
  });
});

describe('the demo (README)', () => {
  it('is made headless in an empty data dir, and never in one that holds anything', async () => {
    expect(await ok(['demo'])).toMatch(/Created the demo vault 'Demo Construction'/);
    const before = await snapshot(dir);
    const again = await run(['demo']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds settings\.json; the demo is only created in an empty data dir/);
    expect(await snapshot(dir)).toEqual(before);
    const other = await tempDir();
    await writeFile(join(other, 'notes.txt'), 'mine');
    expect((await runCli(['demo', '--data-dir', other])).stderr).toMatch(/already holds notes\.txt/);
  });

  it("is made in the repository's own data/ on a fresh clone, which holds only its README", async () => {
    const fresh = await tempDir();
    await writeFile(join(fresh, 'README.md'), await readFile(join(process.cwd(), 'data', 'README.md'), 'utf8'));
    const made = await runCli(['demo', '--data-dir', fresh]);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/Created the demo vault 'Demo Construction'/);
  });
});

describe('wide characters in the CLI tables (defect 11)', () => {
  it('a vault named in CJK gets an ASCII id, and its columns line up as a terminal shows them', async () => {
    const { displayWidth } = await import('../../source/text/width.js');
    await ok(['vault', 'add', '東京建設', '--accounting', 'sage300']);
    await ok(['vault', 'add', 'Harbor Builders', '--accounting', 'sage100']);
    const list = (await ok(['vault', 'list'])).trimEnd().split('\n');
    expect(list[1]).toMatch(/^vault-1 +東京建設 +Sage 300/);
    // Where ACCOUNTING starts on the screen is where each row's accounting system starts.
    const column = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)));
    const at = column(list[0]!, 'ACCOUNTING');
    expect(column(list[1]!, 'Sage 300')).toBe(at);
    expect(column(list[2]!, 'Sage 100')).toBe(at);
  });
});

describe('a choice given in another case', () => {
  it('is taken as the choice it names', async () => {
    await twoDocuments();
    await ok(['invoices', 'edit', 'INV-000001', '--total', '90.00']);
    await ok(['invoices', 'edit', 'INV-000002', '--total', '10.00']);
    const [top] = JSON.parse(await ok(['invoices', 'list', '--vault', 'demo-construction', '--sort', 'TOTAL', '--desc', '--limit', '1', '--json']));
    expect(top.id).toBe('INV-000001');
  });
});
