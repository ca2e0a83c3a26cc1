// apdesk's entry point: parse the command line, then run one headless command or open the
// console. Every failure a user can cause ends as one line on stderr and a non-zero status.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { appendFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { currentUser, openDesk, defaultDataDir, type Desk } from './app/desk.js';
import { describeSystemError, UserError, UsageError } from './domain/errors.js';
import type { Command, CommandContext } from './commands/command.js';
import { commandsInGroup, findCommand, COMMANDS } from './commands/index.js';
import { commandHelp, groupHelp, mainHelp } from './commands/help.js';
import { withRemedy } from './commands/remedy.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

const GLOBAL_VALUE_OPTIONS = new Set(['--data-dir', '--user']);
const GLOBAL_FLAGS = new Set(['--json', '--help', '-h', '--version']);

const globalOptions = {
  'data-dir': { type: 'string' },
  user: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** The leading words of the command line, skipping global options that may come before them. */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (GLOBAL_VALUE_OPTIONS.has(token)) {
      i++;
      continue;
    }
    if (GLOBAL_FLAGS.has(token) || [...GLOBAL_VALUE_OPTIONS].some((flag) => token.startsWith(`${flag}=`))) continue;
    if (token.startsWith('-')) break;
    words.push(token);
  }
  return words;
}

function withoutWords(argv: readonly string[], words: readonly string[]): string[] {
  const rest = [...argv];
  for (const word of words) rest.splice(rest.indexOf(word), 1);
  return rest;
}

/**
 * `--total -50.00`: a value that starts with a minus sign looks like a flag to parseArgs, which
 * refuses it as ambiguous. After a flag that takes a value, a negative number is that value.
 */
function joinNegativeValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const next = argv[i + 1];
    const name = token.startsWith('--') ? token.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else {
      out.push(token);
    }
  }
  return out;
}

function parseCommandLine(command: Command | undefined, argv: string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = { ...globalOptions };
  for (const [name, spec] of Object.entries(command?.options ?? {})) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    const helpFor = command ? `apdesk help ${command.path.join(' ')}` : 'apdesk --help';
    throw new UsageError(`${message.replace(/^Unknown option/, 'unknown option')} — see \`${helpFor}\``);
  }
}

function version(): string {
  const manifest = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Enumerated and required flags: a wrong or missing one is a usage error, like an unknown flag. */
function checkOptionValues(command: Command, values: Record<string, unknown>): void {
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    const value = values[name];
    if (value === undefined) {
      if (spec.required) throw new UsageError(`missing --${name}${spec.value ? ` ${spec.value}` : ''} — usage: ${command.usage}`);
      continue;
    }
    if (!spec.choices) continue;
    // A choice may be typed in any case, with spaces around it: the command gets the choice itself.
    const choose = (given: unknown) => {
      if (typeof given !== 'string') return given;
      const choice = spec.choices!.find((candidate) => candidate === given.trim().toLowerCase());
      if (choice === undefined) throw new UsageError(`--${name} takes ${spec.choices!.join(', ')}, not '${given}'`);
      return choice;
    };
    values[name] = Array.isArray(value) ? value.map(choose) : choose(value);
  }
}

async function logFailure(dataDir: string, error: unknown): Promise<string | null> {
  try {
    const dir = join(dataDir, 'logs');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'apdesk.log');
    await appendFile(file, `${new Date().toISOString()} error ${(error as Error)?.stack ?? String(error)}\n`);
    return file;
  } catch {
    return null;
  }
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const out = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const err = (text: string) => io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  let dataDir = resolve(defaultDataDir(io.env));
  try {
    const words = commandWords(argv);
    if (words[0] === 'help') {
      const target = words.slice(1);
      if (!target.length) return out(mainHelp()), 0;
      const command = findCommand(target);
      if (command && command.path.length === target.length) return out(commandHelp(command)), 0;
      const group = commandsInGroup(target[0]!);
      if (group.length && target.length === 1) return out(groupHelp(target[0]!, group)), 0;
      throw new UsageError(`no command 'apdesk ${target.join(' ')}' — run \`apdesk --help\` for the list`);
    }
    const command = words.length ? findCommand(words) : undefined;
    if (words.length && !command) {
      const group = commandsInGroup(words[0]!);
      if (group.length && words.length === 1) {
        const parsed = parseCommandLine(undefined, withoutWords(argv, words));
        if (parsed.values.help) return out(groupHelp(words[0]!, group)), 0;
        throw new UsageError(`'apdesk ${words[0]}' needs a subcommand: ${group.map((c) => c.path[1]).join(', ')} — see \`apdesk help ${words[0]}\``);
      }
      throw new UsageError(
        group.length
          ? `no command 'apdesk ${words.slice(0, 2).join(' ')}' — the ${words[0]} commands are: ${group.map((c) => c.path[1]).join(', ')}`
          : `unknown command '${words[0]}' — run \`apdesk --help\` for the list`,
      );
    }
    const rest = command ? withoutWords(argv, command.path) : [...argv];
    const parsed = parseCommandLine(command, rest);
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    if (typeof values['data-dir'] === 'string') {
      if (!values['data-dir'].trim()) throw new UsageError('--data-dir needs a directory');
      dataDir = resolve(values['data-dir']);
    }
    if (values.version) return out(version()), 0;
    if (values.help) return out(command ? commandHelp(command) : mainHelp()), 0;
    if (typeof values.user === 'string' && !values.user.trim()) throw new UsageError('--user needs a name');

    if (!command) {
      if (parsed.positionals.length) throw new UsageError(`unknown command '${parsed.positionals[0]}' — run \`apdesk --help\``);
      if (!io.isTTY) {
        err('apdesk: the console needs a terminal (stdin and stdout must be a TTY) — run `apdesk` in a terminal, or use the headless commands (`apdesk --help`)');
        return 2;
      }
      const { loadConsole } = await import('./tui/load.js');
      const { runConsole } = await loadConsole();
      return await runConsole({ dataDir, user: values.user as string | undefined, seedDemo: io.env.APDESK_NO_DEMO !== '1' });
    }

    if (values.json && !command.json) throw new UsageError(`\`apdesk ${command.path.join(' ')}\` has no --json output`);
    checkOptionValues(command, values);
    const spec = command.positionals ?? { min: 0, max: 0, names: '' };
    if (parsed.positionals.length < spec.min) {
      throw new UsageError(`missing ${spec.names} — usage: ${command.usage}`);
    }
    if (parsed.positionals.length > spec.max) {
      throw new UsageError(`unexpected argument '${parsed.positionals[spec.max]}' — usage: ${command.usage}`);
    }
    let desk: Desk | undefined;
    const ctx: CommandContext = {
      json: values.json === true,
      values,
      positionals: parsed.positionals,
      out,
      write: (text) =>
        new Promise<void>((resolve) => {
          if (io.stdout.write(text)) resolve();
          else io.stdout.once('drain', () => resolve());
        }),
      note: (text) => err(text),
      stdin: io.stdin,
      env: io.env,
      desk: async () => {
        desk ??= await openDesk({
          dataDir,
          // A command with a --user of its own (audit: a filter) acts as the OS user.
          ...(typeof values.user === 'string' && !command.options?.user ? { user: values.user } : {}),
          command: `apdesk ${command.path.join(' ')}`,
          env: io.env,
          onProblem: (message) => err(`apdesk: warning: ${message}`),
        });
        return desk;
      },
    };
    await command.run(ctx);
    return 0;
  } catch (error) {
    if (error instanceof UserError) {
      err(`apdesk: ${withRemedy(error)}`);
      return error.exitCode;
    }
    const log = await logFailure(dataDir, error);
    // File permissions are the OS user's, whatever --user says.
    const refused = describeSystemError(error, currentUser());
    if (refused) return err(`apdesk: ${refused}`), 1;
    err(`apdesk: unexpected error: ${(error as Error)?.message ?? String(error)}${log ? ` (details in ${log})` : ''}`);
    return 1;
  }
}

export { COMMANDS };
