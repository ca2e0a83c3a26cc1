// Untrusted input — Procore payloads, rule files, rows of an accounting export — is checked where
// it enters, with zod, and a refusal is said the way apdesk says one: the field's path, the value
// that failed, what is wrong and what to write instead ("match.minAmount '50,000' is not a decimal
// amount (write it like 50000.00)"), never zod's own "Expected string, received number".
import { z } from 'zod';
import { MoneyError, parseMoney, type Cents } from '../domain/money.js';

const REFUSAL = Symbol('refusal');

/** Why a value was refused: what is wrong with it, and how to show it (default: as it was given). */
export interface Refusal {
  readonly [REFUSAL]: true;
  problem: string;
  /** The value as the message shows it; null to leave it out ("code is empty"). */
  shown?: string | null;
  /** `problem` is a whole sentence of its own, said without the path and the value. */
  whole?: boolean;
}

export function refuse(problem: string, options: { shown?: string | null; whole?: boolean } = {}): Refusal {
  return { [REFUSAL]: true, problem, ...options };
}

function isRefusal(value: unknown): value is Refusal {
  return typeof value === 'object' && value !== null && REFUSAL in value;
}

/**
 * A value read by our own function, for values whose rules are ours (money in exact cents,
 * Procore ids, dates, trimmed codes): `read` gets the raw value (undefined when the field is
 * absent) and returns the value, or refuse(…).
 */
export function leaf<T>(read: (value: unknown) => T | Refusal) {
  // Optional inside the transform: an absent field still reaches `read`, which decides what absent means.
  return z.unknown().optional().transform((value, ctx): T => {
    const result = read(value);
    if (!isRefusal(result)) return result;
    complain(ctx, result, { input: value });
    return z.NEVER;
  });
}

/** Adds a refusal as an issue, from a transform or a refinement (optionally at another path). */
export function complain(ctx: z.RefinementCtx, refusal: Refusal, at: { path?: PropertyKey[]; input?: unknown } = {}): void {
  const { problem, shown, whole } = refusal;
  ctx.addIssue({ code: 'custom', input: at.input, ...(at.path ? { path: at.path } : {}), params: { problem, shown, whole } });
}

const UNLISTED = new WeakSet<z.ZodType>();

/** A field that is accepted but not offered in "(fields: …)" (an id that `list --json` prints). */
export function unlisted<T extends z.ZodType>(schema: T): T {
  UNLISTED.add(schema);
  return schema;
}

/** "items[0].work_completed_this_period": how a path reads in a message. */
export function pathText(path: readonly PropertyKey[] | undefined): string {
  return (path ?? []).reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** A value as a message shows it: text in quotes, the rest as JSON, cut when long. */
export function shownValue(value: unknown): string | null {
  if (value === undefined) return null;
  const text = typeof value === 'string' ? `'${value}'` : typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Path, value and problem, as one phrase: "priority 'high' is not a whole number". */
export function sentence(path: readonly PropertyKey[] | undefined, shown: string | null, problem: string): string {
  return [pathText(path), shown, problem].filter((part) => part).join(' ');
}

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  bigint: 'a whole number',
};

function oneOf(values: readonly unknown[]): string {
  const names = values.map(String);
  return names.length === 2 ? `${names[0]} or ${names[1]}` : `one of: ${names.join(', ')}`;
}

/** The fields an object schema takes, for "(fields: …)". */
function fieldsOf(schema: unknown): string[] {
  const shape = (schema as { _zod?: { def?: { shape?: Record<string, z.ZodType> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.entries(shape).filter(([, field]) => !UNLISTED.has(field)).map(([name]) => name) : [];
}

/**
 * A zod issue said in apdesk's words. Used as the error map of every parse at the edge, so it
 * sees the issue raw: with its input, and the schema that raised it.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  const { path, input } = issue;
  switch (issue.code) {
    case 'custom': {
      const { problem, shown, whole } = (issue.params ?? {}) as Partial<Refusal>;
      if (!problem) return sentence(path, shownValue(input), 'is not valid');
      if (whole) return problem;
      return sentence(path, shown === undefined ? shownValue(input) : shown, problem);
    }
    case 'invalid_type':
      if (input === undefined || input === null) return sentence(path, null, 'is missing');
      return sentence(path, shownValue(input), `is not ${NOUNS[issue.expected] ?? issue.expected}`);
    case 'unrecognized_keys': {
      const prefix = path?.length ? `${pathText(path)}.` : '';
      const fields = fieldsOf(issue.inst);
      return `unknown field '${prefix}${issue.keys[0]}'${fields.length ? ` (fields: ${fields.map((name) => prefix + name).join(', ')})` : ''}`;
    }
    case 'invalid_value':
      return sentence(path, shownValue(input), `is not ${oneOf(issue.values)}`);
    case 'too_small':
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return sentence(path, null, 'is empty');
      if (issue.origin === 'string') return sentence(path, null, Number(issue.minimum) === 1 ? 'is empty' : `is shorter than ${issue.minimum} characters`);
      return sentence(path, shownValue(input), `is below ${issue.minimum}`);
    case 'too_big':
      if (issue.origin === 'string') return sentence(path, null, `is longer than ${issue.maximum} characters`);
      if (issue.origin === 'array') return sentence(path, null, `has more than ${issue.maximum} entries`);
      return sentence(path, shownValue(input), `is above ${issue.maximum}`);
    default:
      return sentence(path, shownValue(input), 'is not valid');
  }
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Checks a value against a schema. On failure, the first problem as one line: an unknown field
 * first, since a misspelt key is also why the field it meant is missing.
 */
export function check<T>(schema: z.ZodType<T>, input: unknown): Checked<T> {
  const result = schema.safeParse(input, { error: describeIssue });
  if (result.success) return { ok: true, value: result.data };
  const issues = [...result.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  return { ok: false, problem: issues[0]?.message ?? 'is not valid' };
}

// ---- values several edges read ----

/**
 * Messages of a schema's own for a value of the wrong type: `missing` when it is absent (or
 * null), `wrongType` otherwise ("reviewers[0] 42 is not a reviewer ({…})").
 */
export function says(messages: { missing?: string; wrongType?: string }) {
  return {
    error: (issue: z.core.$ZodRawIssue) => {
      if (issue.code !== 'invalid_type') return undefined;
      if ((issue.input === undefined || issue.input === null) && messages.missing) return sentence(issue.path, null, messages.missing);
      return messages.wrongType ? sentence(issue.path, shownValue(issue.input), messages.wrongType) : undefined;
    },
  };
}

/**
 * Decimal text (or an exact JSON number) → cents, through the exact parser; `hint` says how to
 * write one. Absent, null or '' is refused as missing, or is `options.absent` when given.
 */
export function money<A extends Cents | null = never>(hint: string, options?: { absent: A }) {
  return leaf((value): Cents | A | Refusal => {
    if (value === undefined || value === null || value === '') return options ? options.absent : refuse('is missing', { shown: null });
    if (typeof value !== 'string' && typeof value !== 'number') return refuse(`is not a decimal amount ${hint}`);
    try {
      return parseMoney(value);
    } catch (error) {
      if (error instanceof MoneyError) return refuse(`${error.problem} ${hint}`, { shown: `'${String(value)}'` });
      throw error;
    }
  });
}
