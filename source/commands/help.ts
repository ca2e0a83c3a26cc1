// `apdesk --help`, `apdesk help COMMAND`, `apdesk COMMAND --help`: all from the command table.
import type { Command } from './command.js';
import { COMMANDS } from './index.js';

export const GLOBAL_OPTIONS = [
  ['--data-dir DIR', 'the data dir (default ./data, or APDESK_DATA_DIR)'],
  ['--user NAME', 'act as this user (default: the OS user)'],
  ['--json', 'print data as JSON, where the command prints data'],
  ['-h, --help', 'show help'],
] as const;

function options(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.path.join(' ').length));
  return [
    'apdesk — an accounts-payable desk in the terminal, with a Procore bridge',
    '',
    'Usage:',
    '  apdesk                     open the console (needs a terminal)',
    '  apdesk COMMAND [options]   run one command headless',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.path.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    'Options for every command:',
    ...options(GLOBAL_OPTIONS),
    '',
    'Run `apdesk help COMMAND` for one command, e.g. `apdesk help queue add-document`.',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const own = Object.entries(command.options ?? {}).map(
    ([name, spec]) => [`--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`, spec.description] as const,
  );
  const global = GLOBAL_OPTIONS.filter(([flag]) => command.json || flag !== '--json');
  return [
    `${command.summary}.`,
    '',
    'Usage:',
    `  ${command.usage}`,
    ...(command.details ? ['', ...command.details.split('\n')] : []),
    ...(own.length ? ['', 'Options:', ...options(own)] : []),
    '',
    'Global options:',
    ...options(global),
  ].join('\n');
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  return [
    `apdesk ${group} commands:`,
    '',
    ...commands.map((command) => `  ${command.usage}\n      ${command.summary}`),
    '',
    `Run \`apdesk help ${group} SUBCOMMAND\` for one of them.`,
  ].join('\n');
}
