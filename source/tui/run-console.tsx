// Opens the console in the terminal: alternate screen, the Ink app, and a clean exit on quit,
// Ctrl+C, SIGTERM or SIGHUP.
import { render, type Instance } from './ink.js';
import { openDesk } from '../app/desk.js';
import { App } from './app.js';
import { ProblemLog } from './problems.js';
import { enterFullScreen, SIGNAL_EXIT_CODES } from './terminal.js';

export interface ConsoleOptions {
  dataDir: string;
  user: string | undefined;
  /** On a data dir that holds nothing yet, create the demo vault first. */
  seedDemo: boolean;
}

export async function runConsole(options: ConsoleOptions): Promise<number> {
  // Problems found while opening the data dir come before the first frame; the log keeps them
  // for the banner, and the desk's events bring the ones found later.
  const problems = new ProblemLog();
  const desk = await openDesk({
    dataDir: options.dataDir,
    ...(options.user !== undefined ? { user: options.user } : {}),
    command: 'apdesk (console)',
  });
  for (const problem of desk.problems()) problems.report(problem);
  const stopListening = desk.events.on('problem', ({ message }) => problems.report(message));
  if (options.seedDemo) await desk.demo.createIfNew();

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
    app = render(<App title={`${desk.user} · ${desk.dataDir}`} load={() => desk.status.vaults()} problems={problems} />, {
      exitOnCtrlC: true,
      patchConsole: true,
    });
    await app.waitUntilExit();
  } finally {
    stopListening();
    session.restore();
  }
  for (const problem of problems.all) process.stderr.write(`apdesk: warning: ${problem}\n`);
  if (failure) throw failure.error;
  return exitCode;
}
