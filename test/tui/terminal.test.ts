// The real binary in a real terminal (tmux): it opens on the alternate screen from any folder and
// through a symlink, moves, gives the terminal back on q, Ctrl+C, SIGTERM and SIGHUP (at 80×24,
// losing nothing saved before the signal), and shows an error that ends it on the main screen.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/cli.js';
import { hasTmux, Tmux } from '../helpers/tmux.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));


/**
 * The colours an SGR-coded screen uses, one entry per colour set: '31', '93', '38;5;208',
 * '48;2;0;0;0'… Resets (0, 39, 49) and attributes (bold, dim, inverse…) are not colours.
 */
function coloursIn(screen: string): string[] {
  const found: string[] = [];
  for (const [, params] of screen.matchAll(/\u001B\[([0-9;:]*)m/g)) {
    const codes = params!.split(/[;:]/).map(Number);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i]!;
      if (code === 38 || code === 48 || code === 58) {
        const length = codes[i + 1] === 5 ? 2 : 4;
        found.push(codes.slice(i, i + 1 + length).join(';'));
        i += length;
      } else if ((code >= 30 && code <= 37) || (code >= 40 && code <= 47) || (code >= 90 && code <= 97) || (code >= 100 && code <= 107)) {
        found.push(String(code));
      }
    }
  }
  return found;
}

const attributesIn = (screen: string): Set<number> =>
  new Set([...screen.matchAll(/\u001B\[([0-9;]*)m/g)].flatMap(([, params]) => params!.split(';').map(Number)));

describe.runIf(hasTmux)('the console in a terminal', () => {
  async function opened(tmux: Tmux, command = `${process.execPath} ${BIN}`, cwd = ROOT): Promise<string> {
    const dir = await tempDir();
    // CI=true as on a CI runner, where ink would draw nothing until exit unless the console stops it.
    tmux.start(`CI=true ${command} --data-dir ${dir}`, 100, 24, cwd);
    await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
    expect(tmux.alternate()).toBe(true);
    // The Vaults pane, last of the panes, shows the vault's queues.
    tmux.keys('8');
    return tmux.waitFor((s) => s.includes('[8 Vaults]') && s.includes('AP Inbox'), 'the Vaults pane');
  }

  async function quits(tmux: Tmux): Promise<void> {
    tmux.keys('q');
    await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit');
    expect(tmux.alternate()).toBe(false);
  }

  it('opens on the demo vault, navigates, and restores the screen on q', async () => {
    const tmux = new Tmux();
    try {
      const screen = await opened(tmux);
      expect(screen).toContain('AP Inbox — 1 document');
      expect(screen).toContain('Accounting: Sage 300');
      tmux.keys('?');
      await tmux.waitFor((s) => s.includes('every key, and why one is unavailable'), 'the keys overlay');
      tmux.keys('Escape');
      await tmux.waitFor((s) => s.includes('Queues'), 'the vault again');
      tmux.keys('q');
      const after = await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit');
      expect(tmux.alternate()).toBe(false);
      expect(after).not.toContain('Vaults (1)');
    } finally {
      tmux.kill();
    }
  });

  it('on a first run, draws before it makes the demo, and q while it does ends the process without starting the sandbox', async () => {
    const dir = await tempDir();
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 80, 24);
      await tmux.waitFor((s) => s.includes('Creating the demo vault…') || s.includes('Demo Construction'), 'the first frame');
      tmux.keys('q');
      await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit', 30_000);
      expect(tmux.alternate()).toBe(false);
      // The demo may be made (it was under way), but no sandbox was started for a console that is gone.
      expect(existsSync(join(dir, 'sandbox'))).toBe(false);
    } finally {
      tmux.kill();
    }
  });

  it('opens from a folder other than the repository', async () => {
    const tmux = new Tmux();
    try {
      const screen = await opened(tmux, `${process.execPath} ${BIN}`, await tempDir('apdesk-elsewhere-'));
      expect(screen).toContain('AP Inbox — 1 document');
      await quits(tmux);
    } finally {
      tmux.kill();
    }
  });

  it('opens through the symlinks `npm link` makes, from another folder', async () => {
    // npm link: PREFIX/lib/node_modules/apdesk -> the repository, PREFIX/bin/apdesk -> ../lib/node_modules/apdesk/bin/apdesk.js
    const prefix = await tempDir('apdesk-link-');
    await mkdir(join(prefix, 'lib', 'node_modules'), { recursive: true });
    await mkdir(join(prefix, 'bin'));
    await symlink(ROOT, join(prefix, 'lib', 'node_modules', 'apdesk'), 'dir');
    await symlink(join('..', 'lib', 'node_modules', 'apdesk', 'bin', 'apdesk.js'), join(prefix, 'bin', 'apdesk'));
    const tmux = new Tmux();
    try {
      const path = `PATH=${join(prefix, 'bin')}:${dirname(process.execPath)}:$PATH`;
      const screen = await opened(tmux, `${path} apdesk`, await tempDir('apdesk-elsewhere-'));
      expect(screen).toContain('AP Inbox — 1 document');
      await quits(tmux);
    } finally {
      tmux.kill();
    }
  });

  it('shows an error that ends the console on the main screen, after the terminal is given back', async () => {
    const dir = await tempDir();
    // A hand-edited settings.json whose vault lists its licences as a string: the console cannot draw it.
    expect(spawnSync(process.execPath, [BIN, 'vault', 'add', 'Harbor Builders', '--accounting', 'sage300', '--data-dir', dir]).status).toBe(0);
    const settingsFile = join(dir, 'settings.json');
    const settings = JSON.parse(await readFile(settingsFile, 'utf8')) as { vaults: { licences: unknown }[] };
    settings.vaults[0]!.licences = 'procore';
    await writeFile(settingsFile, JSON.stringify(settings));
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 100, 24, await tempDir('apdesk-elsewhere-'));
      // The Vaults pane draws the licences: opening it ends the console.
      await tmux.waitFor((s) => s.includes('q quit'), 'the console');
      tmux.keys('8');
      const screen = await tmux.waitFor((s) => /\[exit \d+\]/.test(s), 'the exit');
      expect(tmux.alternate()).toBe(false);
      expect(screen).toMatch(/^apdesk: unexpected error: .*licences/m);
      expect(screen).toContain('[exit 1]');
    } finally {
      tmux.kill();
    }
  });

  it('opens a data dir whose settings.json is damaged on its previous version, saying so in the console, and seeds no demo over it', async () => {
    const dir = await tempDir();
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--data-dir', dir]).status;
    expect(run('vault', 'add', 'Harbor Builders', '--accounting', 'sage300')).toBe(0);
    expect(run('queue', 'add', '--vault', 'harbor-builders', 'AP Inbox')).toBe(0);
    await writeFile(join(dir, 'settings.json'), '{"vaults": [');
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 100, 24, await tempDir('apdesk-elsewhere-'));
      const screen = await tmux.waitFor((s) => s.includes('Harbor Builders') && s.includes('x dismiss'), 'the console with its problem banner');
      const banner = screen.replace(/\s+/g, ' ');
      expect(banner).toMatch(/settings\.json was damaged/);
      expect(banner).toMatch(/recovered the previous version/);
      expect(screen).not.toContain('Demo Construction');
      tmux.keys('x');
      await tmux.waitFor((s) => !s.includes('x dismiss'), 'the banner dismissed');
      tmux.keys('q');
      const after = await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit');
      expect(tmux.alternate()).toBe(false);
      // Told again on the main screen, where it stays.
      expect(after).toMatch(/^apdesk: warning: .*settings\.json was damaged/m);
    } finally {
      tmux.kill();
    }
  });

  describe('colour', () => {
    /**
     * A screen where the console uses colour: the Vaults pane (its cursor row inverse), a problem
     * banner (yellow) and an unavailable key's reason on the status line (red).
     */
    async function colourful(tmux: Tmux, environment: string): Promise<string> {
      const dir = await tempDir();
      const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--data-dir', dir]).status;
      // Two saves, so a damaged settings.json has a previous version to open on.
      expect(run('vault', 'add', 'Harbor Builders', '--accounting', 'sage300')).toBe(0);
      expect(run('queue', 'add', '--vault', 'harbor-builders', 'AP Inbox')).toBe(0);
      await writeFile(join(dir, 'settings.json'), '{"vaults": [');
      // The test runner's own colour settings stay out of it: only `environment` decides.
      tmux.start(`env -u NO_COLOR -u FORCE_COLOR -u COLORTERM ${environment} CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 80, 24);
      await tmux.waitFor((s) => s.includes('Harbor Builders') && s.includes('x dismiss'), 'the console with its problem banner');
      tmux.keys('8');
      await tmux.waitFor((s) => s.includes('[8 Vaults]') && s.includes('Licences'), 'the Vaults pane');
      tmux.keys('v');
      await tmux.waitFor((s) => s.includes('vault: this data dir has one vault'), 'the reason on the status line');
      return tmux.capture({ escapes: true });
    }

    it.each([
      ['a 256-colour terminal with true colour', 'TERM=xterm-256color COLORTERM=truecolor'],
      ['a 16-colour terminal', 'TERM=xterm'],
    ])('uses only the 16 basic colours, on %s', async (_, environment) => {
      const tmux = new Tmux();
      try {
        const colours = coloursIn(await colourful(tmux, environment));
        // Red for the status line's error and yellow for the banner: the palette is the 16 colours
        // every terminal has, so a 16-colour one shows what a true-colour one does.
        expect(colours).toContain('31');
        expect(colours).toContain('33');
        expect(colours.filter((colour) => colour.includes(';'))).toEqual([]);
      } finally {
        tmux.kill();
      }
    });

    it('uses no colour with NO_COLOR set, and shows every state by a mark, bold or inverse instead', async () => {
      const tmux = new Tmux();
      try {
        const screen = await colourful(tmux, 'NO_COLOR=1 TERM=xterm-256color COLORTERM=truecolor');
        expect(coloursIn(screen)).toEqual([]);
        const attributes = attributesIn(screen);
        expect(attributes.has(1)).toBe(true);
        expect(attributes.has(7)).toBe(true);
        const plain = tmux.screen();
        expect(plain).toMatch(/^1 2 3 4 5 6 7 \[8 Vaults\]$/m);
        expect(plain).toMatch(/^› Harbor Builders/m);
        expect(plain).toMatch(/^⚠ .*settings\.json was damaged/m);
        expect(plain).toMatch(/^! vault: this data dir has one vault$/m);
      } finally {
        tmux.kill();
      }
    });
  });

  it('gives the terminal back on Ctrl+C', async () => {
    const tmux = new Tmux();
    try {
      await opened(tmux);
      tmux.keys('C-c');
      await tmux.waitFor((s) => s.includes('[exit 0]'), 'the exit');
      expect(tmux.alternate()).toBe(false);
    } finally {
      tmux.kill();
    }
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('at 80×24, on %s gives the terminal back, exits %i, keeps a saved change and lets go of the sync loop', async (signal, code) => {
    const dir = await tempDir();
    expect(spawnSync(process.execPath, [BIN, 'demo', '--data-dir', dir]).status).toBe(0);
    const allowEdit = async () => (JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as { vaults: { procore: { allowEdit: boolean } }[] }).vaults[0]!.procore.allowEdit;
    expect(await allowEdit()).toBe(false);
    const tmux = new Tmux();
    try {
      tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`, 80, 24);
      await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
      // Queue: "Allow edit of imported Procore invoices" on, then OK saves the page.
      tmux.keys('4');
      let screen = await tmux.waitFor((s) => s.includes('[4 Queue]') && s.includes('Allow edit of imported'), 'the Queue pane');
      for (let step = 0; step < 6 && !/^> \[ \] Allow edit/m.test(screen); step++) {
        const before = screen;
        tmux.keys('j');
        screen = await tmux.waitFor((s) => s !== before, 'the cursor to move');
      }
      tmux.keys('Enter');
      await tmux.waitFor((s) => /\[x\] Allow edit of imported Procore invoices \*/.test(s), 'the change, not saved yet');
      tmux.keys('o');
      await tmux.waitFor((s) => s.includes('Saved the Procore configuration'), 'the page saved');
      // The sync loop running in this console holds the data dir's lease.
      tmux.keys('7');
      await tmux.waitFor((s) => s.includes('Sync loop: STOPPED'), 'the Sync & Jobs pane');
      tmux.keys('s');
      await tmux.waitFor((s) => s.includes('Sync loop: RUNNING in this console'), 'the loop running');
      expect(existsSync(join(dir, 'sync.lease'))).toBe(true);

      process.kill(tmux.appPid(), signal);
      const after = await tmux.waitFor((s) => /\[exit \d+\]/.test(s), 'the exit');
      expect(after).toContain(`[exit ${code}]`);
      expect(tmux.alternate()).toBe(false);
      expect(after).not.toContain('apdesk: unexpected error');
      expect(await allowEdit()).toBe(true);
      expect(existsSync(join(dir, 'sync.lease'))).toBe(false);
    } finally {
      tmux.kill();
    }
  });
});
