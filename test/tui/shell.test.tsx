// The console shell through its real key dispatcher, on a real data dir (the demo): the header,
// panes, `?`, the footer, unavailable keys saying why, the problem banner, and the frame kept to
// the terminal. Every render and key is wrapped in act().
import { beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { openDesk, type Desk } from '../../source/app/desk.js';
import { headerLine, MIN_SIZE, ModalView, Shell, tooSmallLines } from '../../source/tui/shell/shell.js';
import { PANES } from '../../source/tui/panes/index.js';
import { loopControl } from '../../source/tui/shell/loop-control.js';
import { ProblemLog } from '../../source/tui/problems.js';
import { tempDir } from '../helpers/temp.js';

const KEYS = { up: '\u001B[A', down: '\u001B[B', escape: '\u001B', tab: '\t', shiftTab: '\u001B[Z' };

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

async function demoDesk(): Promise<Desk> {
  const desk = await openDesk({ dataDir: await tempDir() });
  await desk.demo.create();
  return desk;
}

async function mount(desk: Desk, size = { columns: 80, rows: 24 }, problems?: ProblemLog) {
  let app!: ReturnType<typeof render>;
  const loop = loopControl(desk);
  const shell = (at: typeof size) => <Shell desk={desk} panes={PANES} loop={loop} size={at} welcome="Welcome: press ? for every key" {...(problems ? { problems } : {})} />;
  await act(async () => {
    app = render(shell(size));
  });
  // Loads settle: the vaults, then the pane's data (on a loaded machine this takes a while).
  const settled = (frame: string) => frame.includes('q quit') && !/No vault yet|Loading…|apdesk — no vault yet/.test(frame);
  for (let n = 0; n < 5 || (n < 200 && !settled(app.lastFrame() ?? '')); n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
  const press = async (key: string) => {
    await act(async () => {
      app.stdin.write(key);
    });
    for (let n = 0; n < 8; n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 25)));
  };
  const resize = async (at: typeof size) => {
    await act(async () => {
      app.rerender(shell(at));
    });
    for (let n = 0; n < 4; n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 25)));
  };
  return { app, press, resize, frame: () => app.lastFrame() ?? '' };
}

function fits(frame: string, size: { columns: number; rows: number }): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(size.columns);
}

describe('the console shell', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await demoDesk();
  });

  it('opens on the demo vault: the header says the vault, its accounting, Procore and the loop; the welcome line says how to begin', async () => {
    const { frame } = await mount(desk);
    expect(frame()).toMatch(/^Demo Construction · Sage 300\s+Procore: not connected · auto-queue · sync: stopped$/m);
    expect(frame()).toMatch(/^\[1 Connection\] 2 3 4 5 6 7 8$/m);
    expect(frame(), frame()).toContain('press g to Grant Access');
    expect(frame()).toContain('Welcome: press ? for every key');
    fits(frame(), { columns: 80, rows: 24 });
  });

  it('moves between panes with Tab, Shift-Tab and numbers, and shows the focused pane', async () => {
    const { frame, press } = await mount(desk);
    await press(KEYS.tab);
    expect(frame()).toContain('[2 Company]');
    await press(KEYS.shiftTab);
    expect(frame()).toContain('[1 Connection]');
    await press(KEYS.shiftTab);
    expect(frame()).toContain('[8 Vaults]');
    expect(frame()).toContain('AP Inbox — 1 document');
    await press('7');
    expect(frame()).toContain('[7 Sync & Jobs]');
    expect(frame()).toContain('Sync loop: STOPPED');
    expect(frame()).toMatch(/procore-import\s+yes\s+15m/);
    await press('6');
    expect(frame()).toContain('[6 Invoice Entry]');
    await press('9');
    expect(frame()).toContain('! pane: there are 8 panes');
  });

  it('works a document by keys through Invoices, its detail and Invoice Entry, and runs a job in Sync & Jobs', async () => {
    const own = await demoDesk();
    const { frame, press } = await mount(own);
    const until = async (wanted: (text: string) => boolean, what: string) => {
      for (let n = 0; n < 200 && !wanted(frame()); n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 25)));
      expect(wanted(frame()), `${what}:\n${frame()}`).toBe(true);
    };
    await press('5');
    await until((text) => text.includes('[5 Invoices]') && /› INV-000001/.test(text), 'the document in Invoices');
    // Export cannot act on an unprocessed document, and says why.
    await press('E');
    await until((text) => /! export: /.test(text), 'export refused with why');
    await press('\r');
    await until((text) => text.includes('Esc back') && text.includes('INV-000001'), 'the detail');
    await press('G');
    await until((text) => /Audit trail/.test(text), 'the end of the detail');
    await press(KEYS.escape);
    await until((text) => /› INV-000001/.test(text) && !text.includes('Esc back'), 'back in the list');
    await press('e');
    await until((text) => text.includes('[6 Invoice Entry]') && /› Vendor/.test(text), 'the document in Invoice Entry');
    await press('\r');
    await until((text) => text.includes('Vendor'), 'the field form');
    // The text and its Enter in one read (typed fast over SSH): Enter submits, it is not text.
    await press('ABC-CON\r');
    await until((text) => /› Vendor\s+ABC-CON/.test(text), 'the vendor saved');
    await press('s');
    await until((text) => /^\d+ errors?, \d+ warnings?$/m.test(text) && !text.includes('not validated yet'), 'validated');
    expect((await own.invoices.get('INV-000001')).header.vendor).toBe('ABC-CON');
    await press('7');
    await until((text) => text.includes('Sync loop: STOPPED'), 'Sync & Jobs');
    await press('r');
    await until((text) => /check-backfiller: /.test(text), 'the job run, with its outcome');
  });

  it('shows every key on ?, with why one is unavailable, and closes on Esc', async () => {
    const { frame, press } = await mount(desk);
    await press('8');
    await press('?');
    expect(frame()).toContain('Keys — Vaults and everywhere');
    expect(frame()).toMatch(/v\s+switch to another vault — not now: this data dir has one/);
    await press(KEYS.escape);
    expect(frame()).not.toContain('Keys —');
    expect(frame()).toContain('AP Inbox — 1 document');
  });

  it('scrolls the keys when they do not all fit, to the last (q quit)', async () => {
    const { frame, press } = await mount(desk);
    await press('5');
    await press('?');
    expect(frame()).toContain('Keys — Invoices and everywhere');
    expect(frame()).toMatch(/keys 1–\d+ of \d+ · ↑↓ PgUp PgDn scroll · Esc closes/);
    expect(frame()).not.toMatch(/^q\s+quit/m);
    await press('G');
    expect(frame()).toMatch(/^q\s+/m);
    expect(frame()).not.toMatch(/^↓ j\s+Next row/m);
    await press('g');
    expect(frame()).toMatch(/^↓ j\s+Next row/m);
    await press(KEYS.escape);
    expect(frame()).not.toContain('Keys —');
  });

  it('says why when a key cannot act now, in the status line', async () => {
    const { frame, press } = await mount(desk);
    await press('v');
    expect(frame()).toContain('! vault: this data dir has one vault');
    await press('7');
    await press('p');
    expect(frame()).toContain('! reprocess: select a failed import');
  });

  it('keeps its footer to the focused pane and the keys that act now', async () => {
    const { frame, press } = await mount(desk);
    await press('8');
    expect(frame()).toContain('r reload');
    expect(frame()).not.toContain('v vault');
    await press('7');
    expect(frame()).toContain('s start/stop');
    expect(frame()).not.toContain('r reload');
  });

  it('takes keys that come in one read one at a time: "o" then Enter picks in the picker "o" opened', async () => {
    const { frame, press } = await mount(desk);
    await press('6');
    expect(frame()).toContain('No document open.');
    await press('o\r');
    for (let n = 0; n < 40 && !frame().includes('· unprocessed ·'); n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 25)));
    expect(frame()).toMatch(/INV-\d+ · unprocessed · /);
    expect(frame()).not.toContain('no document open');
  });

  it('fits narrow and short terminals', async () => {
    for (const size of [{ columns: 80, rows: 24 }, { columns: 60, rows: 12 }]) {
      const { frame, press } = await mount(desk, size);
      fits(frame(), size);
      for (const pane of ['2', '3', '4', '5', '6', '7', '8']) {
        await press(pane);
        fits(frame(), size);
      }
      await press('?');
      fits(frame(), size);
    }
  });

  it('asks for a larger terminal below its smallest size, in a frame that fits, and no key but q acts', async () => {
    for (const size of [{ columns: 59, rows: 24 }, { columns: 80, rows: 11 }, { columns: 20, rows: 6 }, { columns: 8, rows: 2 }]) {
      const lines = tooSmallLines(size);
      expect(lines.length).toBeLessThanOrEqual(Math.max(size.rows - 1, 1));
      for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(size.columns);
    }
    const size = { columns: MIN_SIZE.columns - 1, rows: 24 };
    const { frame, press, resize } = await mount(desk, size);
    expect(frame().replace(/\s+/g, ' ')).toContain(`Make the terminal at least ${MIN_SIZE.columns}×${MIN_SIZE.rows} (it is ${size.columns}×24); q quits.`);
    expect(frame()).not.toContain('Demo Construction');
    fits(frame(), size);
    await press('v');
    await press('8');
    await resize({ columns: 80, rows: 24 });
    expect(frame()).toContain('[1 Connection]');
    expect(frame()).not.toContain('vault: this data dir has one vault');
    expect(frame()).toContain('Welcome: press ? for every key');
  });
});

describe('a picker', () => {
  it('shows the item under the cursor whole under the list when its row is cut (why it cannot be chosen too)', async () => {
    const items = [
      { label: '1280624  Ridgeline Roofing  RR-310', value: '1', detail: 'Riverside Library  $14,372.08', disabled: 'imported as PC-4126-1280624 in Demo Construction' },
      { label: '1280627  Fresh Coat', value: '2' },
    ];
    let app!: ReturnType<typeof render>;
    await act(async () => {
      app = render(<ModalView modal={{ kind: 'pick', title: 'Procore Import', items, cursor: 0, filter: '', filtering: false, resolve: () => undefined }} width={60} height={18} />);
    });
    const frame = app.lastFrame() ?? '';
    await act(async () => app.unmount());
    for (const line of frame.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(frame.replace(/\s+/g, ' ')).toContain('imported as PC-4126-1280624 in Demo Construction');
  });
});

describe('the header line', () => {
  it('cuts a long company name before the behaviour and the loop, and keeps some of the vault', () => {
    const right = ['Procore: Quarry Road Contractors (Procore)', 'auto-queue', 'sync: stopped'];
    const line = headerLine(80, 'Demo Construction · Sage 300', right);
    expect(stringWidth(line)).toBe(80);
    expect(line).toMatch(/^Demo Constructi… Procore: Quarry Road.*… · auto-queue · sync: stopped$/);
    const narrow = headerLine(50, 'Demo Construction · Sage 300', right);
    expect(stringWidth(narrow)).toBe(50);
    expect(narrow).toMatch(/ · auto-queue · sync: stopped$/);
    expect(narrow).toMatch(/^Demo Constr… Procore… · /);
    // When everything fits, nothing is cut.
    expect(headerLine(120, 'Demo · Sage 300', right)).toMatch(/^Demo · Sage 300 +Procore: Quarry Road Contractors \(Procore\) · auto-queue · sync: stopped$/);
  });
});

describe('problems found while the console runs', () => {
  it('shows each problem until it is dismissed with x, the ones reported before it drew too', async () => {
    const desk = await demoDesk();
    const problems = new ProblemLog();
    problems.report('vaults/demo/invoices/001.json did not parse; recovered the previous version');
    const { frame, press } = await mount(desk, { columns: 80, rows: 24 }, problems);
    expect(frame()).toContain('⚠ vaults/demo/invoices/001.json did not parse');
    expect(frame()).toContain('x dismiss');
    await act(async () => problems.report('settings.json did not parse; moved aside'));
    expect(frame()).toContain('· 1 more');
    await press('x');
    expect(frame()).toContain('⚠ settings.json did not parse');
    await press('x');
    expect(frame()).not.toContain('⚠');
    expect(problems.all).toHaveLength(2);
  });
});

describe('a first run, while the console prepares its demo vault after the first frame', () => {
  it('says what it prepares, and keys typed meanwhile wait and are then taken in order', async () => {
    const desk = await openDesk({ dataDir: await tempDir() });
    let prepared!: () => void;
    const done = new Promise<void>((resolve) => (prepared = resolve));
    let app!: ReturnType<typeof render>;
    await act(async () => {
      app = render(<Shell desk={desk} panes={PANES} loop={loopControl(desk)} size={{ columns: 80, rows: 24 }} initialPane="connection" preparing={{ what: 'Creating the demo vault', done }} />);
    });
    for (let n = 0; n < 5; n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(app.lastFrame()).toContain('Creating the demo vault…');
    // "g" before there is a vault: held, not refused with "no vault yet".
    await act(async () => {
      app.stdin.write('g');
    });
    for (let n = 0; n < 5; n++) await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(app.lastFrame()).not.toContain('grant access: no vault yet');
    expect(app.lastFrame()).not.toContain('sign in to the local sandbox');
    await act(async () => {
      await desk.demo.create();
      prepared();
    });
    let frame = '';
    for (let n = 0; n < 100 && !frame.includes('sign in to the local sandbox'); n++) {
      await act(async () => new Promise((resolve) => setTimeout(resolve, 20)));
      frame = app.lastFrame() ?? '';
    }
    expect(frame, frame).toContain('Authorize Procore Connection: sign in to the local sandbox');
    expect(frame).not.toContain('Creating the demo vault');
    await act(async () => app.unmount());
  });
});
