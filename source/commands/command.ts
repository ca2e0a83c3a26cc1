// What a headless command is: its words, its flags, its help, and what it runs. Commands are
// thin: they parse, call services, and print text or --json.
import type { Desk } from '../app/desk.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  json: boolean;
  values: OptionValues;
  positionals: string[];
  out(text: string): void;
  /** Warnings and notes for people; never data a script would parse. */
  note(text: string): void;
  desk(): Promise<Desk>;
  /** Reads a line from stdin (prompts go to stderr). */
  stdin: NodeJS.ReadableStream;
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
