// The first-run walk, by keys alone, in a real 80×24 terminal: the real binary on the demo
// (the sandbox inside the console's process): Grant Access, the company, Auto Route, Allow edit,
// Create payments, OK; the sync started and invoices arriving; the one that failed over opened,
// why read, its coding fixed, routed, approved, exported; paid, and its payment in Procore; then
// `q` leaves the terminal on the main screen.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { hasTmux, Tmux } from '../helpers/tmux.js';

/** Moves the cursor (j, or k when it went past) until the screen matches. */
async function moveTo(tmux: Tmux, target: RegExp): Promise<void> {
  for (let step = 0; step < 40; step++) {
    if (target.test(tmux.screen())) return;
    tmux.keys(step < 20 ? 'j' : 'k');
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await tmux.waitFor((s) => target.test(s), `the cursor on ${target}`, 2000);
}

/** In Invoice Entry: the field under the cursor replaced with `value`. */
async function editField(tmux: Tmux, field: RegExp, value: string): Promise<void> {
  await moveTo(tmux, new RegExp(`› ${field.source}`));
  tmux.keys('Enter');
  await tmux.waitFor((s) => s.includes('Enter saves'), 'the field form');
  for (let n = 0; n < 20; n++) tmux.keys('BSpace');
  tmux.keys('-l', value);
  tmux.keys('Enter');
  await tmux.waitFor((s) => s.includes('saved'), 'the field saved');
}

describe.runIf(hasTmux)('the first-run walk', () => {
  it('walks from Grant Access to a payment in Procore at 80×24 by keys alone, and q gives the terminal back', async () => {
    const tmux = new Tmux();
    try {
      const dir = await tempDir();
      // The demo as `npm start` makes it, but its ledger pays an export after 1 s instead of 60.
      expect(spawnSync(process.execPath, [BIN, 'demo', '--data-dir', dir]).status).toBe(0);
      const settings = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'));
      settings.vaults[0].ledger.payAfterSeconds = 1;
      await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 80, 24);
      let screen = await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
      expect(screen).toContain('Next: 1 Connection, g Grant Access (login ap.admin@demo.test / demo-password)');
      expect(screen).toContain('[1 Connection]');

      // Connection: Grant Access on the local sandbox, signing in within the terminal.
      await tmux.waitFor((s) => s.includes('press g to Grant Access'), 'the Connection pane');
      tmux.keys('g');
      await tmux.waitFor((s) => s.includes('Authorize Procore Connection: sign in to the local sandbox'), 'the sign-in form');
      tmux.keys('-l', 'ap.admin@demo.test');
      tmux.keys('Tab');
      tmux.keys('-l', 'demo-password');
      tmux.keys('Enter');
      // Procore's "Authorization required" page, the first time: Allow.
      await tmux.waitFor((s) => s.includes('Authorization required:') && s.includes('Allow?'), 'Authorization required');
      tmux.keys('y');
      await tmux.waitFor((s) => s.includes('connected as Avery Park'), 'the connection', 60_000);

      // Company: Harbor Builders, the second in the list.
      tmux.keys('2');
      await tmux.waitFor((s) => s.includes('Harbor Builders (Procore)') && s.includes('Select Company'), 'the companies');
      tmux.keys('j');
      await tmux.waitFor((s) => /> ○ Harbor Builders/.test(s), 'the cursor on Harbor Builders');
      tmux.keys('Enter');
      // The choice goes to the page's draft in the Queue pane; OK saves it with the rest.
      await tmux.waitFor((s) => s.includes('[4 Queue]') && /Company +Harbor Builders \(Procore\) \(\d+\) \*/.test(s), 'the company in the draft');

      // Import Behavior: keep Automated Import… no — Auto Route, which the Queue pane's draft takes.
      tmux.keys('3');
      await tmux.waitFor((s) => s.includes('[3 Import Behavior]') && s.includes('(default)'), 'the behaviours');
      tmux.keys('j');
      await tmux.waitFor((s) => /> ○ Automated Import and Auto Route/.test(s), 'the cursor on Auto Route');
      tmux.keys('Enter');
      await tmux.waitFor((s) => s.includes('[4 Queue]') && s.includes('unsaved changes'), 'the Queue pane with the draft');
      // Allow edit of imported invoices (the clerk will fix one's coding) and Create payments in
      // Procore (the demo's backfiller is enabled), then OK saves the page.
      await moveTo(tmux, /> \[ \] Allow edit of imported Procore invoices/);
      tmux.keys('Enter');
      await tmux.waitFor((s) => /\[x\] Allow edit of imported Procore invoices/.test(s), 'allow edit on');
      for (let step = 0; step < 6 && !/> \[ \] Create payments in Procore/.test(tmux.screen()); step++) {
        tmux.keys('j');
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await tmux.waitFor((s) => /> \[ \] Create payments in Procore/.test(s), 'the cursor on Create payments');
      tmux.keys('Enter');
      await tmux.waitFor((s) => /\[x\] Create payments in Procore/.test(s), 'payments on');
      tmux.keys('o');
      screen = await tmux.waitFor((s) => s.includes('auto-route') && !s.includes('unsaved changes'), 'the configuration saved');
      expect(screen).toMatch(/Procore: Harbor Builders.* · auto-route · sync: stopped/);

      // Sync & Jobs: start the loop here and watch the invoices arrive.
      tmux.keys('7');
      await tmux.waitFor((s) => s.includes('Sync loop: STOPPED'), 'the Sync pane');
      tmux.keys('s');
      screen = await tmux.waitFor((s) => s.includes('Sync loop: RUNNING') && /→ PC-\d+-\d+/.test(s), 'invoices arriving', 90_000);
      expect(screen).toContain('sync: running');
      await tmux.waitFor((s) => s.includes('procore-import finished'), 'the import finished', 90_000);
      tmux.keys('s');
      await tmux.waitFor((s) => s.includes('Sync loop: STOPPED'), 'the loop stopped');

      // Invoices: the failover view, the one left in the queue and why.
      tmux.keys('5');
      await tmux.waitFor((s) => s.includes('[5 Invoices]') && /failover 2/.test(s), 'the Invoices pane');
      tmux.keys(']');
      await tmux.waitFor((s) => /\[failover 2\]/.test(s), 'the failover view');
      await moveTo(tmux, /› \S*1280618/);
      tmux.keys('Enter');
      screen = await tmux.waitFor((s) => s.includes("Commitment 'SC-999'"), 'why it failed over');
      tmux.keys('Escape');
      // Fix its coding in Invoice Entry: line 1 is job 2301's commitment SC-2301-01.
      tmux.keys('e');
      await tmux.waitFor((s) => s.includes('[6 Invoice Entry]') && s.includes('1280618'), 'the invoice in Invoice Entry');
      await editField(tmux, /line 1 job/, '2301');
      await editField(tmux, /line 1 commitment/, 'SC-2301-01');
      tmux.keys('s');
      await tmux.waitFor((s) => /0 errors/.test(s), 'it validates');
      // Route, approve (the demo routes every line to this user), export.
      tmux.keys('5');
      await tmux.waitFor((s) => s.includes('[5 Invoices]'), 'the Invoices pane');
      await moveTo(tmux, /› \S*1280618/);
      tmux.keys('R');
      await tmux.waitFor((s) => /failover 1\b/.test(s), 'routed: out of the failover view');
      tmux.keys(']');
      await tmux.waitFor((s) => /\[pending \d+\]/.test(s), 'the pending view');
      await moveTo(tmux, /› \S*1280618/);
      tmux.keys('a');
      await tmux.waitFor((s) => /approved 1\b/.test(s), 'approved');
      tmux.keys(']');
      await tmux.waitFor((s) => /\[approved \d+\]/.test(s), 'the approved view');
      await moveTo(tmux, /› \S*1280618/);
      tmux.keys('E');
      await tmux.waitFor((s) => s.includes('y yes'), 'the export confirmation');
      tmux.keys('y');
      await tmux.waitFor((s) => /exported 1\b/.test(s), 'exported');
      // The accounting system pays it; the check backfiller records it and writes the payment to Procore.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      tmux.keys('7');
      await tmux.waitFor((s) => s.includes('Sync loop: STOPPED'), 'the Sync pane');
      await moveTo(tmux, /› check-backfiller/);
      tmux.keys('r');
      await tmux.waitFor((s) => /check-backfiller: done/.test(s), 'the backfiller run', 60_000);
      screen = await tmux.waitFor((s) => /payment \d+ for PC-\d+-1280618/.test(s), 'the payment in Procore');
      tmux.keys('5');
      await tmux.waitFor((s) => /paid 1\b/.test(s), 'the invoice paid');

      tmux.keys('q');
      await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit', 60_000);
      expect(tmux.alternate()).toBe(false);
    } finally {
      tmux.kill();
    }
  }, 300_000);
});
