// Opens the console in the terminal: alternate screen, the Ink app, and a clean exit on quit,
// Ctrl+C, SIGTERM or SIGHUP.
import { render, type Instance } from './ink.js';
import { openDesk } from '../app/desk.js';
import { Shell } from './shell/shell.js';
import { loopControl } from './shell/loop-control.js';
import { PANES } from './panes/index.js';
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
  // A first run's demo vault is made after the first frame (it takes a second or two); keys typed
  // meanwhile wait for it (the shell's `preparing`).
  const seeding = options.seedDemo && (await desk.demo.wouldCreate());
  // A vault on the local sandbox gets it started in this process, on 127.0.0.1, for as long as the
  // console runs — after the first frame: a new sandbox builds its demo files for a few seconds.
  let sandbox: Promise<{ close(): Promise<void> } | null> = Promise.resolve(null);
  let closing = false;
  const startSandbox = async () => {
    const vaults = await desk.vaults.list();
    // Quit while the demo was being made: no sandbox to start (it would keep the process alive).
    if (closing) return;
    if (!vaults.some((vault) => vault.procore?.environment.kind === 'local')) return;
    sandbox = import('../sandbox/index.js')
      .then(({ ensureSandbox }) => ensureSandbox(desk.dataDir))
      .catch((error: unknown) => {
        problems.report(`the local Procore sandbox did not start: ${(error as Error).message}`);
        return null;
      });
  };
  const vaults = await desk.vaults.list();
  const loop = loopControl(desk);
  const connectionPane = PANES.findIndex((pane) => pane.id === 'connection') + 1;
  // A clerk opens on the queue; a data dir whose Procore is not connected yet, on its connection.
  const initialPane = seeding || vaults.some((vault) => vault.procore && vault.procore.connection.state !== 'connected') ? 'connection' : 'invoices';
  const start = `${connectionPane} Connection, g Grant Access (login ${desk.demo.login.email} / ${desk.demo.login.password})`;
  const welcome = seeding
    ? `Start: ${start}`
    : connectionPane > 0 && vaults.some((vault) => vault.procore?.environment.kind === 'local' && vault.procore.connection.state !== 'connected')
      ? `Next: ${start}`
      : 'Press ? for every key; Tab or a number moves between panes';

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
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    app = render(<Shell desk={desk} panes={PANES} loop={loop} problems={problems} welcome={welcome} initialPane={initialPane} {...(seeding ? { preparing: { what: 'Creating the demo vault', done: preparing } } : {})} />, {
      exitOnCtrlC: true,
      patchConsole: true,
    });
    setTimeout(() => {
      const seeded = seeding
        ? desk.demo.createIfNew().catch((error: unknown) => problems.report(`the demo vault could not be created: ${(error as Error).message}`))
        : Promise.resolve();
      void seeded.finally(prepared).then(startSandbox);
    }, 20).unref();
    await app.waitUntilExit();
  } finally {
    closing = true;
    stopListening();
    session.restore();
    await loop.stop().catch(() => undefined);
    await (await sandbox)?.close().catch(() => undefined);
  }
  for (const problem of problems.all) process.stderr.write(`apdesk: warning: ${problem}\n`);
  if (failure) throw failure.error;
  return exitCode;
}
