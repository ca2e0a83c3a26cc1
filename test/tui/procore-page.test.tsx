// The Procore configuration page as a user meets it: the whole console (the real Shell and its key
// dispatcher, every render and key in act()) on a real desk with the sandbox in this process, driven
// by keys alone through each prompt of the page — Grant Access with its banner, the login and
// "Authorization required" (once), Select Company with the one-company-per-vault prompt, the three
// behaviours with their explanations and warnings, the payments requirement and its fix, OK and
// Cancel for the whole page, the licence prompt, and no Procore page for a vault not on Sage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { DEMO_SECOND_COMPANY_ID, DEMO_USERS } from '../../source/sandbox/index.js';
import { Shell } from '../../source/tui/shell/shell.js';
import { PANES } from '../../source/tui/panes/index.js';
import { loopControl } from '../../source/tui/shell/loop-control.js';
import { connect, DEMO_VAULT, demoDesk, type DemoDesk } from './panes/procore-env.js';

const KEYS = { enter: '\r', tab: '\t', down: '\u001B[B', escape: '\u001B' };
const flat = (text: string) => text.replace(/\s+/g, ' ');

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

describe('the Procore page by keys', () => {
  let demo: DemoDesk;
  let app: ReturnType<typeof render>;
  const frame = () => app.lastFrame() ?? '';

  /** Waits (in act) until the frame says what `wanted` looks for. */
  async function until(wanted: (text: string) => boolean, what: string): Promise<string> {
    for (let n = 0; n < 400; n++) {
      if (wanted(frame())) return frame();
      await act(async () => new Promise((resolve) => setTimeout(resolve, 25)));
    }
    throw new Error(`no frame with ${what}; the screen shows:\n${frame()}`);
  }
  async function keys(...sent: string[]): Promise<void> {
    for (const key of sent) {
      await act(async () => {
        app.stdin.write(key);
      });
      await act(async () => new Promise((resolve) => setTimeout(resolve, 30)));
    }
  }

  beforeAll(async () => {
    demo = await demoDesk();
    // The requirement of Create payments, met by a key on the page.
    await demo.desk.jobs.set({ vault: DEMO_VAULT, kind: 'check-backfiller', enabled: false });
    await act(async () => {
      app = render(<Shell desk={demo.desk} panes={PANES} loop={loopControl(demo.desk)} size={{ columns: 80, rows: 24 }} initialPane="connection" />);
    });
  });
  afterAll(async () => {
    await act(async () => app.unmount());
    await demo.sandbox.close();
  });

  it('Grant Access: the banner on the sign-in form, the login typed in the terminal, Authorization required once, then connected', async () => {
    await until((text) => text.includes('press g to Grant Access'), 'the Connection pane');
    await keys('g');
    await until((text) => text.includes('Authorize Procore Connection: sign in to the local sandbox (Procore Log In)'), 'the sign-in form');
    // Email, Tab and password in one read, as a fast typist over SSH sends them: Tab moves on.
    await keys(`${DEMO_USERS[0]!.email}${KEYS.tab}${DEMO_USERS[0]!.password}`);
    // The password is not echoed.
    expect(frame()).not.toContain(DEMO_USERS[0]!.password);
    await keys(KEYS.enter);
    const asked = await until((text) => text.includes('Allow?'), 'Authorization required');
    expect(flat(asked)).toMatch(/Authorization required: .+ would like to access your Procore account \(.+\)\. You will be asked only once\. Allow\?/);
    await keys('y');
    await until((text) => text.includes('● connected as Avery Park'), 'connected');
  });

  it('Select Company: the one-company-per-vault prompt names the other vault, and a free company goes to the page', async () => {
    // A second Sage vault, connected (after the demo's user allowed the app) and tied to Quarry
    // Road: the one-company prompt names it.
    await demo.desk.vaults.add({ name: 'Harbor Builders', accounting: 'sage300' });
    await demo.desk.vaults.setLicence({ vault: 'harbor-builders', licence: 'procore', granted: true });
    await demo.desk.procore.setEnvironment({ vault: 'harbor-builders', kind: 'local' });
    await connect(demo.desk, 'harbor-builders');
    await demo.desk.procore.configure({ vault: 'harbor-builders', company: DEMO_SECOND_COMPANY_ID });
    await keys('2');
    await until((text) => text.includes('Select Company for Demo Construction') && text.includes('Quarry Road'), 'the companies');
    // Move onto Quarry Road, the company Harbor Builders owns.
    for (let step = 0; step < 3 && !/> ○ Quarry Road/.test(frame()); step++) await keys(KEYS.down);
    const owned = await until((text) => /> ○ Quarry Road/.test(text), 'the cursor on Quarry Road');
    expect(flat(owned)).toContain("is already tied to vault 'Harbor Builders'; one company belongs to one vault — pick another company, or remove it from 'Harbor Builders' first");
    await keys(KEYS.enter);
    await until((text) => text.includes("! choose: Procore company 'Quarry Road"), 'the refusal in the status line');
    await keys('j');
    await until((text) => /> ○ Harbor Builders \(Procore\)/.test(text), 'the cursor on the free company');
    await keys(KEYS.enter);
    const draft = await until((text) => text.includes('[4 Queue]') && /Company +Harbor Builders \(Procore\) \(\d+\) \*/.test(text), 'the company in the draft');
    expect(draft).toContain('unsaved changes');
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.companyId).toBeNull();
  });

  it('Import Behavior: the default marked, each explained with the notes, the sync warning, and a choice that waits for OK', async () => {
    await keys('3');
    const first = await until((text) => text.includes('[3 Import Behavior]') && text.includes('(default)'), 'the behaviours');
    expect(first).toMatch(/> ● Automated Import into Queue \(default\) — saved/);
    expect(flat(first)).toContain('An invoice must have a file attached to import; all its files are combined into one document.');
    expect(flat(first)).toContain('The cloud sync is not running: nothing imports until it runs');
    expect(flat(first)).toContain('DocuSign documents linked to an invoice cannot be read from Procore');
    expect(flat(first)).toContain('Vendor and commitment in Procore must match valid values in the accounting system');
    await keys('j', 'j');
    const manual = await until((text) => /> ○ Manual Import/.test(text), 'Manual Import under the cursor');
    expect(flat(manual)).toContain("The invoice's files in Procore are not imported this way.");
    await keys('k');
    const route = await until((text) => /> ○ Automated Import and Auto Route/.test(text), 'Auto Route under the cursor');
    expect(flat(route)).toContain('if validation fails or a line has none, the invoice stays in the chosen queue');
    await keys(KEYS.enter);
    await until((text) => text.includes('[4 Queue]') && text.includes('Automated Import and Auto Route with Queue Failover *'), 'the behaviour in the draft');
  });

  it('Queue: the payments requirement and the key that meets it, then OK saves the whole page at once', async () => {
    // Onto "Create payments in Procore".
    for (let step = 0; step < 6 && !/> \[ \] Create payments in Procore/.test(frame()); step++) await keys(KEYS.down);
    await until((text) => /> \[ \] Create payments in Procore/.test(text), 'the cursor on Create payments');
    expect(flat(frame())).toContain('Create payments in Procore needs the Job Poll Invoice Check Backfiller job enabled: it is disabled — press b to enable it.');
    await keys(KEYS.enter);
    await until((text) => text.includes('press b to enable it') && text.includes('! change:'), 'the refusal saying what to press');
    await keys('b');
    await until((text) => text.includes('it is enabled.'), 'the backfiller enabled');
    await keys(KEYS.enter);
    await until((text) => /\[x\] Create payments in Procore \*/.test(text), 'payments on, unsaved');
    expect((await demo.desk.procore.view(DEMO_VAULT)).config).toMatchObject({ companyId: null, behavior: 'auto-queue', createPayments: false });
    await keys('o');
    const saved = await until((text) => text.includes('Saved the Procore configuration'), 'saved');
    expect(saved).toContain('Nothing changed.');
    expect((await demo.desk.procore.view(DEMO_VAULT)).config).toMatchObject({ companyName: 'Harbor Builders (Procore)', behavior: 'auto-route', createPayments: true });
  });

  it('Cancel drops the unsaved changes and saves nothing', async () => {
    for (let step = 0; step < 6 && !/> \[ \] Allow edit/.test(frame()); step++) await keys('k');
    await until((text) => /> \[ \] Allow edit of imported Procore invoices/.test(text), 'the cursor on Allow edit');
    await keys(KEYS.enter);
    await until((text) => /\[x\] Allow edit of imported Procore invoices \*/.test(text), 'allow edit on, unsaved');
    await keys('c');
    await until((text) => text.includes('Discarded the unsaved Procore configuration') && /\[ \] Allow edit/.test(text), 'discarded');
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.allowEdit).toBe(false);
  });

  it('a vault without the procore licence shows the licence prompt; one not on Sage 100/300 has no Procore page', async () => {
    await demo.desk.vaults.add({ name: 'Ledger Two', accounting: 'sage100' });
    await demo.desk.vaults.add({ name: 'Other Books', accounting: 'other' });
    await keys('1');
    await until((text) => text.includes('[1 Connection]'), 'the Connection pane');
    await keys('v');
    await until((text) => text.includes('Ledger Two'), 'the vault picker');
    await keys('/', 'Ledger', KEYS.enter, KEYS.enter);
    const licence = await until((text) => text.startsWith('Ledger Two') && text.includes('A license is required'), 'the licence prompt');
    expect(flat(licence)).toContain("A license is required for Procore. Vault 'Ledger Two' has none");
    expect(flat(licence)).toContain('apdesk license grant --vault ledger-two procore');
    await keys('v', '/', 'Other', KEYS.enter, KEYS.enter);
    const other = await until((text) => text.startsWith('Other Books'), 'the vault not on Sage');
    expect(flat(other)).toMatch(/only available for vaults bridged to Sage 100 or Sage 300/);
    await keys('g');
    await until((text) => text.includes('! grant access: this vault is not bridged to Sage 100 or Sage 300'), 'g refused, saying why');
  });
});
