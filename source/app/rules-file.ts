// Rule files and `apdesk rules add` input, checked at the edge with zod (see source/edge/schema.ts):
// each rule is read whole into the domain's shape, or refused with one line naming the rule, the
// field and the value, and what to write instead.
import { z } from 'zod';
import { check, complain, leaf, money, refuse, says, sentence, unlisted, type Refusal } from '../edge/schema.js';
import { UserError } from '../domain/errors.js';
import { formatMoney } from '../domain/money.js';
import { VALIDATION_LEVELS, type CustomValidationRule, type RoutingMatch, type RoutingRule, type VaultRules } from '../domain/rules.js';
import { customRuleProblem } from '../domain/validation.js';

export type NewRoutingRule = Omit<RoutingRule, 'id'>;
export type NewValidationRule = Omit<CustomValidationRule, 'id'>;
type RuleOptions = VaultRules['options'];

/** A routing rule as a rules file (or `rules add`) gives it: amounts as decimal strings. */
export interface RoutingRuleInput {
  name: string;
  active?: boolean;
  priority?: number | string;
  exclusive?: boolean;
  routingGroup?: string;
  match?: {
    job?: string | null;
    costCode?: string | null;
    vendor?: string | null;
    commitmentType?: string | null;
    minAmount?: string | number | null;
    maxAmount?: string | number | null;
  };
  /** { user, sequence } objects, or "USER" / "USER:SEQ" strings. */
  reviewers: ({ user: string; sequence?: number } | string)[];
}

export interface ValidationRuleInput {
  name: string;
  active?: boolean;
  field: string;
  condition: string;
  value?: string | number | null;
  message: string;
  level?: string;
  action?: string;
}

export const DEFAULT_ROUTING_GROUP = 'Default';
const NAME_LIMIT = 80;
const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
const COMMITMENT_TYPES = ['subcontract', 'purchase-order'] as const;
const CONTROL = /[\u0000-\u001f\u007f]/;

// ---- the values of a rule ----

/** Trimmed text (a JSON number is taken as its digits), or a refusal; blank is absent. */
function readText(value: unknown): string | null | Refusal {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return refuse('is not text');
  if (CONTROL.test(value)) return refuse('contains control characters', { shown: null });
  return value.trim() || null;
}

const optionalText = () => leaf(readText);

/** Text that must be there; `missing` says what to give ("give the rule a name"). */
function requiredText(missing: string, limit = Infinity) {
  return leaf((value): string | Refusal => {
    const text = readText(value);
    if (text === null) return refuse(`is missing — ${missing}`, { shown: null });
    if (typeof text === 'string' && text.length > limit) return refuse(`is longer than ${limit} characters`, { shown: null });
    return text;
  });
}

/** One of a few words, in any case and spacing; absent is `fallback`. */
function choice<const T extends string>(values: readonly T[], fallback: T, problem = `is not one of: ${values.join(', ')}`) {
  return leaf((value): T | Refusal => {
    const text = readText(value);
    if (text === null || typeof text !== 'string') return text ?? fallback;
    return values.find((known) => known === text.toLowerCase()) ?? refuse(problem, { shown: `'${text}'` });
  });
}

/** A whole number (or its digits as text) from `min`; absent is `fallback`. */
function wholeNumber(min: number, fallback: number) {
  return leaf((value): number | Refusal => {
    if (value === undefined || value === null) return fallback;
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min) {
      return refuse(`is not a whole number${min > -Infinity ? ` from ${min}` : ''}`);
    }
    return number;
  });
}

/** true or false; absent (or null) is `fallback`. */
const flag = (fallback: boolean) => z.boolean().nullish().transform((value) => value ?? fallback);

const amount = () => money('(write it like 50000.00)', { absent: null });

// ---- routing rules ----

const MATCH = z
  .strictObject({
    job: optionalText(),
    costCode: optionalText(),
    vendor: optionalText(),
    commitmentType: leaf((value): (typeof COMMITMENT_TYPES)[number] | null | Refusal => {
      const text = readText(value);
      if (text === null || typeof text !== 'string') return text;
      return COMMITMENT_TYPES.find((type) => type === text.toLowerCase()) ?? refuse(`is not one of: ${COMMITMENT_TYPES.join(', ')}`, { shown: `'${text}'` });
    }),
    minAmount: amount(),
    maxAmount: amount(),
  })
  .transform((given, ctx): RoutingMatch => {
    const { minAmount: min, maxAmount: max } = given;
    if (min !== null && max !== null && min > max) {
      complain(ctx, refuse(`is above match.maxAmount ${formatMoney(max)}`, { shown: formatMoney(min) }), { path: ['minAmount'] });
      return z.NEVER;
    }
    const match: RoutingMatch = {};
    if (given.job) match.job = given.job;
    if (given.costCode) match.costCode = given.costCode;
    if (given.vendor) match.vendor = given.vendor;
    if (given.commitmentType) match.commitmentType = given.commitmentType;
    if (min !== null) match.minAmount = min;
    if (max !== null) match.maxAmount = max;
    return match;
  });

const USER = leaf((value): string | Refusal => {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return refuse('is missing — name the reviewer', { shown: null });
  if (typeof value !== 'string' || !USER_NAME.test(value.trim())) return refuse("is not a user name (letters, digits, '.', '_', '@', '-')");
  return value.trim();
});

/** A reviewer: { "user": "pat", "sequence": 1 }, or the same written "pat:1" (or "pat" for sequence 1). */
const REVIEWER = z.preprocess(
  (raw, ctx) => {
    if (typeof raw !== 'string') return raw;
    const [user, sequence, extra] = raw.split(':');
    if (extra === undefined) return sequence === undefined ? { user } : { user, sequence };
    complain(ctx, refuse('is not USER or USER:SEQUENCE'), { input: raw });
    return z.NEVER;
  },
  z.strictObject({ user: USER, sequence: wholeNumber(1, 1) }, says({ wrongType: 'is not a reviewer ({"user": "pat", "sequence": 1})' })),
);

const ROUTING_RULE = z.strictObject(
  {
    id: unlisted(z.unknown().optional()),
    name: requiredText('give the rule a name', NAME_LIMIT),
    active: flag(true),
    priority: wholeNumber(-Infinity, 0),
    exclusive: flag(false),
    routingGroup: optionalText(),
    match: MATCH.nullish(),
    reviewers: z
      .array(REVIEWER, says({ missing: 'is missing — give at least one reviewer' }))
      .min(1, { error: (issue) => sentence(issue.path, null, 'is empty — give at least one reviewer') }),
  },
  says({ wrongType: 'is not a rule object' }),
);

// ---- validation rules ----

const VALIDATION_RULE = z
  .strictObject(
    {
      id: unlisted(z.unknown().optional()),
      name: requiredText('give the rule a name', NAME_LIMIT),
      active: flag(true),
      field: requiredText('give the invoice field to check (e.g. description or line.costCode)'),
      condition: requiredText('give the condition (required, equals, not-equals, matches, min, max, one-of)'),
      value: optionalText(),
      message: requiredText('give the message a clerk sees when the rule fails'),
      level: choice(VALIDATION_LEVELS, 'before-routing'),
      action: choice(['warning', 'error'] as const, 'error', 'is not warning or error'),
    },
    says({ wrongType: 'is not a rule object' }),
  )
  .transform(({ id: _id, ...rule }, ctx): NewValidationRule => {
    const condition = rule.condition.toLowerCase();
    const problem = customRuleProblem({ field: rule.field, condition, value: rule.value });
    if (!problem) return { ...rule, condition };
    complain(ctx, refuse(problem, { whole: true }));
    return z.NEVER;
  });

// ---- options and the file ----

// A null option reads as false, as it always has.
const option = () => z.boolean().nullish().transform((value) => (value === undefined ? undefined : value === true));

const OPTIONS = z
  .strictObject({ closedJobIsWarning: option(), allowZeroInvoices: option() }, says({ wrongType: 'is not an object' }))
  .transform((given): Partial<RuleOptions> => {
    const options: Partial<RuleOptions> = {};
    if (given.closedJobIsWarning !== undefined) options.closedJobIsWarning = given.closedJobIsWarning;
    if (given.allowZeroInvoices !== undefined) options.allowZeroInvoices = given.allowZeroInvoices;
    return options;
  });

const FILE_FIELDS = ['routing', 'validation', 'options'] as const;
const list = (key: string) => z.array(z.unknown(), { error: () => `the rules file's "${key}" is not a list` }).nullish();

const RULES_FILE = z
  .strictObject(
    { routing: list('routing'), validation: list('validation'), options: z.unknown().optional() },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `the rules file has an unknown field '${issue.keys[0]}' (fields: ${FILE_FIELDS.join(', ')})`
          : issue.code === 'invalid_type' && (issue.path ?? []).length === 0
            ? 'the rules file must hold a list of routing rules or an object with "routing", "validation" and "options"'
            : undefined,
    },
  )
  .transform((file, ctx) => {
    if (file.routing || file.validation || file.options !== undefined) return file;
    complain(ctx, refuse('the rules file has no "routing" or "validation" list and no "options"', { whole: true }));
    return z.NEVER;
  });

// ---- reading them ----

function where(kind: 'rule' | 'validation rule', index: number | null, raw: unknown): string {
  const name = typeof raw === 'object' && raw !== null && 'name' in raw && typeof raw.name === 'string' && raw.name.trim() ? ` '${raw.name.trim()}'` : '';
  return index === null ? `${kind}${name}` : `${kind} ${index + 1}${name}`;
}

function read<T>(schema: z.ZodType<T>, raw: unknown, place: string | null): T {
  const checked = check(schema, raw);
  if (checked.ok) return checked.value;
  throw new UserError(place ? `${place}: ${checked.problem}` : checked.problem);
}

/** Checks one routing rule of a rules file; `index` counts from 0 (null: a rule given alone). */
export function parseRoutingRule(raw: unknown, index: number | null = null): NewRoutingRule {
  const rule = read(ROUTING_RULE, raw, where('rule', index, raw));
  return {
    name: rule.name,
    active: rule.active,
    priority: rule.priority,
    exclusive: rule.exclusive,
    routingGroup: rule.routingGroup ?? DEFAULT_ROUTING_GROUP,
    match: rule.match ?? {},
    reviewers: rule.reviewers,
  };
}

/** Checks one custom validation rule of a rules file; `index` counts from 0. */
export function parseValidationRule(raw: unknown, index: number | null = null): NewValidationRule {
  return read(VALIDATION_RULE, raw, where('validation rule', index, raw));
}

export interface RulesFile {
  routing: NewRoutingRule[] | null;
  validation: NewValidationRule[] | null;
  options: Partial<RuleOptions> | null;
}

/** A rules file: a list of routing rules, or { routing, validation, options }. */
export function parseRulesFile(text: string): RulesFile {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UserError(`the rules file is not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (Array.isArray(data)) return uniqueNames({ routing: data.map((rule, index) => parseRoutingRule(rule, index)), validation: null, options: null });
  const file = read(RULES_FILE, data, null);
  return uniqueNames({
    routing: file.routing ? file.routing.map((rule, index) => parseRoutingRule(rule, index)) : null,
    validation: file.validation ? file.validation.map((rule, index) => parseValidationRule(rule, index)) : null,
    options: file.options === undefined || file.options === null ? null : read(OPTIONS, file.options, 'options'),
  });
}

function uniqueNames(file: RulesFile): RulesFile {
  const names = new Map<string, string>();
  for (const [kind, rules] of [['rule', file.routing ?? []], ['validation rule', file.validation ?? []]] as const) {
    rules.forEach((rule, index) => {
      const key = rule.name.toLowerCase();
      const earlier = names.get(key);
      if (earlier) throw new UserError(`${kind} ${index + 1} '${rule.name}': the file already has a rule named ${earlier} — rule names are unique per vault`);
      names.set(key, `'${rule.name}' (${kind} ${index + 1})`);
    });
  }
  return file;
}
