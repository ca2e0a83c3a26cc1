import { describe, expect, it, beforeAll } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { App } from '../../source/tui/app.js';
import { summaryOf, type InvoiceTally, type VaultSummary } from '../../source/app/summary.js';
import { BINDINGS, resolveKey } from '../../source/tui/keymap.js';
import { uiReducer, initialUiState, visibleWindow } from '../../source/tui/ui-state.js';
import type { Vault } from '../../source/domain/vault.js';
import { INVOICE_STATUSES, type Invoice } from '../../source/domain/invoice.js';
import { ProblemLog } from '../../source/tui/problems.js';

/** A vault's summary as the desk would count these invoices. */
function summariseVault(vault: Vault, invoices: readonly Pick<Invoice, 'status' | 'queueId'>[]): VaultSummary {
  const tally: InvoiceTally = { total: invoices.length, byStatus: {}, byQueue: {} };
  for (const invoice of invoices) {
    tally.byStatus[invoice.status] = (tally.byStatus[invoice.status] ?? 0) + 1;
    tally.byQueue[invoice.queueId] = (tally.byQueue[invoice.queueId] ?? 0) + 1;
  }
  return summaryOf(vault, tally);
}

const KEYS = { up: '\u001B[A', down: '\u001B[B', escape: '\u001B', end: '\u001B[F' };

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

function vault(name: string, queues: string[] = []): Vault {
  const id = name.toLowerCase().replace(/\s+/g, '-');
  return {
    id: id as Vault['id'],
    name,
    accounting: 'sage300',
    licences: ['procore'],
    queues: queues.map((q) => ({ id: q.toLowerCase() as never, name: q, createdAt: 'x' })),
    createdAt: 'x',
    createdBy: 'pat',
  };
}

const summaries: VaultSummary[] = Array.from({ length: 30 }, (_, i) =>
  summariseVault(vault(`Vault ${String(i + 1).padStart(2, '0')}`, i === 1 ? ['AP Inbox', 'Procore Invoices'] : []), []),
);

async function mount(load: () => Promise<VaultSummary[]>, size = { columns: 100, rows: 20 }, title = 'pat · /data', problems?: ProblemLog) {
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<App title={title} load={load} pollMs={0} size={size} {...(problems ? { problems } : {})} />);
  });
  await act(async () => undefined);
  const press = async (key: string) => {
    await act(async () => {
      app.stdin.write(key);
    });
  };
  return { app, press, frame: () => app.lastFrame() ?? '' };
}

describe('the console shell', () => {
  it('lists the vaults and shows the selected one', async () => {
    const { frame, press } = await mount(async () => summaries);
    expect(frame()).toContain('Vaults (30)');
    expect(frame()).toContain('› Vault 01');
    await press(KEYS.down);
    expect(frame()).toContain('› Vault 02');
    expect(frame()).toContain('AP Inbox — 0 documents');
    await press('k');
    expect(frame()).toContain('› Vault 01');
  });

  it('renders only the rows that fit, keeping the selection in view', async () => {
    const { frame, press } = await mount(async () => summaries, { columns: 100, rows: 12 });
    expect(frame()).not.toContain('Vault 30');
    await press('G');
    expect(frame()).toContain('› Vault 30');
    expect(frame()).not.toContain('Vault 01');
    expect(frame().split('\n').length).toBeLessThanOrEqual(11);
  });

  it('shows the keys from the keymap on ? and hides them on Esc', async () => {
    const { frame, press } = await mount(async () => summaries);
    await press('?');
    for (const binding of BINDINGS) expect(frame()).toContain(binding.description);
    await press(KEYS.escape);
    expect(frame()).toContain('Vaults (30)');
  });

  it('shows as many keys as a short terminal has rows for, and counts the rest', async () => {
    const { frame, press } = await mount(async () => summaries, { columns: 60, rows: 10 });
    await press('?');
    const lines = frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(9);
    expect(frame()).toContain('Keys');
    expect(frame()).toContain(BINDINGS[0]!.description);
    // body: 10 rows - 1 - header 2 - footer 1 - spare 1 = 5 rows: the title, 3 keys, and the count
    expect(frame()).toContain(`… ${BINDINGS.length - 3} more`);
    expect(frame()).not.toContain(BINDINGS[3]!.description);
  });

  it('cuts the vault details to the rows a short terminal has, and counts the rest', async () => {
    const { frame, press } = await mount(async () => summaries, { columns: 80, rows: 8 });
    await press(KEYS.down);
    const lines = frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(7);
    // body: 8 rows - 1 - header 2 - footer 1 - spare 1 = 3: the name, accounting, and the count of the other 10
    expect(lines[2]).toContain('Vault 02 (vault-02)');
    expect(lines[3]).toContain('Accounting: Sage 300');
    expect(lines[4]).toContain('… 10 more rows');
    expect(frame()).not.toContain('AP Inbox');
  });

  it.each([
    [100, 20],
    [40, 24],
  ])('counts the invoices in every status the domain has, at %i columns', async (columns, rows) => {
    // 1 unprocessed, 2 incomplete, 3 pending, … 8 paid: each count tells its status apart.
    const invoices = INVOICE_STATUSES.flatMap((status, index) =>
      Array.from({ length: index + 1 }, () => ({ status, queueId: 'ap inbox' }) as unknown as Invoice),
    );
    const { frame } = await mount(async () => [summariseVault(vault('Harbor Builders', ['AP Inbox']), invoices)], { columns, rows });
    expect(frame()).toContain('Invoices: 36');
    INVOICE_STATUSES.forEach((status, index) => {
      expect(frame(), status).toMatch(new RegExp(`(^|\\s)${status}\\s+${index + 1}(\\s|$)`, 'm'));
    });
    expect(frame()).toContain('AP Inbox — 36');
  });

  it('says what to do when there are no vaults', async () => {
    const { frame } = await mount(async () => []);
    expect(frame()).toContain('apdesk vault add NAME --accounting sage300');
  });

  it('shows a load failure instead of crashing', async () => {
    const { frame } = await mount(async () => {
      throw new Error('settings.json is locked');
    });
    expect(frame()).toContain('Could not read the data dir: settings.json is locked');
  });
});

describe('problems found while the console runs', () => {
  const quarantined = 'vaults/harbor/invoices/3fa.json did not parse; moved aside as 3fa.json.corrupt-2026-12-01T23-58-33Z';

  it('shows each problem until it is dismissed with x, the ones reported before it drew too', async () => {
    const problems = new ProblemLog();
    problems.report(quarantined);
    const { frame, press } = await mount(async () => summaries, { columns: 100, rows: 20 }, 'pat · /data', problems);
    expect(frame()).toContain('3fa.json did not parse');
    expect(frame()).toContain('x dismiss');
    await act(async () => problems.report('settings.json did not parse; moved aside as settings.json.corrupt-1'));
    expect(frame()).toContain('3fa.json did not parse');
    expect(frame()).toContain('1 more');
    expect(frame().split('\n').length).toBeLessThanOrEqual(19);
    await press('x');
    expect(frame()).not.toContain('3fa.json');
    expect(frame()).toContain('settings.json did not parse');
    expect(frame()).not.toContain('1 more');
    await press('x');
    expect(frame()).not.toContain('did not parse');
    expect(frame()).not.toContain('x dismiss');
    expect(frame()).toContain('Vaults (30)');
    expect(problems.all).toHaveLength(2);
  });

  it('wraps a long problem to the width and keeps the frame to the terminal', async () => {
    const problems = new ProblemLog();
    problems.report(quarantined);
    const { frame } = await mount(async () => summaries, { columns: 40, rows: 12 }, 'pat · /data', problems);
    const lines = frame().split('\n');
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(40);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.join(' ')).toContain('moved aside as');
    expect(frame()).toContain('x dismiss');
    expect(frame()).toContain('Vaults (30)');
  });

  it('shows the same problem once while it waits to be dismissed', async () => {
    const problems = new ProblemLog();
    const { frame } = await mount(async () => summaries, { columns: 100, rows: 20 }, 'pat · /data', problems);
    expect(frame()).not.toContain('x dismiss');
    await act(async () => {
      problems.report(quarantined);
      problems.report(quarantined);
    });
    expect(frame()).toContain('3fa.json did not parse');
    expect(frame()).not.toContain('more');
  });
});

describe('widths as a terminal counts them', () => {
  const wide: VaultSummary[] = [
    summariseVault(vault('東京建設', ['請求書の受信箱', 'AP Inbox']), []),
    summariseVault(vault('Harbor Builders'), []),
    summariseVault(vault('東京建設株式会社 東京建設株式会社 東京建設株式会社'), []),
  ];
  const title = '山田太郎 · /srv/apdesk/データ/とても長いフォルダの名前';
  /** The terminal column where `text` starts on `line`. */
  const columnOf = (line: string, text: string) => stringWidth(line.slice(0, line.indexOf(text)));
  /** What `line` shows in its first `columns` terminal columns. */
  const leftColumns = (line: string, columns: number) => {
    let shown = '';
    for (const char of line) {
      if (stringWidth(shown + char) > columns) break;
      shown += char;
    }
    return shown;
  };

  it.each([40, 59, 60, 80])('at %i columns: one header line, every line fits, the details stay in their column', async (columns) => {
    const { frame, press } = await mount(async () => wide, { columns, rows: 16 }, title);
    for (const selected of wide) {
      const lines = frame().split('\n');
      for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
      // The name whole, then the title, whole or cut with an ellipsis, at the right edge.
      expect(lines[0]).toMatch(/^apdesk {2,}\S/);
      expect(lines[0]!.endsWith(title) || lines[0]!.trimEnd().endsWith('…'), lines[0]).toBe(true);
      expect(stringWidth(lines[0]!)).toBeGreaterThanOrEqual(columns - 1);
      expect(lines[1]).toBe('─'.repeat(columns));
      // Wide names in the list do not push the details out of their column.
      const details = ['Accounting:', 'Licences:', 'Invoices:'].map((label) => {
        const line = lines.find((candidate) => candidate.includes(label));
        expect(line, label).toBeDefined();
        return columnOf(line!, label);
      });
      expect(new Set(details).size, lines.join('\n')).toBe(1);
      expect(frame()).toContain(`› ${selected.vault.name.slice(0, 2)}`);
      // The name too wide for the list is cut with an ellipsis, losing at most the column half a
      // wide character would take.
      const listWidth = details[0]! - 2;
      const longRow = lines.find((line) => /^[ ›] 東京建設株式会社/.test(line))!;
      const listed = leftColumns(longRow, listWidth).trimEnd();
      expect(listed, longRow).toMatch(/^[ ›] 東京建設株式会社.*…$/);
      expect(stringWidth(listed)).toBeGreaterThanOrEqual(listWidth - 1);
      await press(KEYS.down);
    }
  });
});

describe('keys and windowing', () => {
  const key = (overrides: Record<string, boolean> = {}) =>
    ({ upArrow: false, downArrow: false, ctrl: false, meta: false, escape: false, ...overrides }) as never;

  it('resolves keys through the table', () => {
    expect(resolveKey('', key({ downArrow: true }))).toEqual({ type: 'move', delta: 1 });
    expect(resolveKey('q', key())).toEqual({ type: 'quit' });
    expect(resolveKey('q', key({ ctrl: true }))).toBeUndefined();
    expect(resolveKey('z', key())).toBeUndefined();
  });

  it('clamps movement to the list', () => {
    let state = initialUiState;
    state = uiReducer(state, { type: 'move', delta: -1, count: 3 });
    expect(state.selected).toBe(0);
    state = uiReducer(state, { type: 'move', delta: 10, count: 3 });
    expect(state.selected).toBe(2);
    state = uiReducer(state, { type: 'move-to', index: 'first', count: 3 });
    expect(state.selected).toBe(0);
  });

  it.each([
    [5, 0, 10, { start: 0, end: 5 }],
    [100, 0, 10, { start: 0, end: 10 }],
    [100, 50, 10, { start: 45, end: 55 }],
    [100, 99, 10, { start: 90, end: 100 }],
    [100, 3, 0, { start: 0, end: 0 }],
  ])('windows %i rows around %i in %i lines', (count, selected, height, expected) => {
    expect(visibleWindow(count, selected, height)).toEqual(expected);
  });
});
