// Opens the console in the terminal: alternate screen, the Ink app, and a clean exit on quit,
// Ctrl+C, SIGTERM or SIGHUP.
import { render } from 'ink';
import { openDesk } from '../app/desk.js';
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
  if (options.seedDemo) await desk.demo.createIfNew();

  let exitCode = 0;
  const session = enterFullScreen(process.stdout, (signal) => {
    exitCode = SIGNAL_EXIT_CODES[signal] ?? 1;
    app.unmount();
  });
  const app = render(
    <App title={`${desk.user} · ${desk.dataDir}`} load={() => desk.status.vaults()} />,
    { exitOnCtrlC: true, patchConsole: true },
  );
  try {
    await app.waitUntilExit();
  } finally {
    session.restore();
  }
  for (const problem of problems) process.stderr.write(`apdesk: warning: ${problem}\n`);
  return exitCode;
}
