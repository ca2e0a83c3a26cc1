// One invoice through the whole desk, on the real disk, through the commands a user types:
// unprocessed → (incomplete) → pending → approved → exported → paid, with its audit trail.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';
import { pdfWithPages } from '../helpers/files.js';
import { openDesk } from '../../source/app/desk.js';

let dir: string;
let ledger: string;
/** The scanned invoice and the routing rules, beside the ledger in a temp dir of their own. */
let invoicePdf: string;
let rulesFile: string;

async function as(user: string, args: string[]) {
  return runCli([...args, '--data-dir', dir, '--user', user]);
}

/** `apdesk audit` reads --user as a filter, so it runs without an acting user. */
async function auditJson(args: string[]) {
  const result = await runCli(['audit', '--vault', 'harbor', ...args, '--json', '--data-dir', dir]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout);
}

async function ok(user: string, args: string[]): Promise<string> {
  return (await expectOk([...args, '--data-dir', dir, '--user', user], { warnings: 'allow' })).stdout;
}

/** A scanned invoice from ABC Concrete, coded to one line on job 2301 (and to the commitment, unless told not to). */
async function addCodedInvoice(id: string, number: string, date: string, amount: string, { commitment = true } = {}): Promise<void> {
  // The same scanned file stands for every invoice here: added again on purpose.
  await ok('clerk', ['queue', 'add-document', '--vault', 'harbor', '--queue', 'AP Inbox', '--allow-duplicate', invoicePdf]);
  const committed = commitment ? ['--set', '1.commitment=SC-2301-01', '--set', `1.amount=${amount}`, '--set', '1.type=subcontract'] : ['--set', `1.amount=${amount}`];
  await ok('clerk', [
    'invoices', 'edit', id, '--vendor', 'ABC-CON', '--invoice-number', number, '--invoice-date', date, '--total', amount,
    '--add-line', '--set', '1.job=2301', '--set', '1.cost-code=03-300', ...committed,
  ]);
}

const csv = (rows: string[][]) => rows.map((row) => row.join(',')).join('\n') + '\n';

beforeAll(async () => {
  dir = await tempDir();
  const files = await tempDir();
  ledger = join(files, 'ledger');
  invoicePdf = join(files, 'invoice.pdf');
  rulesFile = join(files, 'rules.json');
  await mkdir(ledger, { recursive: true });
  await writeFile(join(ledger, 'vendors.csv'), csv([['code', 'name', 'status'], ['ABC-CON', 'ABC Concrete', 'active'], ['OLD-VND', 'Old Vendor', 'inactive']]));
  await writeFile(join(ledger, 'jobs.csv'), csv([['code', 'name', 'status'], ['2301', 'Harbor View', 'open']]));
  await writeFile(join(ledger, 'cost_codes.csv'), csv([['job', 'code', 'description'], ['2301', '03-300', 'Cast-in-place concrete']]));
  await writeFile(
    join(ledger, 'commitments.csv'),
    csv([['code', 'vendor', 'job', 'type', 'status', 'amount', 'remaining'], ['SC-2301-01', 'ABC-CON', '2301', 'subcontract', 'open', '50000.00', '40000.00']]),
  );
  await writeFile(join(ledger, 'ap_invoices.csv'), csv([['vendor', 'invoice_number', 'amount', 'date'], ['ABC-CON', '9001', '500.00', '2026-10-01']]));
  await writeFile(join(ledger, 'checks.csv'), csv([['check_number', 'check_date', 'vendor', 'invoice_number', 'amount', 'method']]));
  await writeFile(invoicePdf, await pdfWithPages(2));
  await writeFile(
    rulesFile,
    JSON.stringify([
      {
        name: 'Concrete to the PM, then the owner',
        active: true,
        priority: 10,
        exclusive: false,
        routingGroup: 'Default',
        match: { job: '2301', costCode: '03-*' },
        reviewers: [
          { user: 'pat', sequence: 1 },
          { user: 'lee', sequence: 2 },
        ],
      },
    ]),
  );
});

describe('an invoice through the desk', () => {
  it('goes unprocessed → pending → approved → exported → paid, every step audited', async () => {
    // Whoever first writes to a data dir (the OS user) is its admin; an admin may act as others with --user.
    await expectOk(['user', 'add', 'ada', '--role', 'admin', '--data-dir', dir]);
    await ok('ada', ['vault', 'add', 'Harbor', '--accounting', 'sage300']);
    await ok('ada', ['queue', 'add', '--vault', 'harbor', 'AP Inbox']);
    await ok('ada', ['user', 'add', 'clerk', '--role', 'processor']);
    await ok('ada', ['user', 'add', 'pat', '--role', 'reviewer']);
    await ok('ada', ['user', 'add', 'lee', '--role', 'reviewer']);
    await ok('ada', ['accounting', 'import', '--vault', 'harbor', '--dir', ledger]);
    await ok('ada', ['rules', 'import', '--vault', 'harbor', rulesFile]);
    await ok('clerk', ['queue', 'add-document', '--vault', 'harbor', '--queue', 'AP Inbox', invoicePdf]);

    // Not coded yet: it stays in its queue, saying why.
    const early = await as('clerk', ['invoices', 'route', 'INV-000001']);
    expect(early.code).toBe(1);
    expect(early.stdout).toContain('Stays in its queue because:');
    expect(early.stdout).toMatch(/vendor/i);
    expect(JSON.parse(await ok('clerk', ['invoices', 'show', 'INV-000001', '--json'])).status).toBe('incomplete');

    await ok('clerk', [
      'invoices', 'edit', 'INV-000001',
      '--vendor', 'ABC-CON', '--invoice-number', '9348', '--invoice-date', '11/05/2026', '--total', '1087.80', '--retainage', '108.78',
      '--add-line', '--set', '1.type=subcontract', '--set', '1.job=2301', '--set', '1.cost-code=03-300', '--set', '1.commitment=SC-2301-01',
      '--set', '1.amount=1087.80', '--set', '1.retainage=108.78', '--set', '1.description=Footings, grid A-C',
    ]);
    const validated = JSON.parse(await ok('clerk', ['invoices', 'validate', 'INV-000001', '--json']));
    expect(validated[0].issues.filter((issue: { level: string }) => issue.level === 'error')).toEqual([]);

    expect(await ok('clerk', ['invoices', 'route', 'INV-000001'])).toContain('now pending');
    const routed = JSON.parse(await ok('clerk', ['invoices', 'show', 'INV-000001', '--json']));
    expect(routed.lines[0].reviewers.map((r: { user: string; sequence: number }) => [r.user, r.sequence])).toEqual([['pat', 1], ['lee', 2]]);

    const early2 = await as('lee', ['invoices', 'approve', 'INV-000001']);
    expect(early2.code).toBe(1);
    expect(early2.stderr).toMatch(/earlier reviewers come first.*waits on pat/);
    expect(await ok('pat', ['invoices', 'approve', 'INV-000001'])).toContain('now pending');
    expect(await ok('lee', ['invoices', 'approve', 'INV-000001'])).toContain('now approved');

    const exported = JSON.parse(await ok('clerk', ['invoices', 'export', '--vault', 'harbor', '--json']));
    expect(exported.invoices).toEqual(['INV-000001']);
    const file = await readFile(exported.file, 'utf8');
    expect(file).toContain('INV-000001');
    expect(file).toContain('"Footings, grid A-C"');

    const before = await snapshot(dir);
    const locked = await as('ada', ['invoices', 'edit', 'INV-000001', '--total', '1.00']);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/exported and read-only — reset it for edit first/);
    expect(await snapshot(dir)).toEqual(before);

    await writeFile(
      join(ledger, 'checks.csv'),
      csv([['check_number', 'check_date', 'vendor', 'invoice_number', 'amount', 'method'], ['100234', '11/20/2026', 'ABC-CON', '9348', '979.02', 'ACH']]),
    );
    const paid = JSON.parse(await ok('clerk', ['invoices', 'backfill', '--vault', 'harbor', '--json']));
    expect(paid).toEqual([{ id: 'INV-000001', payment: expect.objectContaining({ checkNumber: '100234', checkDate: '2026-11-20', amount: '979.02', method: 'ACH' }) }]);
    expect(JSON.parse(await ok('clerk', ['invoices', 'show', 'INV-000001', '--json']))).toMatchObject({ status: 'paid', payment: { amount: '979.02' } });
    expect(JSON.parse(await ok('clerk', ['invoices', 'backfill', '--vault', 'harbor', '--json']))).toEqual([]);

    const trail = await auditJson(['--invoice', 'INV-000001']);
    expect(trail.map((row: { action: string; user: string; outcome: string }) => [row.action, row.user, row.outcome])).toEqual([
      ['document.added', 'clerk', 'ok'],
      ['invoice.route-failed', 'clerk', 'error'],
      ['invoice.edited', 'clerk', 'ok'],
      ['invoice.validated', 'clerk', 'ok'],
      ['invoice.routed', 'clerk', 'ok'],
      ['invoice.approved-lines', 'pat', 'ok'],
      ['invoice.approved-lines', 'lee', 'ok'],
      ['invoice.approved', 'lee', 'ok'],
      ['invoice.exported', 'clerk', 'ok'],
      ['invoice.paid', 'clerk', 'ok'],
    ]);
    const byPat = await auditJson(['--user', 'pat']);
    expect(byPat.map((row: { action: string }) => row.action)).toEqual(['invoice.approved-lines']);
  });

  it('resets an exported invoice for edit, and a changed line goes back to its reviewers', async () => {
    await addCodedInvoice('INV-000002', '9349', '2026-11-06', '200.00');
    await ok('clerk', ['invoices', 'route', 'INV-000002']);
    await ok('pat', ['invoices', 'approve', 'INV-000002']);
    await ok('lee', ['invoices', 'approve', 'INV-000002']);
    await ok('clerk', ['invoices', 'export', '--vault', 'harbor', 'INV-000002']);
    expect(await ok('clerk', ['invoices', 'reset', 'INV-000002'])).toContain('now approved');
    expect(await ok('clerk', ['invoices', 'edit', 'INV-000002', '--set', '1.description=Slab'])).toContain('now pending');
    const shown = JSON.parse(await ok('clerk', ['invoices', 'show', 'INV-000002', '--json']));
    expect(shown.lines[0].reviewers.map((r: { status: string }) => r.status)).toEqual(['reapprove', 'reapprove']);
    const trail = await auditJson(['--invoice', 'INV-000002']);
    expect(trail.map((row: { action: string }) => row.action)).toContain('invoice.reset');
    expect((await readdir(ledger)).filter((name) => name.startsWith('ap_export_'))).toHaveLength(2);
  });

  it('refuses a duplicate invoice number and an unknown vendor, and keeps the invoice in its queue', async () => {
    await addCodedInvoice('INV-000003', '9001', '2026-11-06', '10.00', { commitment: false });
    const result = await as('clerk', ['invoices', 'route', 'INV-000003']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/9001/);
    const shown = JSON.parse(await ok('clerk', ['invoices', 'show', 'INV-000003', '--json']));
    expect(shown.status).toBe('incomplete');
    expect(shown.routing.outcome).toBe('failed');
    const text = await ok('clerk', ['invoices', 'show', 'INV-000003']);
    expect(text).toMatch(/Not routed \(.*\) because:\n  - .*9001/);
    expect(text).toMatch(/Validation \(before-routing, .*\):\n  error: .*9001/);
    await ok('clerk', ['invoices', 'edit', 'INV-000003', '--vendor', 'NOPE']);
    const again = await as('clerk', ['invoices', 'validate', 'INV-000003']);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/NOPE/);
    expect(again.stdout).toMatch(/vendor.*NOPE.*(not|unknown)/i);
    // Each command is a new desk, which reuses the ledger an earlier one parsed — until a file changes.
    const vendors = join(ledger, 'vendors.csv');
    const before = await readFile(vendors, 'utf8');
    await writeFile(vendors, `${before}NOPE,Nope Paving,active\n`);
    try {
      const known = await as('clerk', ['invoices', 'validate', 'INV-000003']);
      expect(known.stdout).not.toMatch(/vendor.*NOPE.*(not|unknown)/i);
    } finally {
      await writeFile(vendors, before);
    }
    const unknownAgain = await as('clerk', ['invoices', 'validate', 'INV-000003']);
    expect(unknownAgain.stdout).toMatch(/vendor.*NOPE.*(not|unknown)/i);
  });

  it('an export written but never recorded (apdesk stopped in between) is recognised, not written twice', async () => {
    await addCodedInvoice('INV-000004', '9350', '2026-11-07', '30.00');
    await ok('clerk', ['invoices', 'route', 'INV-000004']);
    // On hold, nothing moves it; released, it is pending again.
    expect(await ok('clerk', ['invoices', 'hold', 'INV-000004', '--reason', 'vendor disputes the amount'])).toContain('on hold');
    const held = await as('pat', ['invoices', 'approve', 'INV-000004']);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/is on-hold, not pending review/);
    expect(await ok('clerk', ['invoices', 'show', 'INV-000004'])).toMatch(/On hold since .* by clerk: vendor disputes the amount \(release returns it to pending\)/);
    expect(await ok('clerk', ['invoices', 'release', 'INV-000004'])).toContain('now pending');
    await ok('pat', ['invoices', 'approve', 'INV-000004']);
    await ok('lee', ['invoices', 'approve', 'INV-000004']);
    // The file reaches the folder; the process dies before the store records it.
    const desk = await openDesk({ dataDir: dir, user: 'clerk' });
    const approved = await desk.invoices.get('INV-000004');
    const { file } = await (await desk.accounting.bridge('harbor')).exportInvoices([approved]);
    const before = (await readdir(ledger)).filter((name) => name.startsWith('ap_export_'));

    const exported = JSON.parse(await ok('clerk', ['invoices', 'export', '--vault', 'harbor', '--json']));
    expect(exported.invoices).toEqual(['INV-000004']);
    expect(exported.file).toBe(file);
    expect((await readdir(ledger)).filter((name) => name.startsWith('ap_export_'))).toEqual(before);
    const trail = await auditJson(['--invoice', 'INV-000004']);
    expect(trail.at(-1)).toMatchObject({ action: 'invoice.exported', detail: expect.stringContaining('not exported twice') });
  });

  it("refuses a number the vendor already used in this vault, in any case, but not another vendor's", async () => {
    await addCodedInvoice('INV-000005', '9348', '2026-11-08', '40.00');
    await ok('clerk', ['invoices', 'edit', 'INV-000005', '--vendor', ' abc-con ']);
    const twin = await as('clerk', ['invoices', 'validate', 'INV-000005']);
    expect(twin.code).toBe(1);
    expect(twin.stdout).toMatch(/Invoice number '9348' of vendor 'abc-con' is already used by invoice INV-000001 in this vault/);
    await ok('clerk', ['invoices', 'edit', 'INV-000005', '--invoice-number', '9348-B']);
    expect(JSON.parse(await ok('clerk', ['invoices', 'validate', 'INV-000005', '--json']))[0].issues).toEqual([]);
  });
});
