// Opens the console in the terminal: alternate screen, the Ink app, and a clean exit on quit,
// Ctrl+C, SIGTERM or SIGHUP.
import { render, type Instance } from 'ink';
import { openDesk } from '../app/desk.js';
import { vaultSummaries } from '../app/summary.js';
import { seedDemo } from '../app/demo.js';
import { App } from './app.js';
import { enterFullScreen, SIGNAL_EXIT_CODES } from './terminal.js';

export interface ConsoleOptions {
  dataDir: string;
  user: string | undefined;
  /** On a data dir never written to, create the demo vault first. */
  seedDemo: boolean;
}

export async function runConsole(options: ConsoleOptions): Promise<number> {
  const problems: string[] = [];
  const desk = await openDesk({
    dataDir: options.dataDir,
    ...(options.user !== undefined ? { user: options.user } : {}),
    command: 'apdesk (console)',
    onProblem: (message) => problems.push(message),
  });
  if (options.seedDemo && !(await desk.store.initialized())) await seedDemo(desk);

  let exitCode = 0;
  let failure = null as { error: unknown } | null;
  let app: Instance | undefined;
  const session = enterFullScreen(process.stdout, {
    onSignal: (signal) => {
      exitCode = SIGNAL_EXIT_CODES[signal] ?? 1;
      app?.unmount();
    },
    onFailure: (error) => {
      failure ??= { error };
      app?.unmount();
    },
  });
  // Whatever ends the console — q, a signal, an error while drawing — the terminal is given back
  // first, and only then is the error thrown for main() to print on the main screen.
  try {
    app = render(
      <App title={`${desk.user} · ${desk.dataDir}`} load={() => vaultSummaries(desk)} />,
      { exitOnCtrlC: true, patchConsole: true },
    );
    await app.waitUntilExit();
  } finally {
    session.restore();
  }
  for (const problem of problems) process.stderr.write(`apdesk: warning: ${problem}\n`);
  if (failure) throw failure.error;
  return exitCode;
}
