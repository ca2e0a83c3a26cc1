// The real binary in a real terminal (tmux) whose window is resized while the console runs: each
// size gets one whole frame at its width — the header, tabs and rule once, the footer on the
// frame's last row, no line wider than the terminal — the Invoices pane shows as many rows as fit,
// and a terminal too small for the console says so until it is made larger again.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { BIN } from '../helpers/cli.js';
import { pdfWithPages } from '../helpers/files.js';
import { tempDir } from '../helpers/temp.js';
import { hasTmux, Tmux } from '../helpers/tmux.js';

const INVOICE_ROW = /^[› ] INV-\d{6}/;

/** The demo with 40 documents in AP Inbox: more than any of these terminals shows at once. */
async function demoWithDocuments(): Promise<string> {
  const dir = await tempDir();
  expect(spawnSync(process.execPath, [BIN, 'demo', '--data-dir', dir]).status).toBe(0);
  const pdf = join(await tempDir('apdesk-pdf-'), 'invoice.pdf');
  await writeFile(pdf, await pdfWithPages(1));
  const add = spawnSync(process.execPath, [BIN, 'queue', 'add-document', '--vault', 'demo-construction', '--queue', 'AP Inbox', '--allow-duplicate', ...Array(39).fill(pdf), '--data-dir', dir]);
  expect(add.status, add.stderr.toString()).toBe(0);
  return dir;
}

/** What is wrong with the Invoices pane's frame at this size; nothing when it is whole. */
function frameFaults(tmux: Tmux, columns: number, rows: number, footer: string): string[] {
  const faults: string[] = [];
  const lines = tmux.capture({}).replace(/\n$/, '').split('\n');
  if (lines.length !== rows) faults.push(`${lines.length} rows on a ${rows}-row screen`);
  // A line the terminal wrapped comes back whole here: wider than the screen means ink drew it so.
  for (const line of tmux.capture({ joined: true }).replace(/\n$/, '').split('\n')) {
    if (stringWidth(line.trimEnd()) > columns) faults.push(`a line wider than ${columns}: ${line.trimEnd()}`);
  }
  if (!/^Demo Const.*sync: /.test(lines[0] ?? '')) faults.push(`row 1 is not the header: ${lines[0]}`);
  if (lines.filter((line) => line.startsWith('Demo Const')).length !== 1) faults.push('the header is drawn more than once');
  if (!lines[1]?.includes('[5 Invoices]')) faults.push(`row 2 is not the tabs: ${lines[1]}`);
  if (lines.filter((line) => line.includes('[5 Invoices]')).length !== 1) faults.push('the tabs are drawn more than once');
  if (lines[2] !== '─'.repeat(columns)) faults.push(`row 3 is not a rule ${columns} wide: ${lines[2]}`);
  // The frame is one row short of the screen (ink redraws a full-height frame from scratch): the
  // footer on its last row, cut to the width, and nothing under it.
  const footerRow = (lines[rows - 2] ?? '').trimEnd();
  const fitted = footerRow.endsWith('…') ? footer.startsWith(footerRow.slice(0, -1)) : footerRow === footer;
  if (!fitted) faults.push(`row ${rows - 1} is not the footer: ${footerRow}`);
  if (lines.filter((line) => line.startsWith(footer.slice(0, 12))).length !== 1) faults.push('the footer is drawn more than once');
  if (lines[rows - 1]?.trim()) faults.push(`the last row is not empty: ${lines[rows - 1]}`);
  return faults;
}

/** Waits until the frame at this size is whole, and returns its rows. */
async function settled(tmux: Tmux, columns: number, rows: number, footer: string): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let faults: string[] = [];
  while (Date.now() < deadline) {
    faults = frameFaults(tmux, columns, rows, footer);
    if (!faults.length) return tmux.screen().replace(/\n$/, '').split('\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the frame at ${columns}×${rows} is not whole:\n${faults.join('\n')}\nthe screen shows:\n${tmux.screen()}`);
}

describe.runIf(hasTmux)('the console in a resized terminal', () => {
  // Both tests only read it.
  let dir: string;
  beforeAll(async () => {
    dir = await demoWithDocuments();
  });

  it('redraws the whole frame at each new size, shows more invoices when taller, and keeps the cursor', async () => {
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 120, 40);
      await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
      tmux.keys('5');
      await tmux.waitFor((s) => s.includes('[5 Invoices]') && s.includes('all 40'), 'the Invoices pane');
      tmux.keys('j', 'j', 'j');
      const wide = await tmux.waitFor((s) => /^› INV-000004/m.test(s), 'the cursor on the fourth invoice');
      // At 120 columns the footer is whole: the narrower ones are cuts of it.
      const footer = wide.split('\n').find((line) => line.includes('q quit'))!.trimEnd();

      tmux.resize(80, 24);
      const standard = await settled(tmux, 80, 24, footer);
      tmux.resize(120, 40);
      const tall = await settled(tmux, 120, 40, footer);
      tmux.resize(80, 24);
      const again = await settled(tmux, 80, 24, footer);
      tmux.resize(60, 20);
      const narrow = await settled(tmux, 60, 20, footer);

      const shown = (screen: string[]) => screen.filter((line) => INVOICE_ROW.test(line)).length;
      expect(shown(tall)).toBeGreaterThan(shown(standard) + 10);
      expect(shown(again)).toBe(shown(standard));
      expect(shown(narrow)).toBeGreaterThan(3);
      expect(shown(narrow)).toBeLessThan(shown(standard));
      // The rows fill the body: the one under the last invoice is the status line, above the footer.
      expect(standard.map((line) => INVOICE_ROW.test(line)).lastIndexOf(true)).toBe(24 - 4);
      for (const screen of [standard, tall, again, narrow]) expect(screen.filter((line) => /^› INV-000004/.test(line))).toHaveLength(1);
    } finally {
      tmux.kill();
    }
  });

  it('says how large the terminal must be when it is too small, comes back whole, and still quits on q', async () => {
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 120, 40);
      await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
      tmux.keys('5');
      // The cursor on the first row: the footer has the keys that act on a row.
      const wide = await tmux.waitFor((s) => s.includes('[5 Invoices]') && s.includes('all 40') && /^› INV-000001/m.test(s), 'the Invoices pane');
      const footer = wide.split('\n').find((line) => line.includes('q quit'))!.trimEnd();

      tmux.resize(40, 10);
      const small = await tmux.waitFor((s) => s.replace(/\s+/g, ' ').includes('at least 60×12'), 'the too-small message');
      const lines = small.replace(/\n$/, '').split('\n');
      expect(small).not.toContain('Demo Const');
      expect(small.replace(/\s+/g, ' ')).toContain('(it is 40×10); q quits');
      expect(lines[9]).toBe('');
      for (const line of tmux.capture({ joined: true }).split('\n')) expect(stringWidth(line.trimEnd())).toBeLessThanOrEqual(40);
      // Keys other than q act on nothing unseen.
      tmux.keys('j');
      tmux.resize(80, 24);
      const back = await settled(tmux, 80, 24, footer);
      expect(back.filter((line) => /^› INV-000001/.test(line))).toHaveLength(1);

      tmux.resize(20, 6);
      await tmux.waitFor((s) => s.replace(/\s+/g, ' ').includes('at least'), 'the too-small message, cut to the screen');
      tmux.keys('q');
      await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit');
      expect(tmux.alternate()).toBe(false);
    } finally {
      tmux.kill();
    }
  });
});
