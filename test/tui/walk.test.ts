// The first-run walk, by keys alone, in a real 80×24 terminal: the real binary on a fresh data dir
// (the demo, the sandbox inside the console's process), Grant Access, the company, Auto Route,
// Create payments, OK; the sync started and invoices arriving; then `q` leaves the main screen.
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { hasTmux, Tmux } from '../helpers/tmux.js';

describe.runIf(hasTmux)('the first-run walk', () => {
  it('connects, configures, syncs and quits at 80×24 by keys alone', async () => {
    const tmux = new Tmux();
    try {
      const dir = await tempDir();
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 80, 24);
      let screen = await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
      expect(screen).toContain('Start: 1 Connection, g Grant Access (login ap.admin@demo.test / demo-password)');
      expect(screen).toContain('[1 Connection]');

      // Connection: Grant Access on the local sandbox, signing in within the terminal.
      await tmux.waitFor((s) => s.includes('press g to Grant Access'), 'the Connection pane');
      tmux.keys('g');
      await tmux.waitFor((s) => s.includes('Sign in to the local sandbox'), 'the sign-in form');
      tmux.keys('-l', 'ap.admin@demo.test');
      tmux.keys('Tab');
      tmux.keys('-l', 'demo-password');
      tmux.keys('Enter');
      await tmux.waitFor((s) => s.includes('connected as Avery Park'), 'the connection', 60_000);

      // Company: Harbor Builders, the second in the list.
      tmux.keys('2');
      await tmux.waitFor((s) => s.includes('Harbor Builders (Procore)') && s.includes('Select Company'), 'the companies');
      tmux.keys('j');
      await tmux.waitFor((s) => /> ○ Harbor Builders/.test(s), 'the cursor on Harbor Builders');
      tmux.keys('Enter');
      await tmux.waitFor((s) => s.includes('Procore: Harbor Builders'), 'the company in the header');

      // Import Behavior: keep Automated Import… no — Auto Route, which the Queue pane's draft takes.
      tmux.keys('3');
      await tmux.waitFor((s) => s.includes('[3 Import Behavior]') && s.includes('(default)'), 'the behaviours');
      tmux.keys('j');
      await tmux.waitFor((s) => /> ○ Automated Import and Auto Route/.test(s), 'the cursor on Auto Route');
      tmux.keys('Enter');
      await tmux.waitFor((s) => s.includes('[4 Queue]') && s.includes('unsaved changes'), 'the Queue pane with the draft');
      // Create payments in Procore (the demo's backfiller is enabled), then OK saves the page.
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

      tmux.keys('q');
      await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit', 60_000);
      expect(tmux.alternate()).toBe(false);
    } finally {
      tmux.kill();
    }
  }, 300_000);
});
