// The demo ledger: seeded from the sandbox's codes, and paying exported invoices after the delay —
// once, however many bridges or processes load it at the same moment.
import { describe, expect, it } from 'vitest';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { openBridge } from '../../source/accounting/bridge.js';
import { createDemoLedger } from '../../source/accounting/demo-ledger.js';
import { DEMO_LEDGER_CODES } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import { invoice, line } from './fixtures.js';

const T0 = Date.parse('2026-11-20T17:00:00.000Z');
const HEADER = 'check_number,check_date,vendor,invoice_number,amount,method\r\n';

// Written once and copied: each round of a test then starts from a fresh ledger quickly.
let template: Promise<string> | undefined;

async function demoFolder(): Promise<string> {
  template ??= tempDir('apdesk-demo-template-').then(async (root) => {
    await createDemoLedger(join(root, 'ledger'));
    return join(root, 'ledger');
  });
  const dir = join(await tempDir('apdesk-demo-ledger-'), 'ledger');
  await cp(await template, dir, { recursive: true });
  return dir;
}

function localDay(at: number): string {
  const day = new Date(at);
  return `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
}

async function checksOnDisk(dir: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dir, 'checks.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
}

const subcontract = invoice('PC-1-1', [line({ amount: '1000.00', retainage: '100.00' }), line({ id: 'L2', amount: '500.00', retainage: '50.00' })], {
  vendor: 'ABC-CON',
  invoiceNumber: 'ABC-1068',
});
const purchaseOrder = invoice('INV-000002', [line({ amount: '250.00' })], { vendor: 'LUMBER-05', invoiceNumber: 'NWL-1', invoiceDate: '2026-11-18' });

describe('the demo ledger', () => {
  it('is written from the sandbox codes and loads with no problem', async () => {
    const dir = await demoFolder();
    expect((await readdir(dir)).sort()).toEqual(['ap_invoices.csv', 'checks.csv', 'commitments.csv', 'cost_codes.csv', 'jobs.csv', 'vendors.csv']);
    expect(await readFile(join(dir, 'checks.csv'), 'utf8')).toBe(HEADER);
    const { ledger, problems } = await openBridge({ kind: 'demo', dir, payAfterSeconds: 60 }).load();
    expect(problems).toEqual([]);
    expect(ledger.vendors.map((v) => v.code)).toEqual(DEMO_LEDGER_CODES.vendors.map((v) => v.code));
    expect(ledger.vendors.every((v) => v.active)).toBe(true);
    expect(ledger.jobs.map((j) => [j.code, j.closed])).toEqual(DEMO_LEDGER_CODES.jobs.map((j) => [j.code, false]));
    expect(ledger.costCodes).toEqual(DEMO_LEDGER_CODES.costCodes);
    expect(ledger.commitments.map((c) => [c.code, c.vendor, c.job, c.type, c.open, c.amount, c.remaining])).toEqual(
      DEMO_LEDGER_CODES.commitments.map((c) => [c.code, c.vendor, c.job, c.type, true, Math.round(Number(c.amount) * 100), Math.round(Number(c.remaining) * 100)]),
    );
    expect(ledger.commitments.map((c) => c.code)).not.toContain('SC-999');
    expect(ledger.vendors.map((v) => v.code)).not.toContain('GHOST-VND');
    expect(ledger.apInvoices.length).toBeGreaterThanOrEqual(3);
    expect(ledger.apInvoices.every((i) => ledger.vendors.some((v) => v.code === i.vendor))).toBe(true);
    expect(ledger.checks).toEqual([]);
  });

  it('leaves the files alone when it is created again', async () => {
    const dir = await demoFolder();
    const paid = `${HEADER}10001,2026-11-20,ABC-CON,ABC-1068,1350.00,Check\r\n`;
    await writeFile(join(dir, 'checks.csv'), paid);
    await createDemoLedger(dir);
    expect(await readFile(join(dir, 'checks.csv'), 'utf8')).toBe(paid);
  });

  it('pays each exported invoice once its delay has passed, and only once', async () => {
    const dir = await demoFolder();
    let now = T0;
    const bridge = openBridge({ kind: 'demo', dir, payAfterSeconds: 60 }, { now: () => now });
    await bridge.exportInvoices([subcontract, purchaseOrder]);

    now = T0 + 59_999;
    expect((await bridge.load()).ledger.checks).toEqual([]);

    now = T0 + 60_000;
    const paid = await bridge.load();
    expect(paid.problems).toEqual([]);
    // One check per invoice: its total less the retainage held on its lines.
    expect(paid.ledger.checks).toEqual([
      { checkNumber: '10001', checkDate: localDay(now), vendor: 'ABC-CON', invoiceNumber: 'ABC-1068', amount: 135000, method: 'Check' },
      { checkNumber: '10002', checkDate: localDay(now), vendor: 'LUMBER-05', invoiceNumber: 'NWL-1', amount: 25000, method: 'ACH' },
    ]);
    expect(paid.ledger.apInvoices.slice(-2)).toEqual([
      { vendor: 'ABC-CON', invoiceNumber: 'ABC-1068', amount: 150000, date: '2026-11-20' },
      { vendor: 'LUMBER-05', invoiceNumber: 'NWL-1', amount: 25000, date: '2026-11-18' },
    ]);

    // Another export a minute later is paid on its own schedule, with the next number and method.
    await bridge.exportInvoices([invoice('INV-000003', [line({ amount: '75.10' })], { vendor: 'ROOF-06', invoiceNumber: 'RR-400' })]);
    now = T0 + 100_000;
    expect((await bridge.load()).ledger.checks).toHaveLength(2);
    now = T0 + 120_000;
    expect((await bridge.load()).ledger.checks.at(-1)).toMatchObject({ checkNumber: '10003', invoiceNumber: 'RR-400', amount: 7510, method: 'EFT' });

    // Loading again, or from a new bridge, pays nothing more.
    now = T0 + 3_600_000;
    await bridge.load();
    await openBridge({ kind: 'demo', dir, payAfterSeconds: 60 }, { now: () => now }).load();
    expect((await checksOnDisk(dir)).map((check) => check.invoice_number)).toEqual(['ABC-1068', 'NWL-1', 'RR-400']);
  });

  it('pays once, and loses no check, when several bridges load at the same moment', async () => {
    for (let round = 0; round < 6; round++) {
      const dir = await demoFolder();
      await openBridge({ kind: 'demo', dir, payAfterSeconds: 5 }, { now: () => T0 }).exportInvoices([subcontract]);
      await openBridge({ kind: 'demo', dir, payAfterSeconds: 5 }, { now: () => T0 + 60_000 }).exportInvoices([purchaseOrder]);
      // Some bridges see only the first export as due, some both: a payer that wrote from a stale
      // read would pay one twice or drop the other's check.
      const bridges = Array.from({ length: 6 }, (_, n) => openBridge({ kind: 'demo', dir, payAfterSeconds: 5 }, { now: () => T0 + (n < 3 ? 65_000 : 5_000) }));
      const results = await Promise.all(
        bridges.map(async (bridge) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 6));
          return bridge.load();
        }),
      );
      const final = (await checksOnDisk(dir)).map((check) => `${check.check_number} ${check.invoice_number}`);
      expect(final).toEqual(['10001 ABC-1068', '10002 NWL-1']);
      for (const result of results) {
        const seen = result.ledger.checks.map((check) => `${check.checkNumber} ${check.invoiceNumber}`);
        expect(final.slice(0, seen.length)).toEqual(seen);
      }
    }
  });

  it('pays once when two processes load at the same moment', async () => {
    const dir = await demoFolder();
    await openBridge({ kind: 'demo', dir, payAfterSeconds: 5 }, { now: () => T0 }).exportInvoices([subcontract, purchaseOrder]);
    const helper = fileURLToPath(new URL('./load-helper.ts', import.meta.url));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', helper, dir, '5', String(T0 + 5_000)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    for (const result of results) expect(result, result.stderr).toEqual({ code: 0, stderr: '' });
    const checks = await checksOnDisk(dir);
    expect(checks.map((check) => [check.check_number, check.invoice_number])).toEqual([
      ['10001', 'ABC-1068'],
      ['10002', 'NWL-1'],
    ]);
    const history = parse(await readFile(join(dir, 'ap_invoices.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(history.filter((row) => row.invoice_number === 'ABC-1068')).toHaveLength(1);
  });
});
