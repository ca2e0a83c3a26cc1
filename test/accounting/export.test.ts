// The AP export file: one row per invoice line, quoted so any description survives, written whole.
import { describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { openBridge } from '../../source/accounting/bridge.js';
import { EXPORT_COLUMNS, exportTime } from '../../source/accounting/export-file.js';
import { UserError } from '../../source/domain/errors.js';
import { invoice, ledgerFolder, line } from './fixtures.js';

const NOW = Date.parse('2026-11-20T17:05:09.123Z');

const AWKWARD = [
  'Comma, then more',
  'He said "pour it"',
  'Two\nlines',
  'CRLF\r\nline',
  '  leading and trailing  ',
  '"',
  '',
  'Ünïcødé — 30% ✓',
  '=SUM(A1:A9)',
  ',,,',
];

describe('exporting invoices', () => {
  it('writes one row per line that csv-parse reads back exactly', async () => {
    const dir = await ledgerFolder();
    const bridge = openBridge({ kind: 'csv-folder', dir }, { now: () => NOW });
    const first = invoice('INV-000001', AWKWARD.map((description, index) => line({ id: `L${index}`, description, amount: `${index + 1}00.05`, retainage: '10.00' })));
    const second = invoice(
      'INV-000002',
      [line({ amount: '1087.80', retainage: '108.78', description: null, job: null, costCode: null, category: null, commitment: null, commitmentItem: null })],
      { vendor: 'STEEL-01', invoiceNumber: 'SS, 2231', dueDate: null },
    );
    const result = await bridge.exportInvoices([first, second]);
    expect(result).toEqual({ file: join(dir, 'ap_export_2026-11-20T17-05-09-123Z.csv'), rows: AWKWARD.length + 1 });
    expect(exportTime(basename(result.file))).toBe(NOW);

    const text = await readFile(result.file, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(rows.map((row) => row.description)).toEqual([...AWKWARD, '']);
    expect(rows[0]).toEqual({
      invoice_id: 'INV-000001',
      vendor: 'ABC-CON',
      invoice_number: 'N-INV-000001',
      invoice_date: '2026-11-20',
      due_date: '2026-12-20',
      invoice_total: '5500.50',
      line_number: '1',
      job: '2301',
      cost_code: '03-300',
      category: 'S',
      commitment: 'SC-2301-01',
      commitment_item: '1',
      description: 'Comma, then more',
      line_amount: '100.05',
      line_retainage: '10.00',
    });
    expect(rows.map((row) => row.line_number)).toEqual([...AWKWARD.map((_, index) => String(index + 1)), '1']);
    expect(rows.at(-1)).toMatchObject({ invoice_number: 'SS, 2231', due_date: '', invoice_total: '1087.80', line_amount: '1087.80', line_retainage: '108.78', job: '' });
  });

  it('never replaces an earlier export of the same moment', async () => {
    const dir = await ledgerFolder();
    const bridge = openBridge({ kind: 'csv-folder', dir }, { now: () => NOW });
    const a = await bridge.exportInvoices([invoice('INV-000001', [line({ amount: '1.00' })])]);
    const b = await bridge.exportInvoices([invoice('INV-000002', [line({ amount: '2.00' })])]);
    expect(basename(b.file)).toBe('ap_export_2026-11-20T17-05-09-123Z-2.csv');
    expect(exportTime(basename(b.file))).toBe(NOW);
    expect(await readFile(a.file, 'utf8')).toContain('INV-000001');
    expect(await readFile(b.file, 'utf8')).toContain('INV-000002');
  });

  const refusals: [string, Parameters<typeof invoice>, RegExp][] = [
    ['no vendor', ['INV-000009', [line({ amount: '1.00' })], { vendor: null }], /invoice INV-000009 cannot be exported: it has no vendor — enter it, then export again/],
    ['no invoice number', ['INV-000009', [line({ amount: '1.00' })], { invoiceNumber: ' ' }], /it has no invoice number/],
    ['no invoice date', ['INV-000009', [line({ amount: '1.00' })], { invoiceDate: null }], /it has no invoice date/],
    ['no total', ['INV-000009', [line({ amount: '1.00' })], { total: null }], /it has no total/],
    ['no lines', ['INV-000009', []], /it has no lines/],
  ];

  it.each(refusals)('refuses the whole batch when one invoice has %s, and writes nothing', async (_, args, message) => {
    const dir = await ledgerFolder();
    const before = (await readdir(dir)).sort();
    const bridge = openBridge({ kind: 'csv-folder', dir });
    const error = await bridge.exportInvoices([invoice('INV-000001', [line({ amount: '1.00' })]), invoice(...args)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((await readdir(dir)).sort()).toEqual(before);
  });

  it('refuses an empty batch and a missing folder', async () => {
    const dir = await ledgerFolder();
    await expect(openBridge({ kind: 'csv-folder', dir }).exportInvoices([])).rejects.toThrow(/no invoices to export/);
    const gone = join(dir, 'gone');
    await expect(openBridge({ kind: 'csv-folder', dir: gone }).exportInvoices([invoice('INV-000001', [line({ amount: '1.00' })])])).rejects.toThrow(
      `the accounting folder ${gone} does not exist`,
    );
  });

  it('is never seen half-written by a reader watching the folder', async () => {
    const dir = await ledgerFolder();
    const bridge = openBridge({ kind: 'csv-folder', dir });
    const invoices = Array.from({ length: 400 }, (_, n) =>
      invoice(`INV-${String(n + 1).padStart(6, '0')}`, Array.from({ length: 10 }, (_, k) => line({ id: `L${k}`, amount: '12.34', description: 'x'.repeat(200) }))),
    );
    let done = false;
    const seen: number[] = [];
    const watch = (async () => {
      while (!done) {
        for (const name of await readdir(dir)) {
          if (!name.endsWith('.csv') || !name.startsWith('ap_export_')) continue;
          seen.push((parse(await readFile(join(dir, name), 'utf8'), { columns: true }) as unknown[]).length);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const result = await bridge.exportInvoices(invoices);
    done = true;
    await watch;
    expect(result.rows).toBe(4000);
    expect(seen.every((rows) => rows === 4000)).toBe(true);
    // Nothing left behind under a temporary name.
    expect((await readdir(dir)).filter((name) => name.includes('ap_export'))).toEqual([basename(result.file)]);
  });
});
