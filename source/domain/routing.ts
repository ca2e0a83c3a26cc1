// Routing: which reviewers each invoice line goes to, from the vault's routing rules.
// The highest-priority exclusive rule that matches a line replaces every other rule for that
// line; otherwise every matching rule adds its reviewers. A larger `priority` number wins; among
// exclusive rules of equal priority the one listed first in the vault wins (the order
// `apdesk rules list` shows), so the outcome never depends on anything but the rules.
import type { Invoice, InvoiceLine, LineReviewer } from './invoice.js';
import type { CommitmentType, Ledger } from './ledger.js';
import type { RoutingRule } from './rules.js';
import { codeKey, sameCode } from './validation.js';

export interface LineRouting {
  lineId: string;
  reviewers: LineReviewer[];
  /** Names of the rules applied. */
  rules: string[];
}

export interface RoutingOutcome {
  lines: LineRouting[];
  /** Line ids without a reviewer. */
  unmatched: string[];
}

function given(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** "03-*" → /^03-.*$/i: `*` is any run of characters, everything else is literal. */
export function costCodePattern(pattern: string): RegExp {
  const source = pattern
    .trim()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i');
}

/** A line's commitment type: its own type when it says, else the ledger's commitment's type. */
function commitmentTypeOf(line: InvoiceLine, ledger: Ledger | undefined): CommitmentType | null {
  if (line.type === 'subcontract' || line.type === 'purchase-order') return line.type;
  const code = given(line.commitment);
  if (!code || !ledger) return null;
  return ledger.commitments.find((commitment) => codeKey(commitment.code) === codeKey(code))?.type ?? null;
}

/**
 * Whether every match field the rule sets holds for the line (a rule with no match fields
 * matches every line). It does not look at `active`: routeLines skips inactive rules.
 * Amount bounds are inclusive and apply to the line amount.
 */
export function matchesLine(rule: RoutingRule, invoice: Invoice, line: InvoiceLine, ledger?: Ledger): boolean {
  const match = rule.match;
  const job = given(match.job);
  if (job && !sameCode(job, line.job)) return false;
  const costCode = given(match.costCode);
  if (costCode) {
    const lineCode = given(line.costCode);
    if (!lineCode || !costCodePattern(costCode).test(lineCode)) return false;
  }
  const vendor = given(match.vendor);
  if (vendor && !sameCode(vendor, invoice.header.vendor)) return false;
  if (match.commitmentType && commitmentTypeOf(line, ledger) !== match.commitmentType) return false;
  if (match.minAmount !== undefined && match.minAmount !== null && line.amount < match.minAmount) return false;
  if (match.maxAmount !== undefined && match.maxAmount !== null && line.amount > match.maxAmount) return false;
  return true;
}

/** The rules that apply to one line: the winning exclusive rule alone, or every matching rule. */
function rulesFor(rules: readonly RoutingRule[], invoice: Invoice, line: InvoiceLine, ledger: Ledger | undefined): RoutingRule[] {
  const matching = rules.filter((rule) => rule.active && matchesLine(rule, invoice, line, ledger));
  let winner: RoutingRule | undefined;
  for (const rule of matching) {
    // Strictly greater: the first listed keeps a tie.
    if (rule.exclusive && (!winner || rule.priority > winner.priority)) winner = rule;
  }
  return winner ? [winner] : matching;
}

/** Reviewers merged by user (a user listed twice keeps the lowest sequence), in sequence order. */
function mergeReviewers(rules: readonly RoutingRule[]): LineReviewer[] {
  const byUser = new Map<string, number>();
  for (const rule of rules) {
    for (const reviewer of rule.reviewers) {
      const user = reviewer.user.trim();
      if (!user) continue;
      const known = byUser.get(user);
      if (known === undefined || reviewer.sequence < known) byUser.set(user, reviewer.sequence);
    }
  }
  // Array.prototype.sort is stable: users of equal sequence keep the order the rules list them.
  return [...byUser.entries()]
    .sort(([, a], [, b]) => a - b)
    .map(([user, sequence]) => ({ user, sequence, status: 'pending', at: null }));
}

export function routeLines(invoice: Invoice, rules: readonly RoutingRule[], ledger?: Ledger): RoutingOutcome {
  const lines = invoice.lines.map((line) => {
    const applied = rulesFor(rules, invoice, line, ledger);
    return { lineId: line.id, reviewers: mergeReviewers(applied), rules: applied.map((rule) => rule.name) };
  });
  return { lines, unmatched: lines.filter((line) => line.reviewers.length === 0).map((line) => line.lineId) };
}
