// `apdesk rules …`: a vault's routing rules (who reviews which lines), custom validation rules
// and validation options — list, add, remove, import a JSON rules file.
import { readFile } from 'node:fs/promises';
import {
  rulesFileOf,
  type RoutingRuleInput,
  type RuleOptions,
  type ValidationRuleInput,
} from '../app/rules.js';
import { UsageError, UserError } from '../domain/errors.js';
import { displayMoney } from '../domain/money.js';
import { parseOnOff } from '../domain/procore-config.js';
import { emptyVaultRules, type RoutingRule, type VaultRules } from '../domain/rules.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, type CommandContext, flagValue } from './command.js';
import { oneLine, table } from './format.js';

function describeMatch(rule: RoutingRule): string {
  const { job, costCode, vendor, commitmentType, minAmount, maxAmount } = rule.match;
  const parts = [
    job ? `job ${job}` : null,
    costCode ? `cost code ${costCode}` : null,
    vendor ? `vendor ${vendor}` : null,
    commitmentType ? commitmentType : null,
    (minAmount ?? null) !== null || (maxAmount ?? null) !== null
      ? `${minAmount != null ? displayMoney(minAmount) : '$0'}–${maxAmount != null ? displayMoney(maxAmount) : 'any'}`
      : null,
  ].filter((part): part is string => part !== null);
  return parts.length ? oneLine(parts.join(', ')) : 'every line';
}

function describeOptions(options: RuleOptions): string {
  return `Options: a closed job is ${options.closedJobIsWarning ? 'a warning' : 'an error'}; $0 invoices are ${options.allowZeroInvoices ? 'allowed' : 'refused'}.`;
}

function rulesText(rules: VaultRules, vaultId: string): string {
  const parts: string[] = [];
  if (rules.routing.length) {
    parts.push(
      'Routing rules (an exclusive rule of the highest priority replaces the others on a line):',
      table(
        ['ID', 'NAME', 'ACTIVE', 'PRIORITY', 'EXCLUSIVE', 'GROUP', 'MATCH', 'REVIEWERS'],
        rules.routing.map((rule) => [
          rule.id,
          oneLine(rule.name),
          rule.active ? 'yes' : 'no',
          String(rule.priority),
          rule.exclusive ? 'yes' : 'no',
          oneLine(rule.routingGroup),
          describeMatch(rule),
          rule.reviewers.map((reviewer) => `${reviewer.user}:${reviewer.sequence}`).join(', '),
        ]),
      ),
    );
  } else {
    parts.push(`No routing rules. Add one: apdesk rules add --vault ${vaultId} --name NAME --reviewer USER[:SEQ] [--cost-code 03-*]`);
  }
  if (rules.validation.length) {
    parts.push(
      '',
      'Validation rules:',
      table(
        ['ID', 'NAME', 'ACTIVE', 'LEVEL', 'ACTION', 'CHECK', 'MESSAGE'],
        rules.validation.map((rule) => [
          rule.id,
          oneLine(rule.name),
          rule.active ? 'yes' : 'no',
          rule.level,
          rule.action,
          oneLine(`${rule.field} ${rule.condition}${rule.value !== null ? ` ${rule.value}` : ''}`),
          oneLine(rule.message),
        ]),
      ),
    );
  }
  parts.push('', describeOptions(rules.options));
  return parts.join('\n');
}

function warn(ctx: CommandContext, warnings: readonly string[]): void {
  for (const warning of warnings) ctx.note(`apdesk: warning: ${warning}`);
}

export const rulesListCommand: Command = {
  path: ['rules', 'list'],
  summary: "List a vault's routing and validation rules",
  usage: 'apdesk rules list --vault VAULT [--json]',
  details: 'With --json it prints a rules file (amounts as decimal strings) that `apdesk rules import` reads back.',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const { vault, rules } = await (await ctx.desk()).rules.list(requiredVault(ctx, this.usage));
    if (ctx.json) return printJson(ctx, rulesFileOf(rules));
    ctx.out(rulesText(rules, vault.id));
  },
};

const ROUTING_FLAGS = ['reviewer', 'job', 'cost-code', 'vendor', 'commitment-type', 'min-amount', 'max-amount', 'priority', 'exclusive', 'group'];
const VALIDATION_FLAGS = ['field', 'condition', 'value', 'message', 'level', 'action'];

export const rulesAddCommand: Command = {
  path: ['rules', 'add'],
  summary: 'Add a routing rule, or with --validation a custom validation rule',
  usage:
    'apdesk rules add --vault VAULT --name NAME --reviewer USER[:SEQ]... [--job J] [--cost-code P] [--vendor V] [--commitment-type T] [--min-amount N] [--max-amount N] [--priority N] [--exclusive] [--group G] [--inactive] | --validation --field FIELD --condition C [--value V] --message TEXT [--level L] [--action A]',
  details: [
    'Routing: every match flag is optional and all must hold. --cost-code takes * wildcards (03-*); amounts are',
    'inclusive bounds on the line amount. The highest --priority exclusive rule that matches a line replaces all',
    'other rules for that line (ties: the rule listed first); otherwise every matching rule adds its reviewers.',
    'Reviewers with a lower sequence review first; reviewers need not be apdesk users yet (you get a warning).',
    'Validation: FIELD is an invoice field (vendor, invoiceNumber, invoiceDate, dueDate, total, retainage,',
    'description, processor) or line.FIELD (line.job, line.costCode, line.category, line.commitment, line.amount, …).',
    'CONDITION: required, equals, not-equals, matches (regular expression), min, max (amounts or dates), one-of (a,b,c).',
    'Empty fields fail only `required`. Text compares case-insensitively.',
  ].join('\n'),
  options: {
    ...VAULT_OPTION,
    name: { type: 'string', value: 'NAME', description: 'the rule name (unique in the vault)' },
    reviewer: { type: 'string', multiple: true, value: 'USER[:SEQ]', description: 'a reviewer and their sequence (default 1); repeatable' },
    job: { type: 'string', value: 'JOB', description: 'match lines of this job' },
    'cost-code': { type: 'string', value: 'PATTERN', description: 'match cost codes, * is a wildcard (03-*)' },
    vendor: { type: 'string', value: 'CODE', description: "match invoices of this vendor (the accounting system's code)" },
    'commitment-type': { type: 'string', value: 'TYPE', description: 'subcontract or purchase-order' },
    'min-amount': { type: 'string', value: 'AMOUNT', description: 'match lines of at least this amount, e.g. 50000.00' },
    'max-amount': { type: 'string', value: 'AMOUNT', description: 'match lines of at most this amount' },
    priority: { type: 'string', value: 'N', description: 'a whole number; the larger wins among exclusive rules (default 0)' },
    exclusive: { type: 'boolean', description: 'this rule alone routes the lines it matches' },
    group: { type: 'string', value: 'NAME', description: 'the routing group (default Default)' },
    inactive: { type: 'boolean', description: 'add the rule switched off' },
    validation: { type: 'boolean', description: 'add a custom validation rule instead' },
    field: { type: 'string', value: 'FIELD', description: 'validation: the field to check, e.g. description or line.costCode' },
    condition: { type: 'string', value: 'CONDITION', description: 'validation: required, equals, not-equals, matches, min, max, one-of' },
    value: { type: 'string', value: 'VALUE', description: 'validation: what the condition compares with' },
    message: { type: 'string', value: 'TEXT', description: 'validation: what a clerk reads when the rule fails' },
    level: { type: 'string', value: 'LEVEL', description: 'validation: before-routing (default) or before-approving' },
    action: { type: 'string', value: 'ACTION', description: 'validation: error (default, blocks) or warning' },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const text = (flag: string) => stringOption(ctx.values, flag);
    const name = text('name');
    if (name === undefined) throw new UsageError('give the rule a --name — see `apdesk help rules add`');
    const given = (flags: readonly string[]) => flags.filter((flag) => ctx.values[flag] !== undefined);
    const active = ctx.values.inactive !== true;
    const desk = await ctx.desk();

    if (ctx.values.validation === true) {
      const stray = given(ROUTING_FLAGS);
      if (stray.length) throw new UsageError(`--${stray[0]} is for routing rules, not with --validation`);
      const input: ValidationRuleInput = {
        name,
        active,
        field: text('field') ?? '',
        condition: text('condition') ?? '',
        value: text('value') ?? null,
        message: text('message') ?? '',
        ...(text('level') !== undefined ? { level: text('level')! } : {}),
        ...(text('action') !== undefined ? { action: text('action')! } : {}),
      };
      const { rule } = await desk.rules.addValidation(vault, input);
      if (ctx.json) return printJson(ctx, rule);
      return ctx.out(`Added validation rule ${rule.id} '${rule.name}' (${rule.level}, ${rule.action}).`);
    }

    const stray = given(VALIDATION_FLAGS);
    if (stray.length) throw new UsageError(`--${stray[0]} is for validation rules: add --validation`);
    const reviewers = ctx.values.reviewer;
    const match: NonNullable<RoutingRuleInput['match']> = {};
    const matchFlags = [['job', 'job'], ['cost-code', 'costCode'], ['vendor', 'vendor'], ['commitment-type', 'commitmentType'], ['min-amount', 'minAmount'], ['max-amount', 'maxAmount']] as const;
    for (const [flag, key] of matchFlags) {
      const value = text(flag);
      if (value !== undefined) match[key] = value;
    }
    const input: RoutingRuleInput = {
      name,
      active,
      exclusive: ctx.values.exclusive === true,
      match,
      reviewers: Array.isArray(reviewers) ? reviewers : [],
      ...(text('priority') !== undefined ? { priority: text('priority')! } : {}),
      ...(text('group') !== undefined ? { routingGroup: text('group')! } : {}),
    };
    const { rule, warnings } = await desk.rules.addRouting(vault, input);
    warn(ctx, warnings);
    if (ctx.json) return printJson(ctx, rulesFileOf({ ...emptyVaultRules(), routing: [rule] }).routing[0]);
    ctx.out(`Added routing rule ${rule.id} '${rule.name}': ${describeMatch(rule)} → ${rule.reviewers.map((r) => `${r.user}:${r.sequence}`).join(', ')}.`);
  },
};

export const rulesRemoveCommand: Command = {
  path: ['rules', 'remove'],
  summary: 'Remove a routing or validation rule',
  usage: 'apdesk rules remove --vault VAULT NAME|ID',
  options: VAULT_OPTION,
  positionals: { min: 1, max: 1, names: 'NAME|ID' },
  json: true,
  async run(ctx) {
    const { removed } = await (await ctx.desk()).rules.remove(requiredVault(ctx, this.usage), ctx.positionals[0] ?? '');
    if (ctx.json) return printJson(ctx, { kind: removed.kind, id: removed.rule.id, name: removed.rule.name });
    ctx.out(`Removed ${removed.kind} rule ${removed.rule.id} '${removed.rule.name}'.`);
  },
};

export const rulesImportCommand: Command = {
  path: ['rules', 'import'],
  summary: 'Import routing and validation rules from a JSON file',
  usage: 'apdesk rules import --vault VAULT FILE [--replace]',
  details: [
    'FILE is a list of routing rules, or {"routing": [...], "validation": [...], "options": {...}}, e.g.',
    '  [{"name": "Concrete over 50k", "priority": 10, "exclusive": true, "match": {"job": "2301", "costCode": "03-*",',
    '    "minAmount": "50000.00"}, "reviewers": [{"user": "pat", "sequence": 1}, {"user": "lee", "sequence": 2}]}]',
    'Amounts are decimal strings. The whole file is checked first: one bad rule and nothing is imported.',
    'Without --replace the rules are added to the vault\'s (a name already in the vault is refused);',
    'with --replace each list the file has replaces the vault\'s list. `apdesk rules list --json` writes such a file.',
  ].join('\n'),
  options: { ...VAULT_OPTION, replace: { type: 'boolean', description: "replace the vault's lists with the file's" } },
  positionals: { min: 1, max: 1, names: 'FILE' },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const path = ctx.positionals[0] ?? '';
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(`cannot read the rules file '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
    }
    const outcome = await (await ctx.desk()).rules.import(vault, text, { replace: ctx.values.replace === true });
    warn(ctx, outcome.warnings);
    if (ctx.json) {
      return printJson(ctx, { vault: outcome.vault.id, replaced: outcome.replaced, routing: outcome.routing, validation: outcome.validation, options: outcome.options, warnings: outcome.warnings });
    }
    const count = (n: number, what: string) => `${n} ${what} rule${n === 1 ? '' : 's'}`;
    ctx.out(
      `${outcome.replaced ? 'Replaced with' : 'Imported'} ${count(outcome.routing, 'routing')} and ${count(outcome.validation, 'validation')} into vault '${outcome.vault.name}'. ${describeOptions(outcome.options)}`,
    );
  },
};

export const rulesOptionsCommand: Command = {
  path: ['rules', 'options'],
  summary: "Show or set a vault's validation options",
  usage: 'apdesk rules options --vault VAULT [--closed-job-warning on|off] [--allow-zero on|off]',
  options: {
    ...VAULT_OPTION,
    'closed-job-warning': { type: 'string', value: 'on|off', description: 'a closed job is a warning instead of an error' },
    'allow-zero': { type: 'string', value: 'on|off', description: 'accept $0 invoices' },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const closed = stringOption(ctx.values, 'closed-job-warning');
    const zero = stringOption(ctx.values, 'allow-zero');
    const desk = await ctx.desk();
    const options =
      closed === undefined && zero === undefined
        ? (await desk.rules.list(vault)).rules.options
        : (
            await desk.rules.setOptions(vault, {
              ...(closed !== undefined ? { closedJobIsWarning: flagValue(() => parseOnOff(closed, 'closed-job-warning')) } : {}),
              ...(zero !== undefined ? { allowZeroInvoices: flagValue(() => parseOnOff(zero, 'allow-zero')) } : {}),
            })
          ).options;
    if (ctx.json) return printJson(ctx, options);
    ctx.out(describeOptions(options));
  },
};

/** The rules commands, in the order `apdesk --help` should list them. */
export const RULES_COMMANDS: readonly Command[] = [rulesListCommand, rulesAddCommand, rulesRemoveCommand, rulesImportCommand, rulesOptionsCommand];
