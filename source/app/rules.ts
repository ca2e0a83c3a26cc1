// A vault's routing and custom validation rules: list, add, remove, import from a JSON rules
// file, and the validation options. Changing them is admin work; anyone may list them.
//
// Decisions (see also `apdesk help rules import`):
// - rule names are unique per vault across both lists, compared case-insensitively;
// - import adds by default and refuses a name already in the vault; --replace swaps the lists
//   the file has (a file of routing rules only leaves the validation rules alone);
// - a file or a rule is checked whole before anything is saved: one bad rule, nothing saved;
// - reviewers need not be apdesk users yet (rules are often written before people are added):
//   unknown users, and users without the reviewer role, come back as warnings.
import { UserError } from '../domain/errors.js';
import { formatMoney, MoneyError, parseMoney, type Cents } from '../domain/money.js';
import {
  emptyVaultRules,
  VALIDATION_LEVELS,
  type CustomValidationRule,
  type RoutingMatch,
  type RoutingRule,
  type RuleReviewer,
  type ValidationLevel,
  type VaultRules,
} from '../domain/rules.js';
import { customRuleProblem } from '../domain/validation.js';
import { requireAdmin, requireVault, type User, type Vault } from '../domain/vault.js';
import type { DeskContext } from './context.js';

type Json = Record<string, unknown>;
type NewRoutingRule = Omit<RoutingRule, 'id'>;
type NewValidationRule = Omit<CustomValidationRule, 'id'>;
export type RuleOptions = VaultRules['options'];

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
const ROUTING_KEYS = ['id', 'name', 'active', 'priority', 'exclusive', 'routingGroup', 'match', 'reviewers'];
const MATCH_KEYS = ['job', 'costCode', 'vendor', 'commitmentType', 'minAmount', 'maxAmount'];
const VALIDATION_KEYS = ['id', 'name', 'active', 'field', 'condition', 'value', 'message', 'level', 'action'];
const OPTION_KEYS = ['closedJobIsWarning', 'allowZeroInvoices'];
const FILE_KEYS = ['routing', 'validation', 'options'];

// ---- parsing rules, with reasons that name the rule and the field ----

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}

class RuleReader {
  constructor(private readonly where: string) {}

  fail(reason: string): never {
    throw new UserError(`${this.where}: ${reason}`);
  }

  onlyKeys(record: Json, known: readonly string[], prefix = ''): void {
    const unknown = Object.keys(record).find((key) => !known.includes(key));
    if (unknown !== undefined) this.fail(`unknown field '${prefix}${unknown}' (fields: ${known.filter((key) => key !== 'id').map((key) => prefix + key).join(', ')})`);
  }

  boolean(record: Json, key: string, fallback: boolean): boolean {
    const value = record[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(`${key} ${shown(value)} is not true or false`);
    return value;
  }

  /** A trimmed, non-empty text (a JSON number is taken as its digits), or null when absent. */
  optionalText(record: Json, key: string, field = key): string | null {
    const value = record[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value !== 'string') this.fail(`${field} ${shown(value)} is not text`);
    if (/[\u0000-\u001f\u007f]/.test(value)) this.fail(`${field} contains control characters`);
    return value.trim() || null;
  }

  text(record: Json, key: string, what: string): string {
    return this.optionalText(record, key) ?? this.fail(`${key} is missing — give the ${what}`);
  }

  wholeNumber(value: unknown, field: string, min: number): number {
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min) {
      this.fail(`${field} ${shown(value)} is not a whole number${min > -Infinity ? ` from ${min}` : ''}`);
    }
    return number;
  }

  amount(record: Json, key: string, field: string): Cents | null {
    const value = record[key];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string' && typeof value !== 'number') this.fail(`${field} ${shown(value)} is not a decimal amount`);
    try {
      return parseMoney(value, field);
    } catch (error) {
      if (error instanceof MoneyError) this.fail(`${field} ${shown(value)} is not a decimal amount (write it like 50000.00)`);
      throw error;
    }
  }
}

function ruleName(read: RuleReader, record: Json): string {
  const name = read.text(record, 'name', 'rule a name');
  if (name.length > NAME_LIMIT) read.fail(`name is longer than ${NAME_LIMIT} characters`);
  return name;
}

function where(kind: 'rule' | 'validation rule', index: number | null, raw: unknown): string {
  const name = isObject(raw) && typeof raw.name === 'string' && raw.name.trim() ? ` '${raw.name.trim()}'` : '';
  return index === null ? `${kind}${name}` : `${kind} ${index + 1}${name}`;
}

function parseReviewer(read: RuleReader, raw: unknown, index: number): RuleReviewer {
  const field = `reviewers[${index}]`;
  let user: unknown;
  let sequence: unknown = 1;
  if (typeof raw === 'string') {
    const [name, seq, extra] = raw.split(':');
    if (extra !== undefined) read.fail(`${field} '${raw}' is not USER or USER:SEQUENCE`);
    user = name;
    if (seq !== undefined) sequence = seq;
  } else if (isObject(raw)) {
    read.onlyKeys(raw, ['user', 'sequence'], `${field}.`);
    user = raw.user;
    if (raw.sequence !== undefined && raw.sequence !== null) sequence = raw.sequence;
  } else {
    read.fail(`${field} ${shown(raw)} is not a reviewer ({"user": "pat", "sequence": 1})`);
  }
  if (typeof user !== 'string' || !user.trim()) read.fail(`${field}.user is missing — name the reviewer`);
  if (!USER_NAME.test(user.trim())) read.fail(`${field}.user '${user}' is not a user name (letters, digits, '.', '_', '@', '-')`);
  return { user: user.trim(), sequence: read.wholeNumber(sequence, `${field}.sequence`, 1) };
}

/** Checks one routing rule of a rules file; `index` counts from 0 (null: a rule given alone). */
export function parseRoutingRule(raw: unknown, index: number | null = null): NewRoutingRule {
  const read: RuleReader = new RuleReader(where('rule', index, raw));
  if (!isObject(raw)) return read.fail(`${shown(raw)} is not a rule object`);
  read.onlyKeys(raw, ROUTING_KEYS);
  const name = ruleName(read, raw);

  const match: RoutingMatch = {};
  if (raw.match !== undefined && raw.match !== null) {
    if (!isObject(raw.match)) read.fail(`match ${shown(raw.match)} is not an object`);
    const source = raw.match;
    read.onlyKeys(source, MATCH_KEYS, 'match.');
    const job = read.optionalText(source, 'job', 'match.job');
    const costCode = read.optionalText(source, 'costCode', 'match.costCode');
    const vendor = read.optionalText(source, 'vendor', 'match.vendor');
    const type = read.optionalText(source, 'commitmentType', 'match.commitmentType');
    if (job) match.job = job;
    if (costCode) match.costCode = costCode;
    if (vendor) match.vendor = vendor;
    if (type) {
      const known = COMMITMENT_TYPES.find((candidate) => candidate === type.toLowerCase());
      if (!known) read.fail(`match.commitmentType '${type}' is not one of: ${COMMITMENT_TYPES.join(', ')}`);
      match.commitmentType = known;
    }
    const min = read.amount(source, 'minAmount', 'match.minAmount');
    const max = read.amount(source, 'maxAmount', 'match.maxAmount');
    if (min !== null && max !== null && min > max) read.fail(`match.minAmount ${formatMoney(min)} is above match.maxAmount ${formatMoney(max)}`);
    if (min !== null) match.minAmount = min;
    if (max !== null) match.maxAmount = max;
  }

  if (!Array.isArray(raw.reviewers) || raw.reviewers.length === 0) {
    read.fail(raw.reviewers === undefined ? 'reviewers is missing — give at least one reviewer' : 'reviewers is empty — give at least one reviewer');
  }
  const reviewers = raw.reviewers.map((reviewer, n) => parseReviewer(read, reviewer, n));

  return {
    name,
    active: read.boolean(raw, 'active', true),
    priority: raw.priority === undefined || raw.priority === null ? 0 : read.wholeNumber(raw.priority, 'priority', -Infinity),
    exclusive: read.boolean(raw, 'exclusive', false),
    routingGroup: read.optionalText(raw, 'routingGroup') ?? DEFAULT_ROUTING_GROUP,
    match,
    reviewers,
  };
}

/** Checks one custom validation rule of a rules file; `index` counts from 0. */
export function parseValidationRule(raw: unknown, index: number | null = null): NewValidationRule {
  const read: RuleReader = new RuleReader(where('validation rule', index, raw));
  if (!isObject(raw)) return read.fail(`${shown(raw)} is not a rule object`);
  read.onlyKeys(raw, VALIDATION_KEYS);
  const name = ruleName(read, raw);
  const field = read.text(raw, 'field', 'invoice field to check (e.g. description or line.costCode)');
  const condition = read.text(raw, 'condition', 'condition (required, equals, not-equals, matches, min, max, one-of)').toLowerCase();
  const value = read.optionalText(raw, 'value');
  const message = read.text(raw, 'message', 'message a clerk sees when the rule fails');
  const level = read.optionalText(raw, 'level') ?? 'before-routing';
  if (!(VALIDATION_LEVELS as readonly string[]).includes(level)) read.fail(`level '${level}' is not one of: ${VALIDATION_LEVELS.join(', ')}`);
  const action = read.optionalText(raw, 'action') ?? 'error';
  if (action !== 'warning' && action !== 'error') read.fail(`action '${action}' is not warning or error`);
  const problem = customRuleProblem({ field, condition, value });
  if (problem) read.fail(problem);
  return { name, active: read.boolean(raw, 'active', true), field, condition, value, message, level: level as ValidationLevel, action };
}

function parseOptions(raw: unknown): Partial<RuleOptions> {
  const read: RuleReader = new RuleReader('options');
  if (!isObject(raw)) return read.fail(`${shown(raw)} is not an object`);
  read.onlyKeys(raw, OPTION_KEYS);
  const options: Partial<RuleOptions> = {};
  if (raw.closedJobIsWarning !== undefined) options.closedJobIsWarning = read.boolean(raw, 'closedJobIsWarning', false);
  if (raw.allowZeroInvoices !== undefined) options.allowZeroInvoices = read.boolean(raw, 'allowZeroInvoices', false);
  return options;
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
  if (!isObject(data)) throw new UserError('the rules file must hold a list of routing rules or an object with "routing", "validation" and "options"');
  const unknown = Object.keys(data).find((key) => !FILE_KEYS.includes(key));
  if (unknown !== undefined) throw new UserError(`the rules file has an unknown field '${unknown}' (fields: ${FILE_KEYS.join(', ')})`);
  const list = (key: 'routing' | 'validation') => {
    const value = data[key];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) throw new UserError(`the rules file's "${key}" is not a list`);
    return value;
  };
  const routing = list('routing');
  const validation = list('validation');
  if (!routing && !validation && data.options === undefined) throw new UserError('the rules file has no "routing" or "validation" list and no "options"');
  return uniqueNames({
    routing: routing ? routing.map((rule, index) => parseRoutingRule(rule, index)) : null,
    validation: validation ? validation.map((rule, index) => parseValidationRule(rule, index)) : null,
    options: data.options === undefined || data.options === null ? null : parseOptions(data.options),
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

/** The vault's rules in the rules-file shape (amounts as decimal strings): `rules list --json` output imports back. */
export function rulesFileOf(rules: VaultRules) {
  return {
    routing: rules.routing.map((rule) => ({
      id: rule.id,
      name: rule.name,
      active: rule.active,
      priority: rule.priority,
      exclusive: rule.exclusive,
      routingGroup: rule.routingGroup,
      match: {
        ...rule.match,
        ...(rule.match.minAmount !== undefined ? { minAmount: rule.match.minAmount === null ? null : formatMoney(rule.match.minAmount) } : {}),
        ...(rule.match.maxAmount !== undefined ? { maxAmount: rule.match.maxAmount === null ? null : formatMoney(rule.match.maxAmount) } : {}),
      },
      reviewers: rule.reviewers.map((reviewer) => ({ ...reviewer })),
    })),
    validation: rules.validation.map((rule) => ({ ...rule })),
    options: { ...rules.options },
  };
}

// ---- the services ----

function rulesOf(vault: Vault): VaultRules {
  vault.rules ??= emptyVaultRules();
  return vault.rules;
}

/** The next id of a kind: one above the highest in use, so a removed rule's id is not soon reused. */
function nextId(prefix: 'R' | 'V', taken: readonly { id: string }[]): string {
  const highest = Math.max(0, ...taken.map((rule) => (rule.id.startsWith(prefix) ? Number(rule.id.slice(1)) : 0)).filter(Number.isFinite));
  return `${prefix}${highest + 1}`;
}

function requireFreeName(rules: VaultRules, vault: Vault, name: string, where: string): void {
  const clash = [...rules.routing, ...rules.validation].find((rule) => rule.name.toLowerCase() === name.toLowerCase());
  if (clash) {
    throw new UserError(
      `${where}: vault '${vault.name}' already has a rule named '${clash.name}' (${clash.id}) — rename it, remove the old one (\`apdesk rules remove --vault ${vault.id} ${clash.id}\`), or import with --replace`,
    );
  }
}

/** Warnings about reviewers who are not apdesk users, or who lack the reviewer role. */
function reviewerWarnings(users: readonly User[], rules: readonly NewRoutingRule[]): string[] {
  const named = [...new Set(rules.flatMap((rule) => rule.reviewers.map((reviewer) => reviewer.user)))];
  const unknown = named.filter((name) => !users.some((user) => user.name === name));
  const noRole = named.filter((name) => users.some((user) => user.name === name && !user.roles.includes('reviewer')));
  const warnings: string[] = [];
  if (unknown.length) {
    warnings.push(`reviewer${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `'${name}'`).join(', ')} ${unknown.length > 1 ? 'are not apdesk users' : 'is not an apdesk user'} yet — add them with \`apdesk user add NAME --role reviewer\` before routing`);
  }
  if (noRole.length) {
    warnings.push(`${noRole.map((name) => `'${name}'`).join(', ')} ${noRole.length > 1 ? 'have' : 'has'} no reviewer role — give it with \`apdesk user add NAME --role reviewer\` (keeping their other roles)`);
  }
  return warnings;
}

export interface ListedRules {
  vault: Vault;
  rules: VaultRules;
}

export async function listRules(desk: DeskContext, vaultRef: string): Promise<ListedRules> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  return { vault, rules: vault.rules ?? emptyVaultRules() };
}

export async function addRoutingRule(
  desk: DeskContext,
  vaultRef: string,
  input: RoutingRuleInput,
): Promise<{ vault: Vault; rule: RoutingRule; warnings: string[] }> {
  const parsed = parseRoutingRule(input);
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'change routing rules');
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const rules = rulesOf(vault);
    requireFreeName(rules, vault, parsed.name, `rule '${parsed.name}'`);
    const rule: RoutingRule = { id: nextId('R', rules.routing), ...parsed };
    rules.routing.push(rule);
    return { vault, rule, warnings: reviewerWarnings(tx.settings.users, [rule]) };
  });
}

export async function addValidationRule(
  desk: DeskContext,
  vaultRef: string,
  input: ValidationRuleInput,
): Promise<{ vault: Vault; rule: CustomValidationRule }> {
  const parsed = parseValidationRule(input);
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'change validation rules');
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const rules = rulesOf(vault);
    requireFreeName(rules, vault, parsed.name, `validation rule '${parsed.name}'`);
    const rule: CustomValidationRule = { id: nextId('V', rules.validation), ...parsed };
    rules.validation.push(rule);
    return { vault, rule };
  });
}

export type RemovedRule = { kind: 'routing'; rule: RoutingRule } | { kind: 'validation'; rule: CustomValidationRule };

/** Removes one rule, named by its id (R3, V1) or its name, in any case. */
export async function removeRule(desk: DeskContext, vaultRef: string, idOrName: string): Promise<{ vault: Vault; removed: RemovedRule }> {
  const wanted = idOrName.trim().toLowerCase();
  if (!wanted) throw new UserError('say which rule to remove, by id or name (see `apdesk rules list`)');
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'remove rules');
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const rules = rulesOf(vault);
    const all: RemovedRule[] = [
      ...rules.routing.map((rule) => ({ kind: 'routing', rule }) as const),
      ...rules.validation.map((rule) => ({ kind: 'validation', rule }) as const),
    ];
    const found = all.find((entry) => entry.rule.id.toLowerCase() === wanted) ?? all.find((entry) => entry.rule.name.toLowerCase() === wanted);
    if (!found) {
      throw new UserError(
        all.length
          ? `vault '${vault.name}' has no rule '${idOrName.trim()}' — its rules: ${all.map((entry) => `${entry.rule.id} '${entry.rule.name}'`).join(', ')}`
          : `vault '${vault.name}' has no rules yet`,
      );
    }
    if (found.kind === 'routing') rules.routing = rules.routing.filter((rule) => rule !== found.rule);
    else rules.validation = rules.validation.filter((rule) => rule !== found.rule);
    return { vault, removed: found };
  });
}

export interface ImportOutcome {
  vault: Vault;
  replaced: boolean;
  routing: number;
  validation: number;
  options: RuleOptions;
  warnings: string[];
}

/** Imports a rules file, all or nothing. Without `replace` the rules are added beside the vault's. */
export async function importRules(desk: DeskContext, vaultRef: string, fileText: string, options: { replace?: boolean } = {}): Promise<ImportOutcome> {
  const file = parseRulesFile(fileText);
  const replace = options.replace === true;
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'import rules');
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const rules = rulesOf(vault);
    if (replace) {
      if (file.routing) rules.routing = [];
      if (file.validation) rules.validation = [];
    }
    (file.routing ?? []).forEach((rule, index) => {
      requireFreeName(rules, vault, rule.name, `rule ${index + 1} '${rule.name}'`);
      rules.routing.push({ id: nextId('R', rules.routing), ...rule });
    });
    (file.validation ?? []).forEach((rule, index) => {
      requireFreeName(rules, vault, rule.name, `validation rule ${index + 1} '${rule.name}'`);
      rules.validation.push({ id: nextId('V', rules.validation), ...rule });
    });
    if (file.options) rules.options = { ...rules.options, ...file.options };
    return {
      vault,
      replaced: replace,
      routing: file.routing?.length ?? 0,
      validation: file.validation?.length ?? 0,
      options: { ...rules.options },
      warnings: reviewerWarnings(tx.settings.users, file.routing ?? []),
    };
  });
}

export async function setRuleOptions(desk: DeskContext, vaultRef: string, change: Partial<RuleOptions>): Promise<{ vault: Vault; options: RuleOptions }> {
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'change validation options');
    const vault = requireVault(tx.settings.vaults, vaultRef);
    const rules = rulesOf(vault);
    if (change.closedJobIsWarning !== undefined) rules.options.closedJobIsWarning = change.closedJobIsWarning;
    if (change.allowZeroInvoices !== undefined) rules.options.allowZeroInvoices = change.allowZeroInvoices;
    return { vault, options: { ...rules.options } };
  });
}
