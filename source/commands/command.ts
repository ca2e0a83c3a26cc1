// What a headless command is: its words, its flags, its help, and what it runs. Commands are
// thin: they parse, call services, and print text or --json.
import type { Desk } from '../app/desk.js';
import { UsageError, UserError } from '../domain/errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  value?: string;
  description: string;
  /** The values a string option takes; anything else is a usage error (exit 2) listing them. */
  choices?: readonly string[];
  /** A flag the command cannot run without; missing, it is a usage error (exit 2). */
  required?: boolean;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  json: boolean;
  values: OptionValues;
  positionals: string[];
  out(text: string): void;
  /** Writes `text` as it is and waits while the reader is behind: for output too large to hold. */
  write(text: string): Promise<void>;
  /** Warnings and notes for people; never data a script would parse. */
  note(text: string): void;
  desk(): Promise<Desk>;
  /** Reads a line from stdin (prompts go to stderr). */
  stdin: NodeJS.ReadableStream;
  /** The environment variables this run sees (tests give their own). */
  env: NodeJS.ProcessEnv;
}

export interface Command {
  path: readonly string[];
  summary: string;
  usage: string;
  details?: string;
  options?: Record<string, OptionSpec>;
  positionals?: { min: number; max: number; names: string };
  /** Accepts --json. */
  json?: boolean;
  run(ctx: CommandContext): Promise<void>;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.out(JSON.stringify(value, null, 2));
}

/** The --vault option most commands take. */
export const VAULT_OPTION = { vault: { type: 'string', value: 'VAULT', description: 'the vault, by name or id' } } as const satisfies Record<string, OptionSpec>;

/** The value of a required --vault, or a usage error that shows the command's usage. */
export function requiredVault(ctx: CommandContext, usage: string): string {
  const vault = stringOption(ctx.values, 'vault');
  if (!vault) throw new UsageError(`say which vault with --vault: ${usage}`);
  return vault;
}

/**
 * A flag's value read by one of the domain's parsers (accounting system, on/off, behaviour …): a
 * value it refuses is a usage error, exit status 2, like any other bad command line.
 */
export function flagValue<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UserError && !(error instanceof UsageError)) throw new UsageError(error.message);
    throw error;
  }
}
