// The Invoices pane against a real desk on a temp dir: its keys resolved through the shell's
// resolver, its handler calling the services, its view at 80×24. The modals are the one fake:
// a script of the user's answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { openDesk, type Desk } from '../../../source/app/desk.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS, sandboxStateDir, type RunningSandbox } from '../../../source/sandbox/index.js';
import { addRequisitions, attachFile, readState, updateState } from '../../../source/sandbox/control.js';
import { closeMergeWorker } from '../../../source/documents/merge.js';
import { displayWidth } from '../../../source/text/width.js';
import { resolve, footerHints } from '../../../source/tui/shell/bindings.js';
import type { Modals, PaneEnv } from '../../../source/tui/shell/pane.js';
import invoicesPane, { type InvoicesAction, type InvoicesState } from '../../../source/tui/panes/invoices/index.js';
import { handleInvoices, viewerAvailable } from '../../../source/tui/panes/invoices/handle.js';
import { detailLines } from '../../../source/tui/panes/invoices/view.js';
import { tempDir } from '../../helpers/temp.js';
import { connectedDemo, DEMO_VAULT } from '../../helpers/sync.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

/** The user's answers to the modals, in order; what each modal was asked is kept. */
function scriptedModals(answers: unknown[]): Modals & { asked: string[] } {
  const asked: string[] = [];
  const next = (what: string) => {
    asked.push(what);
    if (!answers.length) throw new Error(`no scripted answer for: ${what}`);
    return answers.shift();
  };
  return {
    asked,
    confirm: async (question) => next(`confirm: ${question}`) as boolean,
    pick: async (title) => next(`pick: ${title}`) as never,
    form: async (title) => next(`form: ${title}`) as Record<string, string> | null,
    message: async (title, lines) => {
      asked.push(`message: ${title}: ${lines.join(' | ')}`);
    },
  };
}

/**
 * What the shell does for this pane, kept to what the tests need: state through the reducer, keys
 * resolved over the pane's bindings (asking first when a binding must be confirmed), and a reload
 * after the desk announces a change the pane reloads on.
 */
function drive(desk: Desk, vaultId: string, answers: unknown[] = []) {
  let state: InvoicesState = invoicesPane.initialState;
  const notes: { message: string; tone: string }[] = [];
  const opened: { id: string; intent: unknown }[] = [];
  const modals = scriptedModals(answers);
  let stale = false;
  for (const event of invoicesPane.reloadOn ?? []) desk.events.on(event, () => (stale = true));
  const env: PaneEnv<InvoicesAction> = {
    desk,
    vaultId,
    dispatch: (action) => (state = invoicesPane.reduce(state, action)),
    modals,
    notify: (message, tone = 'info') => notes.push({ message, tone }),
    openPane: (id, intent) => opened.push({ id, intent }),
  };
  const reloadIfStale = async () => {
    while (stale) {
      stale = false;
      await invoicesPane.load!(env, state);
    }
  };
  return {
    env,
    notes,
    opened,
    modals,
    get state() {
      return state;
    },
    load: () => invoicesPane.load!(env, state),
    resolveKey: (key: string) => resolve(invoicesPane.bindings, ['pane:invoices'], key, { state, vaultId }),
    /** A key as the shell handles it; returns why it was refused, if it was. */
    async press(key: string, text = key): Promise<string | null> {
      if (invoicesPane.typing?.(state)) {
        const intent = invoicesPane.typed!(state, key, text);
        if (intent) await invoicesPane.handle(intent, env, state);
        await reloadIfStale();
        return null;
      }
      const resolution = this.resolveKey(key);
      if (!resolution) return `no binding for ${key}`;
      if (resolution.kind === 'unavailable') return resolution.why;
      if (resolution.kind === 'confirm' && !(await modals.confirm(resolution.question))) return null;
      await invoicesPane.handle(resolution.intent, env, state);
      await reloadIfStale();
      return null;
    },
    async pressAll(...keys: string[]) {
      for (const key of keys) {
        const refused = await this.press(key);
        if (refused) throw new Error(`${key}: ${refused}`);
      }
    },
    async viewTo(label: InvoicesState['view']) {
      for (let i = 0; i < 12 && state.view !== label; i++) await this.pressAll(']');
      expect(state.view).toBe(label);
    },
  };
}

async function frameOf(state: InvoicesState, width = 80, height = 24): Promise<string> {
  const View = invoicesPane.View;
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<View state={state} width={width} height={height} vaultId="demo-construction" focused />);
  });
  const frame = app.lastFrame() ?? '';
  await act(async () => app.unmount());
  return frame;
}

function expectInside(frame: string, width: number, height: number) {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(height);
  for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
}

const VAULT_ID = 'demo-construction';

describe('the invoices pane on the demo', () => {
  let desk: Desk;
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir();
    desk = await openDesk({ dataDir: dir });
    await desk.demo.create();
  });

  it('lists the AP Inbox document under unprocessed, with counts per view', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    expect(pane.state.counts).toMatchObject({ unprocessed: 1, failover: 0, pending: 0, waiting: 0, failed: 0, all: 1 });
    expect(pane.state.total).toBe(1);
    expect(pane.state.selectedId).toBe('INV-000001');
    const frame = await frameOf(pane.state);
    expectInside(frame, 80, 24);
    expect(frame).toContain('[unprocessed 1]');
    expect(frame).toContain('failover 0');
    expect(frame).toContain('› INV-000001');
    expect(frame).toContain('first message');
  });

  it('says why keys are unavailable for an unprocessed document, and asks before export and reset', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    expect(await pane.press('a')).toBe('approve — not pending');
    expect(await pane.press('E')).toBe('export — only approved invoices');
    expect(await pane.press('z')).toBe('reset — only exported invoices');
    expect(await pane.press('u')).toBe('release — not on hold');
    expect(await pane.press('t')).toBe('retry import — only in the waiting and failed imports views');
    expect(pane.resolveKey('e')?.kind).toBe('act');
    const exportBinding = invoicesPane.bindings.find((binding) => binding.keys.includes('E'))!;
    const resetBinding = invoicesPane.bindings.find((binding) => binding.keys.includes('z'))!;
    const approved = { ...pane.state, page: { ...pane.state.page, rows: pane.state.page.rows.map((row) => ({ ...row, status: 'approved' as const })) } };
    expect(resolve(invoicesPane.bindings, ['pane:invoices'], 'E', { state: approved, vaultId: VAULT_ID })).toMatchObject({ kind: 'confirm', question: expect.stringContaining('cannot be undone') });
    expect(exportBinding.confirm).toBeDefined();
    expect(resetBinding.confirm).toBeDefined();
    expect(footerHints(invoicesPane.bindings, ['pane:invoices'], { state: pane.state, vaultId: VAULT_ID })).toContain('e edit');
  });

  it('walks INV-000001: edit opens Invoice Entry, route, approve, export (confirmed), reset (confirmed)', async () => {
    const pane = drive(desk, VAULT_ID, [true, true]);
    await pane.load();
    await pane.pressAll('e');
    expect(pane.opened).toEqual([{ id: 'entry', intent: { type: 'edit', id: 'INV-000001' } }]);
    // What Invoice Entry would save.
    await desk.workflow.edit('INV-000001', {
      header: { vendor: 'ABC-CON', invoiceNumber: '9348', invoiceDate: '2026-11-05', total: '45000.00', retainage: '4500.00' },
      addLines: [{ type: 'subcontract', job: '2301', costCode: '03-300', commitment: 'SC-2301-01', amount: '45000.00', retainage: '4500.00' }],
    });
    await pane.load();
    await pane.pressAll('R');
    expect(pane.notes.at(-1)?.message).toMatch(/^INV-000001: .* now pending$/);
    // Routed: it left the unprocessed view, and the counts say so.
    expect(pane.state.counts).toMatchObject({ unprocessed: 0, pending: 1 });
    expect(pane.state.total).toBe(0);
    await pane.viewTo('pending');
    expect(pane.state.selectedId).toBe('INV-000001');
    await pane.pressAll('a');
    expect(pane.notes.at(-1)?.message).toContain('now approved');
    await pane.viewTo('approved');
    await pane.pressAll('E');
    expect(pane.modals.asked.at(-1)).toBe('confirm: Export INV-000001 to the accounting system? This cannot be undone.');
    expect((await desk.invoices.get('INV-000001')).status).toBe('exported');
    await pane.viewTo('exported');
    expect(await pane.press('e')).toMatch(/^edit — read-only because it is exported and read-only/);
    await pane.pressAll('z');
    expect(pane.modals.asked.at(-1)).toMatch(/^confirm: Reset INV-000001 for edit\?/);
    expect((await desk.invoices.get('INV-000001')).status).toBe('approved');
  });

  it('holds with a reason from the form, releases, and a cancelled reason does nothing', async () => {
    const pane = drive(desk, VAULT_ID, [{ reason: 'vendor called about the amount' }, null]);
    await pane.load();
    await pane.viewTo('approved');
    await pane.pressAll('h');
    expect((await desk.invoices.get('INV-000001')).hold?.reason).toBe('vendor called about the amount');
    await pane.viewTo('all');
    expect(pane.state.page.rows[0]?.status).toBe('on-hold');
    expect(await pane.press('h')).toBe('hold — already on hold');
    await pane.pressAll('u');
    expect((await desk.invoices.get('INV-000001')).status).toBe('approved');
    await pane.pressAll('h');
    expect(pane.notes.at(-1)?.message).toBe('INV-000001 not held: no reason given');
    expect((await desk.invoices.get('INV-000001')).status).toBe('approved');
  });

  it('opens the detail with every section, scrolls it, and Esc goes back', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    await pane.viewTo('all');
    await pane.pressAll('enter');
    expect(pane.state.detail?.invoice?.id).toBe('INV-000001');
    const frame = await frameOf(pane.state);
    expectInside(frame, 80, 24);
    expect(frame).toContain('INV-000001');
    expect(frame).toContain('status: approved');
    expect(frame).toContain('Lines (1)');
    expect(frame).toMatch(/reviewers: 1\. \S+ approved/);
    const all = detailLines(pane.state.detail!.invoice!, 80).map((line) => line.map((piece) => piece.text).join(''));
    for (const title of ['Validation', 'Files (1)', 'Payments', 'Audit trail']) expect(all.some((line) => line.startsWith(title))).toBe(true);
    expect(all.some((line) => line.includes('invoice.edited'))).toBe(true);
    await pane.pressAll(...Array.from({ length: 40 }, () => 'j'));
    const scrolled = await frameOf(pane.state);
    expectInside(scrolled, 80, 24);
    expect(scrolled).toContain('Audit trail');
    expect(scrolled).not.toContain('Lines (1)');
    // Scrolling stops at the end: one k after many j moves up at once.
    const end = pane.state.detail!.scroll;
    expect(end).toBe(Math.max(0, all.length - pane.state.viewport));
    await pane.pressAll('k');
    expect(pane.state.detail!.scroll).toBe(end - 1);
    await pane.pressAll('escape');
    expect(pane.state.mode).toBe('list');
  });

  it('shows the PDF path when no viewer can be here, and opens it when one can', async () => {
    expect(viewerAvailable({ SSH_CONNECTION: '1 2 3 4', DISPLAY: ':0' }, 'linux')).toBe(false);
    expect(viewerAvailable({}, 'linux')).toBe(false);
    expect(viewerAvailable({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(viewerAvailable({}, 'darwin')).toBe(true);
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    await pane.viewTo('all');
    await handleInvoices({ type: 'openPdf', id: 'INV-000001' }, pane.env, pane.state, { environment: { SSH_TTY: '/dev/pts/1' }, platform: 'linux' });
    const shown = pane.modals.asked.at(-1)!;
    const path = shown.split(' | ').at(-1)!;
    expect(isAbsolute(path)).toBe(true);
    expect((await readFile(path)).subarray(0, 5).toString()).toBe('%PDF-');
    const opened: string[] = [];
    await handleInvoices({ type: 'openPdf', id: 'INV-000001' }, pane.env, pane.state, {
      environment: { DISPLAY: ':0' },
      platform: 'linux',
      openFile: async (file) => opened.push(file),
    });
    expect(opened).toEqual([path]);
  });

  it('filters by typed text (Enter applies, Esc clears) and cycles the sort', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    await pane.viewTo('all');
    await pane.pressAll('/');
    expect(invoicesPane.typing!(pane.state)).toBe(true);
    for (const ch of 'zzz-nothing') await pane.press(ch);
    expect(await frameOf(pane.state)).toContain('filter: zzz-nothing_');
    await pane.press('enter');
    expect(pane.state).toMatchObject({ filter: 'zzz-nothing', total: 0 });
    expect(await frameOf(pane.state)).toContain('No all invoice matches "zzz-nothing"');
    await pane.pressAll('/');
    await pane.press('escape');
    expect(pane.state).toMatchObject({ filter: '', total: 1 });
    await pane.pressAll('/');
    for (const ch of 'abc-con') await pane.press(ch);
    await pane.press('enter');
    expect(pane.state.total).toBe(1);
    await pane.pressAll('s', 'S');
    expect(pane.state).toMatchObject({ sort: 'id', descending: true, total: 1 });
  });
});

describe('the invoices pane after a Procore sync with auto-route', () => {
  let desk: Desk;
  let sandbox: RunningSandbox;
  let dir: string;
  let added: string;
  beforeAll(async () => {
    const demo = await connectedDemo('auto-route');
    ({ dir, sandbox } = demo);
    // A requisition whose date is not one: its import fails and is listed with its error.
    const stateDir = sandboxStateDir(dir);
    const state = await readState(stateDir);
    const project = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.threeAttachments)!.projectId;
    const commitment = state.commitments.find((c) => c.projectId === project)!;
    const [requisition] = await addRequisitions(stateDir, [{ commitmentId: commitment.id, status: 'approved' }]);
    added = requisition!.id;
    await attachFile(stateDir, added, { filename: 'pay-app.pdf', bytes: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await updateState(stateDir, (draft) => {
      draft.requisitions.find((r) => r.id === added)!.billingDate = '2026-11-31';
    });
    await demo.ok(['sync', '--once', '--vault', DEMO_VAULT]);
    desk = await openDesk({ dataDir: dir });
  });
  afterAll(async () => {
    await sandbox.close();
    await closeMergeWorker();
  });

  it('the failover view lists the two invoices auto-route left in the queue, with their reasons', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    await pane.viewTo('failover');
    expect(pane.state.counts.failover).toBe(2);
    expect(pane.state.total).toBe(2);
    const ids = pane.state.page.rows.map((row) => row.id).sort();
    expect(ids).toEqual([`PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.missingCommitment}`, `PC-${DEMO_COMPANY_ID}-${DEMO_REQUISITIONS.missingVendor}`].sort());
    const frame = await frameOf(pane.state);
    expectInside(frame, 80, 24);
    expect(frame).toContain('[failover 2]');
    expect(frame).toContain('reason left in queue');
    expect(frame).toMatch(/Commitment 'SC-999'|Vendor 'GHOST-VND'/);
    // The id is cut from the front, keeping the requisition number.
    expect(frame).toMatch(new RegExp(`› …\\S*-${DEMO_REQUISITIONS.missingCommitment} `));
    // Imported Procore invoices are read-only for a processor unless the vault allows it; the demo's user is its admin.
    const procoreRow = { ...pane.state, user: { name: 'clerk', roles: ['processor' as const] } };
    expect(resolve(invoicesPane.bindings, ['pane:invoices'], 'e', { state: procoreRow, vaultId: VAULT_ID })).toMatchObject({
      kind: 'unavailable',
      why: expect.stringMatching(/^edit — read-only because it was imported from Procore/),
    });
  });

  it('the detail shows the Procore link and the routing reasons', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    await pane.viewTo('failover');
    await pane.pressAll('enter');
    const all = detailLines(pane.state.detail!.invoice!, 80).map((line) => line.map((piece) => piece.text).join(''));
    expect(all.some((line) => line.startsWith('Procore'))).toBe(true);
    expect(all.some((line) => /requisition \d+ · project \d+ · commitment \d+/.test(line))).toBe(true);
    expect(all.some((line) => line.startsWith('Routing: failed'))).toBe(true);
  });

  it('the waiting and failed views list imports from the sync state; retry imports a fixed one', async () => {
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    expect(pane.state.counts).toMatchObject({ waiting: 1, failed: 1 });
    await pane.viewTo('waiting');
    expect(pane.state.imports.map((row) => row.requisitionId)).toEqual([DEMO_REQUISITIONS.noAttachment]);
    expect(await frameOf(pane.state)).toContain('no file attached in Procore');
    await pane.viewTo('failed');
    expect(pane.state.imports).toEqual([expect.objectContaining({ requisitionId: added, attempts: 1, reason: expect.stringContaining('2026-11-31') })]);
    const frame = await frameOf(pane.state);
    expectInside(frame, 80, 24);
    expect(frame).toContain('[failed imports 1]');
    expect(frame).toContain(`› ${added}`);
    expect(await pane.press('a')).toBe('approve — this view lists imports, not invoices');
    await updateState(sandboxStateDir(dir), (draft) => {
      const requisition = draft.requisitions.find((r) => r.id === added)!;
      requisition.billingDate = '2026-11-30';
    });
    await pane.pressAll('t');
    expect(pane.notes.at(-1)?.message).toBe(`Requisition ${added} is imported as PC-${DEMO_COMPANY_ID}-${added}.`);
    expect(pane.state.imports).toEqual([]);
    expect(pane.state.counts.failed).toBe(0);
  });
});

describe('the invoices pane keeps its invoice under the cursor while rows are added', () => {
  it('follows the selected id when new invoices sort before it', async () => {
    const dir = await tempDir();
    const desk = await openDesk({ dataDir: dir });
    await desk.demo.create();
    const pdf = await readFile(join(dir, (await desk.invoices.get('INV-000001')).attachments[0]!.path));
    const { writeFile } = await import('node:fs/promises');
    const add = async (name: string) => {
      const path = join(dir, `${name}.pdf`);
      await writeFile(path, pdf);
      await desk.documents.add({ vault: VAULT_ID, queue: 'AP Inbox', paths: [path], allowDuplicate: true });
    };
    for (const name of ['a', 'b', 'c']) await add(name);
    const pane = drive(desk, VAULT_ID);
    await pane.load();
    // Highest id first: the additions land above the cursor.
    await pane.pressAll('s', 'S', 'j', 'j');
    const selected = pane.state.selectedId!;
    expect(pane.state.cursor).toBe(2);
    for (const name of ['d', 'e']) await add(name);
    await pane.load();
    expect(pane.state.total).toBe(6);
    expect(pane.state.selectedId).toBe(selected);
    expect(pane.state.cursor).toBe(4);
  });
});
