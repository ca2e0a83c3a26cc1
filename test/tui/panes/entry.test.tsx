// Invoice Entry on a real desk: open a queued document, change fields (saved at once, validated on
// s, messages beside their fields), and Procore Import from the picker of approved requisitions
// (the imported ones marked and not choosable). The modals answer from a script: they stand in for
// the user's keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { openDesk, type Desk } from '../../../source/app/desk.js';
import { entryPane, fieldsOf, reduceEntry, type EntryAction, type EntryIntent, type EntryState } from '../../../source/tui/panes/entry/index.js';
import { resolve } from '../../../source/tui/shell/bindings.js';
import type { Modals, PaneEnv, PickItem } from '../../../source/tui/shell/pane.js';
import { DEMO_REQUISITIONS } from '../../../source/sandbox/index.js';
import { connectedDemo, DEMO_VAULT, type ConnectedDemo } from '../../helpers/sync.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

/** A pane environment whose modals answer from a script, and whose dispatch applies the reducer. */
function harness(desk: Desk, answers: unknown[]) {
  let state: EntryState = entryPane.initialState;
  const notes: string[] = [];
  const picked: PickItem<unknown>[][] = [];
  const next = () => (answers.length ? answers.shift() : null);
  const modals: Modals = {
    confirm: async () => next() as boolean,
    pick: async (_title, items) => {
      picked.push([...items]);
      return next() as never;
    },
    form: async () => next() as Record<string, string> | null,
    message: async () => undefined,
  };
  const env: PaneEnv<EntryAction> = {
    desk,
    vaultId: DEMO_VAULT,
    dispatch: (action) => (state = reduceEntry(state, action)),
    modals,
    notify: (message) => notes.push(message),
    openPane: () => undefined,
  };
  return {
    env,
    notes,
    picked,
    state: () => state,
    act: (intent: EntryIntent) => entryPane.handle(intent, env, state),
  };
}

let demo: ConnectedDemo;
let desk: Desk;
beforeAll(async () => {
  demo = await connectedDemo('manual');
  desk = await openDesk({ dataDir: demo.dir });
});
afterAll(async () => demo.sandbox.close());

describe('Invoice Entry', () => {
  it('opens a queued document and saves a changed field at once, with its validation beside the fields', async () => {
    const [document] = (await desk.invoices.list({ vault: DEMO_VAULT, queue: 'ap-inbox' })).rows;
    const pane = harness(desk, [document!.id, { value: 'ABC-CON' }]);
    await pane.act({ type: 'open-document' });
    expect(pane.state().invoice?.id).toBe(document!.id);
    await pane.act({ type: 'change' }); // the cursor is on Vendor
    expect(pane.state().invoice?.header.vendor).toBe('ABC-CON');
    await pane.act({ type: 'save' });
    expect(pane.state().invoice?.validation?.issues.length).toBeGreaterThan(0);
    let frame = '';
    await act(async () => {
      const app = render(<entryPane.View state={pane.state()} width={80} height={20} vaultId={DEMO_VAULT} focused />);
      frame = app.lastFrame() ?? '';
      app.unmount();
    });
    expect(frame).toMatch(/› Vendor\s+ABC-CON/);
    expect(frame).toMatch(/Invoice #\s+—\s+✗ /);
    // On Invoice #, its message is shown whole under the summary (beside the field it is cut).
    const onNumber = { ...pane.state(), cursor: 1 };
    const message = onNumber.invoice!.validation!.issues.find((issue) => /invoice number/i.test(issue.message))!.message;
    await act(async () => {
      const app = render(<entryPane.View state={onNumber} width={60} height={20} vaultId={DEMO_VAULT} focused />);
      frame = app.lastFrame() ?? '';
      app.unmount();
    });
    expect(frame).toMatch(/^\d+ errors?, \d+ warnings?$/m);
    expect(frame.replace(/\s+/g, ' ')).toContain(`✗ ${message}`.replace(/\s+/g, ' '));
  });

  it('Procore Import fills the document from the picked requisition; imported ones are marked and not choosable', async () => {
    await demo.ok(['procore', 'import', '--vault', DEMO_VAULT, '--requisition', DEMO_REQUISITIONS.threeAttachments]);
    const [document] = (await desk.invoices.list({ vault: DEMO_VAULT, queue: 'ap-inbox' })).rows;
    const pane = harness(desk, [DEMO_REQUISITIONS.docuSign]);
    await pane.act({ type: 'edit', id: document!.id });
    await pane.act({ type: 'procore-import' });
    const imported = pane.picked[0]!.find((item) => item.value === DEMO_REQUISITIONS.threeAttachments)!;
    expect(imported.disabled).toMatch(/^imported as PC-\d+-1280602 in Demo Construction$/);
    const invoice = pane.state().invoice!;
    expect(invoice.source).toMatchObject({ kind: 'procore-manual', procore: { requisitionId: DEMO_REQUISITIONS.docuSign } });
    expect(fieldsOf(invoice).some((field) => field.label === 'line 1 cost code' && field.value !== '')).toBe(true);
    // Filled from Procore: a second import is refused by its binding, with why.
    expect(resolve(entryPane.bindings, ['pane:entry'], 'i', { state: pane.state(), vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'it is already filled from Procore' });
  });

  it('says why its keys cannot act with no document open', () => {
    expect(resolve(entryPane.bindings, ['pane:entry'], 'enter', { state: entryPane.initialState, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'no document open — o opens one from a queue' });
  });
});
