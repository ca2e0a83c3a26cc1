// The terminal around the console: the alternate screen on the way in, and the main screen
// and cursor given back on every way out — quit, Ctrl+C, SIGTERM, SIGHUP (an SSH drop), and an
// error — before anything about the way out is printed, so the user can read it.

const ENTER_ALT = '\u001B[?1049h\u001B[H';
const LEAVE_ALT = '\u001B[?1049l';
const SHOW_CURSOR = '\u001B[?25h';

export interface TerminalSession {
  /** Gives the terminal back; safe to call more than once. */
  restore(): void;
}

export interface SessionEvents {
  /** A signal asks the console to end. */
  onSignal(signal: NodeJS.Signals): void;
  /**
   * An exception no code caught, while the console ran. Node would print it on the alternate
   * screen and exit, and the restore would then wipe it: the console ends instead, and the error
   * is told on the main screen.
   */
  onFailure(error: unknown): void;
}

export function enterFullScreen(stdout: NodeJS.WriteStream, events: SessionEvents): TerminalSession {
  let restored = false;
  stdout.write(ENTER_ALT);
  const restore = () => {
    if (restored) return;
    restored = true;
    stdout.write(SHOW_CURSOR + LEAVE_ALT);
    for (const [signal, handler] of handlers) process.off(signal, handler);
    process.off('uncaughtException', events.onFailure);
    process.off('unhandledRejection', events.onFailure);
    process.off('exit', restore);
  };
  const handlers: [NodeJS.Signals, () => void][] = (['SIGTERM', 'SIGHUP', 'SIGINT'] as const).map((signal) => [
    signal,
    () => events.onSignal(signal),
  ]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  process.on('uncaughtException', events.onFailure);
  process.on('unhandledRejection', events.onFailure);
  // Last resort: even a process.exit() must not leave the user on the alternate screen.
  process.on('exit', restore);
  return { restore };
}

export const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
