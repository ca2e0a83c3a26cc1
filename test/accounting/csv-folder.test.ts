// The CSV bridge folder against real files: one case per edge of what a Sage export may hold.
import { describe, expect, it } from 'vitest';
import { readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openBridge, type LoadProblem } from '../../source/accounting/bridge.js';
import { LAST_GOOD_FILE } from '../../source/accounting/last-good.js';
import type { Ledger } from '../../source/domain/ledger.js';
import { GOOD_FILES, ledgerFolder } from './fixtures.js';

async function loadWith(changes: Record<string, string | Uint8Array | null>) {
  const dir = await ledgerFolder(changes);
  return openBridge({ kind: 'csv-folder', dir }).load();
}

const brief = (problems: LoadProblem[]) => problems.map((p) => `${p.file}:${p.line ?? '-'}: ${p.message}`);

type Case = [name: string, changes: Record<string, string | Uint8Array>, check: (ledger: Ledger) => unknown, expected: unknown, problems?: RegExp[]];

const V = 'code,name,status';
const C = 'code,vendor,job,type,status,amount,remaining';
const A = 'vendor,invoice_number,amount,date';

const cases: Case[] = [
  ['a UTF-8 BOM before the header', { 'vendors.csv': `\ufeff${V}\nABC-CON,ABC,active\n` }, (l) => l.vendors, [{ code: 'ABC-CON', name: 'ABC', active: true }]],
  ['CRLF line ends', { 'vendors.csv': `${V}\r\nA1,One,active\r\nB2,Two,inactive\r\n` }, (l) => l.vendors.map((v) => [v.code, v.name, v.active]), [['A1', 'One', true], ['B2', 'Two', false]]],
  ['a quoted comma', { 'vendors.csv': `${V}\nA1,"Acme, Inc.",active\n` }, (l) => l.vendors[0]?.name, 'Acme, Inc.'],
  ['a quoted quote', { 'vendors.csv': `${V}\nA1,"The ""Best"" Co",active\n` }, (l) => l.vendors[0]?.name, 'The "Best" Co'],
  [
    'a quoted newline, and the line of a later bad row still right',
    { 'vendors.csv': `${V}\r\nA1,"Two\r\nlines",active\r\nB2,Bad,maybe\r\n` },
    (l) => l.vendors.map((v) => v.name),
    ['Two\r\nlines'],
    [/^vendors\.csv:4: status 'maybe' is neither active nor inactive .* — row skipped$/],
  ],
  ['columns in another order', { 'vendors.csv': 'status,name,code\ninactive,Old,O1\n' }, (l) => l.vendors, [{ code: 'O1', name: 'Old', active: false }]],
  ['an extra column', { 'vendors.csv': `${V},phone\nA1,One,active,555-0100\n` }, (l) => l.vendors.map((v) => v.code), ['A1']],
  ['headers in any case and spacing', { 'ap_invoices.csv': 'Vendor,Invoice Number,AMOUNT,Date\nABC-CON,X-1,10.00,2026-01-02\n' }, (l) => l.apInvoices[0]?.invoiceNumber, 'X-1'],
  ['a US date', { 'ap_invoices.csv': `${A}\nABC-CON,X-1,10.00,11/20/2026\nABC-CON,X-2,10.00,1/5/2026\n` }, (l) => l.apInvoices.map((i) => i.date), ['2026-11-20', '2026-01-05']],
  [
    'a bad date',
    { 'ap_invoices.csv': `${A}\nABC-CON,X-1,10.00,2026-02-30\nABC-CON,X-2,10.00,20/11/2026\nABC-CON,X-3,10.00,yesterday\n` },
    (l) => l.apInvoices.length,
    0,
    [/:2: date '2026-02-30' is not a day of the calendar — row skipped/, /:3: date '20\/11\/2026' is not a day/, /:4: date 'yesterday' is not a date \(write YYYY-MM-DD or MM\/DD\/YYYY\)/],
  ],
  ['a bad amount', { 'ap_invoices.csv': `${A}\nABC-CON,X-1,ten,2026-01-02\n` }, (l) => l.apInvoices.length, 0, [/ap_invoices\.csv:2: amount 'ten' is not a decimal amount/]],
  ['a fraction of a cent', { 'ap_invoices.csv': `${A}\nABC-CON,X-1,12.345,2026-01-02\n` }, (l) => l.apInvoices.length, 0, [/:2: amount '12.345' has fractions of a cent/]],
  [
    'thousands separators and a dollar sign',
    { 'ap_invoices.csv': `${A}\nV,X-1,"1,087.80",2026-01-02\nV,X-2,"$1,234,567.8",2026-01-02\nV,X-3,-$12.50,2026-01-02\nV,X-4,"1,08.80",2026-01-02\n` },
    (l) => l.apInvoices.map((i) => i.amount),
    [108780, 123456780, -1250],
    [/:5: amount '1,08.80' is not a decimal amount/],
  ],
  ['an unquoted thousands comma', { 'ap_invoices.csv': `${A}\nV,X-1,1,087.80,2026-01-02\n` }, (l) => l.apInvoices.length, 0, [/:2: the row has 5 fields but the header has 4 — is there an unquoted comma/]],
  ['an unknown status', { 'jobs.csv': 'code,name,status\n2301,Tower,paused\n' }, (l) => l.jobs.length, 0, [/jobs\.csv:2: status 'paused' is neither open nor closed/]],
  [
    'status and type synonyms',
    { 'commitments.csv': `${C}\nC1,V,J,PO,O,1.00,1.00\nC2,V,J,purchase order,Closed,1.00,1.00\nC3,V,J,SC,open,1.00,1.00\nC4,V,J,Subcontract,C,1.00,1.00\n` },
    (l) => l.commitments.map((c) => [c.code, c.type, c.open]),
    [['C1', 'purchase-order', true], ['C2', 'purchase-order', false], ['C3', 'subcontract', true], ['C4', 'subcontract', false]],
  ],
  ['vendor status letters', { 'vendors.csv': `${V}\nA1,One,A\nI1,Two,I\nX1,Three,Active\n` }, (l) => l.vendors.map((v) => v.active), [true, false, true]],
  ['an unknown commitment type', { 'commitments.csv': `${C}\nC1,V,J,T&M,open,1.00,1.00\n` }, (l) => l.commitments.length, 0, [/:2: type 'T&M' is neither a subcontract nor a purchase order/]],
  ['a duplicate code', { 'vendors.csv': `${V}\nA1,One,active\nA1,Again,active\n` }, (l) => l.vendors.map((v) => v.name), ['One'], [/:3: vendor code 'A1' appears again \(first on line 2\) — row skipped/]],
  ['a short row', { 'vendors.csv': `${V}\nA1,One\n` }, (l) => l.vendors.length, 0, [/:2: status is empty — row skipped/]],
  ['an empty code', { 'vendors.csv': `${V}\n,Nameless,active\n` }, (l) => l.vendors.length, 0, [/:2: code is empty/]],
  [
    'blank lines before a bad row',
    { 'vendors.csv': `${V}\r\n\r\nA1,One,active\r\n\r\n\r\nB2,Bad,maybe\r\n\r\nC3,"Two\r\nlines",active\r\n\r\nD4,Bad,never\r\n` },
    (l) => l.vendors.map((v) => v.code),
    ['A1', 'C3'],
    [/^vendors\.csv:6: status 'maybe'/, /^vendors\.csv:11: status 'never'/],
  ],
  ['blank lines', { 'vendors.csv': `${V}\n\nA1,One,active\n,,\n\nB2,Two,active\n` }, (l) => l.vendors.map((v) => v.code), ['A1', 'B2']],
  [
    'a stray quote inside a field',
    { 'vendors.csv': `${V}\nA1,Joe"s,active\nB2,Two,active\n` },
    (l) => l.vendors.map((v) => v.code),
    ['B2'],
    [/vendors\.csv:2: a quote appears inside an unquoted field/],
  ],
  [
    'Windows-1252 bytes',
    { 'vendors.csv': Buffer.concat([Buffer.from(`${V}\nC1,Caf`), Buffer.from([0xe9]), Buffer.from(',active\n')]) },
    (l) => l.vendors[0]?.name,
    'Café',
    [/vendors\.csv:-: the file is not UTF-8; it was read as Windows-1252/],
  ],
];

describe('loading a CSV bridge folder', () => {
  it('loads the good files with no problem', async () => {
    const { ledger, problems } = await loadWith({});
    expect(problems).toEqual([]);
    expect(ledger.vendors).toEqual([
      { code: 'ABC-CON', name: 'ABC Concrete Co.', active: true },
      { code: 'OLD-01', name: 'Old Vendor', active: false },
    ]);
    expect(ledger.jobs).toEqual([
      { code: '2301', name: 'Harbor Point Tower', closed: false },
      { code: '1999', name: 'Old Job', closed: true },
    ]);
    expect(ledger.costCodes).toHaveLength(2);
    expect(ledger.commitments).toEqual([
      { code: 'SC-2301-01', vendor: 'ABC-CON', job: '2301', type: 'subcontract', open: true, amount: 30139975, remaining: 25000000 },
    ]);
    expect(ledger.apInvoices).toEqual([{ vendor: 'ABC-CON', invoiceNumber: 'ABC-0987', amount: 1248000, date: '2026-06-30' }]);
    expect(ledger.checks).toEqual([]);
  });

  it.each(cases)('%s', async (_, changes, check, expected, problems = []) => {
    const loaded = await loadWith(changes);
    expect(check(loaded.ledger)).toEqual(expected);
    const found = brief(loaded.problems);
    expect(found, found.join('\n')).toHaveLength(problems.length);
    problems.forEach((pattern, index) => expect(found[index]).toMatch(pattern));
    expect(loaded.problems.every((problem) => !problem.fatal)).toBe(true);
  });

  it('a missing optional file means no rows of that kind, and no problem', async () => {
    const { ledger, problems } = await loadWith({ 'checks.csv': null, 'ap_invoices.csv': null });
    expect(problems).toEqual([]);
    expect([ledger.checks, ledger.apInvoices]).toEqual([[], []]);
  });

  it('a missing required file is a fatal problem that names it', async () => {
    const { ledger, problems } = await loadWith({ 'jobs.csv': null });
    expect(brief(problems)).toEqual([
      'jobs.csv:-: the file is missing from the folder — the Sage export job should write it (header: code,name,status); no good copy was ever read, so there are no jobs',
    ]);
    expect(problems[0]!.fatal).toBe(true);
    expect(ledger.jobs).toEqual([]);
    expect(ledger.vendors).toHaveLength(2);
  });

  it('an unclosed quote makes the file unusable: it may still be being written', async () => {
    const { ledger, problems } = await loadWith({ 'vendors.csv': `${V}\nA1,One,active\nB2,"Two,active\nC3,Three,active\n` });
    expect(brief(problems)).toEqual([expect.stringMatching(/^vendors\.csv:3: a quoted field is never closed.*no good copy was ever read, so there are no vendors$/)]);
    expect(problems[0]!.fatal).toBe(true);
    expect(ledger.vendors).toEqual([]);
  });

  it('a missing folder is one fatal problem', async () => {
    const dir = join(await ledgerFolder(), 'gone');
    const { problems } = await openBridge({ kind: 'csv-folder', dir }).load();
    expect(problems).toEqual([{ file: dir, line: null, fatal: true, message: expect.stringMatching(/^the accounting folder does not exist/) }]);
  });
});

describe('the last good data of a file', () => {
  it('stays in use when a required column goes missing, in this bridge and in a second one', async () => {
    const dir = await ledgerFolder();
    const first = openBridge({ kind: 'csv-folder', dir }, { now: () => Date.parse('2026-11-20T10:00:00Z') });
    expect((await first.load()).ledger.vendors).toHaveLength(2);
    await writeFile(join(dir, 'vendors.csv'), 'code,name\nNEW,New Vendor\n');

    const again = await first.load();
    expect(again.ledger.vendors.map((v) => v.code)).toEqual(['ABC-CON', 'OLD-01']);
    expect(brief(again.problems)).toEqual([
      "vendors.csv:1: column 'status' is missing from the header — the file needs: code,name,status; meanwhile the 2 vendors read at 2026-11-20T10:00:00.000Z stay in use",
    ]);
    expect(again.problems[0]!.fatal).toBe(true);

    // Another process (a fresh bridge) never saw the good file: the folder's snapshot serves it.
    const second = await openBridge({ kind: 'csv-folder', dir }).load();
    expect(second.ledger.vendors.map((v) => v.code)).toEqual(['ABC-CON', 'OLD-01']);
    expect(second.problems[0]!.message).toMatch(/column 'status' is missing.*the 2 vendors read at 2026-11-20T10:00:00.000Z stay in use/);
    expect(JSON.parse(await readFile(join(dir, LAST_GOOD_FILE), 'utf8')).files['vendors.csv'].rows).toHaveLength(2);

    // Fixed: the new rows replace the old, with no problem left.
    await writeFile(join(dir, 'vendors.csv'), 'code,name,status\nNEW,New Vendor,active\n');
    const fixed = await first.load();
    expect(fixed.problems).toEqual([]);
    expect(fixed.ledger.vendors.map((v) => v.code)).toEqual(['NEW']);
  });

  it('stays in use when a required file disappears', async () => {
    const dir = await ledgerFolder();
    const bridge = openBridge({ kind: 'csv-folder', dir });
    await bridge.load();
    await rm(join(dir, 'commitments.csv'));
    const { ledger, problems } = await bridge.load();
    expect(ledger.commitments.map((c) => c.code)).toEqual(['SC-2301-01']);
    expect(problems[0]!.message).toMatch(/^the file is missing from the folder.*the 1 commitments read at .* stay in use$/);
  });

  it('is the rows a file had when it was last good, not the good rows of a later broken one', async () => {
    const dir = await ledgerFolder();
    const bridge = openBridge({ kind: 'csv-folder', dir });
    await bridge.load();
    // One bad row is not fatal: the other rows become the new last good data.
    await writeFile(join(dir, 'vendors.csv'), `${V}\nA1,One,active\nB2,Two,sometimes\n`);
    expect((await bridge.load()).ledger.vendors.map((v) => v.code)).toEqual(['A1']);
    await writeFile(join(dir, 'vendors.csv'), 'name,thing\nX,Y\n');
    const { ledger, problems } = await bridge.load();
    expect(ledger.vendors.map((v) => v.code)).toEqual(['A1']);
    expect(problems[0]!.message).toMatch(/columns 'code', 'status' are missing/);
  });
});

describe('a damaged last good copy', () => {
  it('is not used: a row that does not fit never reaches the ledger, and the message says why', async () => {
    const dir = await ledgerFolder({ 'vendors.csv': 'code,name\nNEW,New Vendor\n' });
    const savedAt = '2026-11-20T10:00:00.000Z';
    const source = { dev: 1, ino: 1, size: 1, mtimeMs: 1 };
    await writeFile(
      join(dir, LAST_GOOD_FILE),
      JSON.stringify({ format: 1, files: { 'vendors.csv': { savedAt, source, rows: [{ code: 'ABC-CON', name: 'ABC', active: true }, { code: 'X', name: 'Y', active: 'yes' }] } } }),
    );
    const { ledger, problems } = await openBridge({ kind: 'csv-folder', dir }).load();
    expect(ledger.vendors).toEqual([]);
    expect(brief(problems)).toEqual([
      `vendors.csv:1: column 'status' is missing from the header — the file needs: code,name,status; the last good copy in the folder (${LAST_GOOD_FILE}) is damaged — rows[1].active 'yes' is not true or false — so there are no vendors`,
    ]);
  });
});

describe('changes on disk', () => {
  it('re-reads a file that changed, and parses an unchanged one only once', async () => {
    const dir = await ledgerFolder();
    const parsed: string[] = [];
    const bridge = openBridge({ kind: 'csv-folder', dir }, { onParse: (file) => parsed.push(file) });
    await bridge.load();
    expect(parsed.sort()).toEqual(Object.keys(GOOD_FILES).sort());
    parsed.length = 0;
    await bridge.load();
    expect(parsed).toEqual([]);

    // Same size, new content and mtime.
    await writeFile(join(dir, 'vendors.csv'), GOOD_FILES['vendors.csv']!.replace('active\nOLD', 'ACTIVE\nOLD'));
    await utimes(join(dir, 'vendors.csv'), new Date(), new Date(Date.now() + 5000));
    expect((await bridge.load()).ledger.vendors).toHaveLength(2);
    expect(parsed).toEqual(['vendors.csv']);

    // Replaced by a rename, as an export job that writes atomically does.
    parsed.length = 0;
    await writeFile(join(dir, 'jobs.tmp'), 'code,name,status\n2301,Tower,open\n');
    await rename(join(dir, 'jobs.tmp'), join(dir, 'jobs.csv'));
    expect((await bridge.load()).ledger.jobs.map((j) => j.name)).toEqual(['Tower']);
    expect(parsed).toEqual(['jobs.csv']);

    // An optional file that appears, then goes again.
    parsed.length = 0;
    await writeFile(join(dir, 'checks.csv'), 'check_number,check_date,vendor,invoice_number,amount,method\n1,2026-11-21,ABC-CON,N-1,5.00,ACH\n');
    expect((await bridge.load()).ledger.checks).toHaveLength(1);
    await rm(join(dir, 'checks.csv'));
    expect((await bridge.load()).ledger.checks).toEqual([]);
    expect(parsed).toEqual(['checks.csv']);
  });

  it('parses a broken file once while it stays the same, and keeps reporting it', async () => {
    const dir = await ledgerFolder({ 'jobs.csv': 'code,name\n1,x\n' });
    const parsed: string[] = [];
    const bridge = openBridge({ kind: 'csv-folder', dir }, { onParse: (file) => parsed.push(file) });
    const first = await bridge.load();
    const second = await bridge.load();
    expect(parsed.filter((file) => file === 'jobs.csv')).toEqual(['jobs.csv']);
    expect(second.problems).toEqual(first.problems);
    expect(second.problems).toHaveLength(1);
  });
});
