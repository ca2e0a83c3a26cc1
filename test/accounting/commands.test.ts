// `apdesk accounting import|show` from the command line: the happy path, and bad input that exits
// non-zero with one line and leaves the data dir byte-for-byte unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';
import { ledgerFolder } from './fixtures.js';

async function ok(args: string[]): Promise<string> {
  return (await expectOk(args)).stdout;
}

describe('apdesk accounting', () => {
  it('imports a folder, reports its bad rows, and shows the ledger', async () => {
    const dir = await tempDir();
    const d = ['--data-dir', dir];
    await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    const folder = await ledgerFolder({ 'vendors.csv': 'code,name,status\nABC-CON,"ABC Concrete, Co.",A\nBAD-01,Bad,\u001b[31mmaybe\n' });

    const text = await ok(['accounting', 'import', '--vault', 'harbor', '--dir', folder, ...d]);
    expect(text).toContain(`Vault 'Harbor' now reads its accounting data from ${folder}.`);
    expect(text).toMatch(/vendors\s+vendors\.csv\s+1\n/);
    expect(text).toMatch(/commitments\s+commitments\.csv\s+1\n/);
    expect(text).toMatch(/checks\s+checks\.csv\s+0/);
    // The escape sequence from the file never reaches the terminal.
    expect(text).toContain("1 problem:\nvendors.csv:3: status ' [31mmaybe' is neither active nor inactive (write active/inactive, or A/I) — row skipped");

    const shown = await ok(['accounting', 'show', '--vault', 'Harbor', ...d]);
    expect(shown).toMatch(/ledger:\s+CSV bridge folder/);
    expect(shown).toContain(`folder:    ${folder}`);
    expect(shown).toMatch(/loaded at:\s+\d{4}-\d\d-\d\dT/);
    expect(shown).toMatch(/AP invoices\s+ap_invoices\.csv\s+1\s+\d{4}-/);
    expect(shown).toContain('vendors.csv:3: status');

    const json = JSON.parse(await ok(['accounting', 'show', '--vault', 'harbor', '--json', ...d]));
    expect(json.ledger).toEqual({ kind: 'csv-folder', dir: folder });
    expect(json.counts).toEqual({ vendors: 1, jobs: 2, costCodes: 2, commitments: 1, apInvoices: 1, checks: 0 });
    expect(json.problems).toEqual([{ file: 'vendors.csv', line: 3, fatal: false, message: expect.stringContaining("status '\u001b[31mmaybe'") }]);
    expect(json.files.find((file: any) => file.file === 'checks.csv')).toMatchObject({ present: true, rows: 0, required: false });

    const vault = JSON.parse(await ok(['vault', 'show', 'harbor', '--json', ...d]));
    expect(vault.ledger).toEqual({ kind: 'csv-folder', dir: folder });

    // Import again with --json from a relative path: the absolute folder is stored.
    const imported = JSON.parse(
      (await runCli(['accounting', 'import', '--vault', 'harbor', '--dir', relative(process.cwd(), folder), '--json', ...d])).stdout,
    );
    expect(imported).toMatchObject({ vault: 'harbor', ledger: { kind: 'csv-folder', dir: folder }, counts: { vendors: 1 } });
  });
});

describe('apdesk accounting: bad input', () => {
  let dir: string;
  let good: string;
  let noStatus: string;
  let noJobs: string;
  let aFile: string;
  beforeAll(async () => {
    dir = await tempDir();
    const d = ['--data-dir', dir];
    await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
    await ok(['vault', 'add', 'Quarry', '--accounting', 'sage100', ...d]);
    await ok(['user', 'add', 'lee', '--role', 'processor', ...d]);
    good = await ledgerFolder();
    noStatus = await ledgerFolder({ 'vendors.csv': 'code,name\nABC-CON,ABC\n' });
    noJobs = await ledgerFolder({ 'jobs.csv': null });
    aFile = join(good, 'vendors.csv');
    await ok(['accounting', 'import', '--vault', 'Harbor', '--dir', good, ...d]);
    await writeFile(join(good, 'extra.txt'), 'not a ledger file');
  });

  const cases: [string, () => string[], RegExp][] = [
    ['import to an unknown vault', () => ['accounting', 'import', '--vault', 'Nowhere', '--dir', good], /no vault 'Nowhere' — known vaults: Harbor, Quarry/],
    ['import of a missing folder', () => ['accounting', 'import', '--vault', 'Quarry', '--dir', join(good, 'missing')], /the folder .*missing does not exist — give --dir the folder the Sage export job writes to/],
    ['import of a file', () => ['accounting', 'import', '--vault', 'Quarry', '--dir', aFile], /vendors\.csv is a file, not a folder/],
    ['import as a non-admin', () => ['accounting', 'import', '--vault', 'Quarry', '--dir', good, '--user', 'lee'], /user 'lee' may not import an accounting folder: it needs the admin role/],
    [
      'import of a folder missing a column',
      () => ['accounting', 'import', '--vault', 'Quarry', '--dir', noStatus],
      /vault 'Quarry' was not bridged to .*: vendors\.csv:1: column 'status' is missing from the header — the file needs: code,name,status/,
    ],
    ['import of a folder missing a file', () => ['accounting', 'import', '--vault', 'Quarry', '--dir', noJobs], /was not bridged to .*: jobs\.csv: the file is missing from the folder/],
    ['import without --dir', () => ['accounting', 'import', '--vault', 'Quarry'], /say which folder with --dir: apdesk accounting import --vault VAULT --dir DIR/],
    ['import without --vault', () => ['accounting', 'import', '--dir', good], /say which vault with --vault/],
    ['show of a vault with no ledger', () => ['accounting', 'show', '--vault', 'Quarry'], /vault 'Quarry' has no accounting data yet — bridge it to the folder the Sage export job writes to \(`apdesk accounting import --vault quarry --dir DIR`\)/],
    ['show of an unknown vault', () => ['accounting', 'show', '--vault', 'Nowhere'], /no vault 'Nowhere'/],
  ];

  it.each(cases)('%s: exits non-zero with one line and changes nothing', async (_, args, message) => {
    const before = await snapshot(dir);
    const result = await runCli([...args(), '--data-dir', dir]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apdesk: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a bad command line exits 2', async () => {
    expect((await runCli(['accounting', 'import', '--vault', 'Quarry', '--data-dir', dir])).code).toBe(2);
  });
});
