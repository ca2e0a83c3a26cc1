// A real terminal for the console's tests: the binary runs in a detached tmux session, keys go in
// as tmux names them, and the screen is read back as a user would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.APDESK_REQUIRE_TMUX === '1') {
  throw new Error('tmux is required for the console tests (apt-get install -y tmux)');
}

export class Tmux {
  private readonly socket = `apdesk-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly session = 's';

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Runs `command` in a new terminal of that size, in `cwd` (this process's folder by default). */
  start(command: string, columns = 100, rows = 24, cwd = process.cwd()): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), '-c', cwd, `${command}; echo "[exit $?]"; sleep 60`);
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.session);
  }

  /**
   * The screen with what plain text hides: `escapes` keeps the colours and attributes as SGR
   * sequences (tmux's own rendering of each cell), `joined` puts back together a line the terminal
   * wrapped because it was longer than the width.
   */
  capture(options: { escapes?: boolean; joined?: boolean }): string {
    return this.tmux('capture-pane', '-p', ...(options.escapes ? ['-e'] : []), ...(options.joined ? ['-J'] : []), '-t', this.session);
  }

  /** Resizes the terminal, as a user dragging the window's corner does. */
  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows));
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
