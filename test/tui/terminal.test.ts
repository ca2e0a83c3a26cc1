// The real binary in a real terminal (tmux): it opens on the alternate screen, moves, and gives
// the terminal back on q, Ctrl+C, SIGTERM and SIGHUP.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.APDESK_REQUIRE_TMUX === '1') {
  throw new Error('tmux is required for the console tests (apt-get install -y tmux)');
}

class Tmux {
  private readonly socket = `apdesk-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly session = 's';

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(command: string, columns = 100, rows = 24): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), `${command}; echo "[exit $?]"; sleep 60`);
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  alternate(): boolean {
    return this.tmux('display', '-p', '-t', this.session, '#{alternate_on}').trim() === '1';
  }

  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      if (check(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; the screen shows:\n${last}`);
  }

  /** The app's pid: the child of the pane's shell (read from /proc, so no procps is needed). */
  appPid(): number {
    const shell = Number(this.tmux('display', '-p', '-t', this.session, '#{pane_pid}').trim());
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (parent === shell) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
    throw new Error(`no child of the pane's shell ${shell}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

describe.runIf(hasTmux)('the console in a terminal', () => {
  async function opened(tmux: Tmux): Promise<string> {
    const dir = await tempDir();
    // CI=true as on a CI runner, where ink would draw nothing until exit unless the console stops it.
    tmux.start(`CI=true ${process.execPath} ${BIN} --data-dir ${dir}`);
    const screen = await tmux.waitFor((s) => s.includes('Demo Construction') && s.includes('q quit'), 'the console');
    expect(tmux.alternate()).toBe(true);
    return screen;
  }

  it('opens on the demo vault, navigates, and restores the screen on q', async () => {
    const tmux = new Tmux();
    try {
      const screen = await opened(tmux);
      expect(screen).toContain('AP Inbox — 1 document');
      expect(screen).toContain('Accounting: Sage 300');
      tmux.keys('?');
      await tmux.waitFor((s) => s.includes('show or hide these keys'), 'the keys overlay');
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

  it.each([
    ['Ctrl+C', (tmux: Tmux): void => tmux.keys('C-c'), /\[exit 0\]/],
    ['SIGTERM', (tmux: Tmux): void => void process.kill(tmux.appPid(), 'SIGTERM'), /\[exit 143\]/],
    ['SIGHUP', (tmux: Tmux): void => void process.kill(tmux.appPid(), 'SIGHUP'), /\[exit 129\]/],
  ] as const)('gives the terminal back on %s', async (_, stop, exit) => {
    const tmux = new Tmux();
    try {
      await opened(tmux);
      stop(tmux);
      await tmux.waitFor((s) => exit.test(s), 'the exit');
      expect(tmux.alternate()).toBe(false);
    } finally {
      tmux.kill();
    }
  });
});
