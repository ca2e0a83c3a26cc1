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
import { formatMoney } from '../domain/money.js';
import { emptyVaultRules, type CustomValidationRule, type RoutingRule, type VaultRules } from '../domain/rules.js';
import type { NewRoutingRule, RoutingRuleInput, ValidationRuleInput } from './rules-file.js';
import { requireAdmin, requireVault, type User, type Vault } from '../domain/vault.js';
import type { DeskContext } from './context.js';

/** The rule-file parser loads zod (~0.1 s): only the commands that change rules pay for it. */
const rulesFile = () => import('./rules-file.js');

export type RuleOptions = VaultRules['options'];

// Reading a rules file and `rules add` input is the edge's work, in rules-file.ts; its names stay on offer here.
export type { RoutingRuleInput, RulesFile, ValidationRuleInput } from './rules-file.js';

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
  const { parseRoutingRule } = await rulesFile();
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
  const { parseValidationRule } = await rulesFile();
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
  const { parseRulesFile } = await rulesFile();
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
