// A second process for the sandbox tests. `command DATADIR [ARGS…]` runs `apdesk sandbox` (its
// Command object, as the CLI would) until SIGTERM; `ensure DATADIR` calls ensureSandbox, prints
// what it got and keeps the sandbox up until SIGTERM.
import { sandboxCommand } from '../../source/commands/sandbox.js';
import type { CommandContext } from '../../source/commands/command.js';
import type { Desk } from '../../source/app/desk.js';
import { ensureSandbox } from '../../source/sandbox/index.js';

const [mode, dataDir, ...rest] = process.argv.slice(2);
if (mode === 'ensure') {
  const sandbox = await ensureSandbox(dataDir!);
  process.stdout.write(`${JSON.stringify({ apiUrl: sandbox.apiUrl, startedHere: sandbox.startedHere })}\n`);
  process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
  setInterval(() => undefined, 1000);
} else {
  const ctx: CommandContext = {
    json: rest.includes('--json'),
    values: { port: rest[rest.indexOf('--port') + 1] && rest.includes('--port') ? rest[rest.indexOf('--port') + 1] : undefined },
    positionals: [],
    out: (text) => process.stdout.write(`${text}\n`),
    write: async (text) => void process.stdout.write(text),
    note: (text) => process.stderr.write(`${text}\n`),
    desk: async () => ({ dataDir: dataDir!, user: 'tester' }) as unknown as Desk,
    env: process.env,
    stdin: process.stdin,
  };
  await sandboxCommand.run(ctx);
  process.stdout.write('stopped\n');
}
