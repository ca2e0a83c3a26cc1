// Validation of an invoice against the accounting system (the ledger) and the vault's custom
// rules. Every finding names the field and the value that failed and says what to do about it.
//
// Codes (vendor, job, cost code, commitment, invoice number) compare trimmed and
// case-insensitive: Sage keeps codes in upper case, but clerks and Procore's origin_code do not.
// Field paths count lines from 0 (`lines[2].costCode`); messages count them from 1 ("line 3").
import type { Invoice, InvoiceLine, LineType } from './invoice.js';
import type { Ledger, LedgerCommitment } from './ledger.js';
import { displayMoney, formatMoney, MoneyError, parseMoney, type Cents } from './money.js';
import type { CustomValidationRule, ValidationIssue, ValidationLevel, VaultRules } from './rules.js';

export interface ValidationContext {
  ledger: Ledger;
  rules: VaultRules;
  /** The vault's other invoices, for the duplicate invoice-number check (exclude the invoice itself). */
  otherInvoices: readonly Invoice[];
  /** 'Sage 300' etc., used in messages. */
  accountingLabel: string;
}

/** The key a code compares by: trimmed, upper case. */
export function codeKey(code: string): string {
  return code.trim().toUpperCase();
}

export function sameCode(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  return codeKey(a) === codeKey(b);
}

/** Lines of these types are job-costed: they need a job and a cost code. Expense lines need neither. */
const JOB_COSTED: readonly LineType[] = ['subcontract', 'purchase-order', 'job'];
const COMMITTED: readonly LineType[] = ['subcontract', 'purchase-order'];
const TYPE_LABELS: Record<LineType, string> = {
  subcontract: 'subcontract',
  'purchase-order': 'purchase order',
  job: 'job',
  expense: 'expense',
};

// ---- fields a custom rule can check ----

export const HEADER_FIELDS = ['vendor', 'invoiceNumber', 'invoiceDate', 'dueDate', 'total', 'retainage', 'description', 'processor'] as const;
export const LINE_FIELDS = ['type', 'job', 'costCode', 'category', 'commitment', 'commitmentItem', 'description', 'amount', 'retainage'] as const;
export const CUSTOM_CONDITIONS = ['required', 'equals', 'not-equals', 'matches', 'min', 'max', 'one-of'] as const;
export type CustomCondition = (typeof CUSTOM_CONDITIONS)[number];

type FieldKind = 'money' | 'date' | 'text';
const MONEY_FIELDS = new Set(['total', 'retainage', 'amount']);
const DATE_FIELDS = new Set(['invoiceDate', 'dueDate']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

interface FieldRef {
  scope: 'header' | 'line';
  name: string;
  kind: FieldKind;
}

function fieldRef(field: string): FieldRef | null {
  const trimmed = field.trim();
  const lineName = trimmed.startsWith('line.') ? trimmed.slice('line.'.length) : null;
  const name = lineName ?? trimmed;
  const known: readonly string[] = lineName !== null ? LINE_FIELDS : HEADER_FIELDS;
  if (!known.includes(name)) return null;
  const kind: FieldKind = MONEY_FIELDS.has(name) ? 'money' : DATE_FIELDS.has(name) ? 'date' : 'text';
  return { scope: lineName !== null ? 'line' : 'header', name, kind };
}

function fieldList(): string {
  return `${HEADER_FIELDS.join(', ')}, ${LINE_FIELDS.map((name) => `line.${name}`).join(', ')}`;
}

/**
 * Why a custom rule cannot be checked (an unknown field, condition or a bad value), or null when
 * it is sound. Rule files and `apdesk rules add` refuse such a rule with this reason.
 */
export function customRuleProblem(rule: Pick<CustomValidationRule, 'field' | 'condition' | 'value'>): string | null {
  const ref = fieldRef(rule.field);
  if (!ref) return `field '${rule.field}' is not an invoice field (one of: ${fieldList()})`;
  const condition = rule.condition.trim();
  if (!(CUSTOM_CONDITIONS as readonly string[]).includes(condition)) {
    return `condition '${rule.condition}' is not one of: ${CUSTOM_CONDITIONS.join(', ')}`;
  }
  if (condition === 'required') return null;
  const value = rule.value?.trim() ?? '';
  if (!value) return `condition '${condition}' needs a value`;
  switch (condition as CustomCondition) {
    case 'matches':
      try {
        new RegExp(value, 'i');
      } catch {
        return `value '${value}' is not a valid pattern (a JavaScript regular expression)`;
      }
      return null;
    case 'min':
    case 'max':
      if (ref.kind === 'text') return `condition '${condition}' needs an amount or date field, not '${rule.field}'`;
      return ref.kind === 'money' ? moneyProblem(value) : ISO_DATE.test(value) ? null : `value '${value}' is not a date (YYYY-MM-DD)`;
    case 'equals':
    case 'not-equals':
      return ref.kind === 'money' ? moneyProblem(value) : null;
    case 'one-of': {
      const options = splitList(value);
      if (!options.length) return `condition 'one-of' needs a comma-separated list`;
      if (ref.kind === 'money') return options.map(moneyProblem).find((problem) => problem !== null) ?? null;
      return null;
    }
    default:
      return null;
  }
}

function moneyProblem(value: string): string | null {
  try {
    parseMoney(value);
    return null;
  } catch (error) {
    if (error instanceof MoneyError) return `value '${value}' is not a decimal amount (e.g. 50000.00)`;
    throw error;
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

// ---- the checks ----

function present(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function lineName(index: number): string {
  return `line ${index + 1}`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Runs the built-in checks (at every level: they block routing and approval alike) and the
 * active custom rules of `level`. Warnings never block; see hasErrors.
 */
export function validateInvoice(invoice: Invoice, context: ValidationContext, level: ValidationLevel = 'before-routing'): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (issue: ValidationIssue) => issues.push(issue);
  const label = context.accountingLabel;
  const { ledger, rules } = context;
  const header = invoice.header;
  const fromProcore = invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual';

  const vendors = new Map(ledger.vendors.map((vendor) => [codeKey(vendor.code), vendor]));
  const jobs = new Map(ledger.jobs.map((job) => [codeKey(job.code), job]));
  const commitments = new Map(ledger.commitments.map((commitment) => [codeKey(commitment.code), commitment]));
  const costCodes = new Set(ledger.costCodes.map((costCode) => `${codeKey(costCode.job)}\u0000${codeKey(costCode.code)}`));

  // Vendor.
  const vendor = present(header.vendor);
  if (!vendor) {
    add({ level: 'error', rule: 'vendor.missing', field: 'vendor', value: null, message: `Vendor is empty — enter the vendor's ${label} vendor code` });
  } else {
    const known = vendors.get(codeKey(vendor));
    if (!known) {
      const fix = fromProcore ? "fix the vendor's ERP code in Procore or pick a vendor" : 'check the code or pick a vendor';
      add({ level: 'error', rule: 'vendor.unknown', field: 'vendor', value: vendor, message: `Vendor '${vendor}' is not in the ${label} vendor list — ${fix}` });
    } else if (!known.active) {
      add({
        level: 'error',
        rule: 'vendor.inactive',
        field: 'vendor',
        value: vendor,
        message: `Vendor '${vendor}' (${known.name}) is inactive in ${label} — reactivate it in ${label} or pick another vendor`,
      });
    }
  }

  // Invoice number: present, and not used before by the same vendor.
  const number = present(header.invoiceNumber);
  if (!number) {
    add({
      level: 'error',
      rule: 'invoiceNumber.missing',
      field: 'invoiceNumber',
      value: null,
      message: "Invoice number is empty — enter the number printed on the vendor's invoice",
    });
  } else if (vendor) {
    const posted = ledger.apInvoices.find((entry) => sameCode(entry.vendor, vendor) && sameCode(entry.invoiceNumber, number));
    // A rejected invoice in the vault does not count: re-entering a rejected invoice is the usual fix.
    const twin = context.otherInvoices.find(
      (other) =>
        other.id !== invoice.id &&
        other.status !== 'rejected' &&
        sameCode(other.header.vendor, vendor) &&
        sameCode(other.header.invoiceNumber, number),
    );
    if (posted) {
      add({
        level: 'error',
        rule: 'invoiceNumber.duplicate',
        field: 'invoiceNumber',
        value: number,
        message: `Invoice number '${number}' of vendor '${vendor}' is already in the ${label} AP history (${posted.date}, ${displayMoney(posted.amount)}) — if this is not a duplicate, correct the invoice number`,
      });
    } else if (twin) {
      add({
        level: 'error',
        rule: 'invoiceNumber.duplicate',
        field: 'invoiceNumber',
        value: number,
        message: `Invoice number '${number}' of vendor '${vendor}' is already used by invoice ${twin.id} in this vault — if this is not a duplicate, correct the invoice number`,
      });
    }
  }

  // Total: entered, and not $0 unless the vault allows it.
  if (header.total === null) {
    add({ level: 'error', rule: 'total.missing', field: 'total', value: null, message: 'Invoice total is empty — enter the total from the invoice' });
  } else if (header.total === 0 && !rules.options.allowZeroInvoices) {
    add({
      level: 'error',
      rule: 'total.zero',
      field: 'total',
      value: formatMoney(header.total),
      message: 'Invoice total is $0.00 and this vault does not accept $0 invoices — enter the amount, or an admin can allow them (`apdesk rules options --vault VAULT --allow-zero on`)',
    });
  }

  // Lines.
  if (invoice.lines.length === 0) {
    add({
      level: 'error',
      rule: 'lines.missing',
      field: 'lines',
      value: null,
      message: 'The invoice has no lines — add at least one line with its job, cost code and amount',
    });
  }
  invoice.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    const name = lineName(index);
    const jobCosted = JOB_COSTED.includes(line.type);
    const job = present(line.job);
    let jobKnown = false;
    if (!job) {
      if (jobCosted) add({ level: 'error', rule: 'job.missing', field: `${at}.job`, value: null, message: `${capital(name)} has no job — enter the job` });
    } else {
      const known = jobs.get(codeKey(job));
      if (!known) {
        const fix = fromProcore ? 'correct the project number in Procore or the job on the line' : 'correct the job';
        add({ level: 'error', rule: 'job.unknown', field: `${at}.job`, value: job, message: `Job '${job}' on ${name} is not in the ${label} job list — ${fix}` });
      } else {
        jobKnown = true;
        if (known.closed) {
          add({
            level: rules.options.closedJobIsWarning ? 'warning' : 'error',
            rule: 'job.closed',
            field: `${at}.job`,
            value: job,
            message: `Job '${job}' on ${name} is closed in ${label} — reopen it in ${label} or code the line to an open job`,
          });
        }
      }
    }

    const costCode = present(line.costCode);
    const category = present(line.category);
    if (!costCode) {
      if (category) {
        add({
          level: 'error',
          rule: 'category.without-cost-code',
          field: `${at}.category`,
          value: category,
          message: `${capital(name)} has category '${category}' but no cost code — enter the cost code or clear the category`,
        });
      } else if (jobCosted) {
        add({ level: 'error', rule: 'costCode.missing', field: `${at}.costCode`, value: null, message: `${capital(name)} has no cost code — enter the cost code` });
      }
    } else if (job && jobKnown && !costCodes.has(`${codeKey(job)}\u0000${codeKey(costCode)}`)) {
      add({
        level: 'error',
        rule: 'costCode.unknown',
        field: `${at}.costCode`,
        value: costCode,
        message: `Cost code '${costCode}' on ${name} is not set up for job '${job}' in ${label} — pick one of the job's cost codes or add it in ${label}`,
      });
    }

    const commitmentCode = present(line.commitment);
    if (!commitmentCode) {
      if (COMMITTED.includes(line.type)) {
        add({
          level: 'error',
          rule: 'commitment.missing',
          field: `${at}.commitment`,
          value: null,
          message: `${capital(name)} is a ${TYPE_LABELS[line.type]} line without a commitment — enter the commitment number or make it a job line`,
        });
      }
      return;
    }
    const commitment = commitments.get(codeKey(commitmentCode));
    if (!commitment) {
      add({
        level: 'error',
        rule: 'commitment.unknown',
        field: `${at}.commitment`,
        value: commitmentCode,
        message: `Commitment '${commitmentCode}' on ${name} is not in the ${label} commitment list — correct the commitment number`,
      });
      return;
    }
    if (vendor && !sameCode(commitment.vendor, vendor)) {
      add({
        level: 'error',
        rule: 'commitment.vendor',
        field: `${at}.commitment`,
        value: commitmentCode,
        message: `Commitment '${commitmentCode}' on ${name} belongs to vendor '${commitment.vendor}', not '${vendor}' — correct the vendor or the commitment`,
      });
    }
    if (job && !sameCode(commitment.job, job)) {
      add({
        level: 'error',
        rule: 'commitment.job',
        field: `${at}.commitment`,
        value: commitmentCode,
        message: `Commitment '${commitmentCode}' on ${name} is for job '${commitment.job}', not '${job}' — correct the job or the commitment`,
      });
    }
    if (!commitment.open) {
      add({
        level: 'error',
        rule: 'commitment.closed',
        field: `${at}.commitment`,
        value: commitmentCode,
        message: `Commitment '${commitmentCode}' on ${name} is closed in ${label} — reopen it in ${label} or code the line without it`,
      });
    }
  });

  // Lines add up to the total.
  if (header.total !== null && invoice.lines.length > 0) {
    const sum = invoice.lines.reduce((total, line) => total + line.amount, 0) as Cents;
    if (sum !== header.total) {
      add({
        level: 'error',
        rule: 'lines.total',
        field: 'total',
        value: formatMoney(header.total),
        message: `Lines add up to ${displayMoney(sum)} but the invoice total is ${displayMoney(header.total)} — correct the line amounts or the total (difference ${displayMoney((header.total - sum) as Cents)})`,
      });
    }
  }

  // Beyond a commitment's remaining balance: summed over the invoice's lines on that commitment.
  const perCommitment = new Map<string, { commitment: LedgerCommitment; first: number; sum: number }>();
  invoice.lines.forEach((line, index) => {
    const code = present(line.commitment);
    const commitment = code ? commitments.get(codeKey(code)) : undefined;
    // A closed commitment is already an error; its balance adds nothing a clerk can act on.
    if (!commitment || !commitment.open) return;
    const entry = perCommitment.get(codeKey(commitment.code)) ?? { commitment, first: index, sum: 0 };
    entry.sum += line.amount;
    perCommitment.set(codeKey(commitment.code), entry);
  });
  for (const { commitment, first, sum } of perCommitment.values()) {
    if (sum <= commitment.remaining) continue;
    add({
      level: 'warning',
      rule: 'commitment.remaining',
      field: `lines[${first}].amount`,
      value: formatMoney(sum as Cents),
      message: `Lines on commitment '${commitment.code}' come to ${displayMoney(sum as Cents)}, beyond its remaining balance of ${displayMoney(commitment.remaining)} in ${label} — check the amounts or the commitment's change orders`,
    });
  }

  for (const rule of rules.validation) {
    if (rule.active && rule.level === level) issues.push(...checkCustomRule(rule, invoice));
  }
  return issues;
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.level === 'error');
}

// ---- custom rules ----

function headerValue(invoice: Invoice, name: string): string | null {
  const value = invoice.header[name as keyof Invoice['header']];
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return typeof value === 'number' ? formatMoney(value) : value;
}

function lineValue(line: InvoiceLine, name: string): string | null {
  const value = line[name as keyof InvoiceLine];
  if (value === null || value === undefined || Array.isArray(value)) return null;
  return typeof value === 'number' ? formatMoney(value as Cents) : String(value);
}

function checkCustomRule(rule: CustomValidationRule, invoice: Invoice): ValidationIssue[] {
  const ref = fieldRef(rule.field);
  const code = `custom:${rule.id}`;
  const problem = customRuleProblem(rule);
  if (!ref || problem) {
    // Only a hand-edited store gets here: rule files and `rules add` refuse such rules.
    return [
      {
        level: 'error',
        rule: code,
        field: rule.field,
        value: rule.value,
        message: `Custom rule '${rule.name}' cannot be checked: ${problem ?? 'unknown field'} — an admin should fix it (\`apdesk rules list\`)`,
      },
    ];
  }
  const check = (field: string, value: string | null, prefix: string): ValidationIssue | null => {
    if (passes(rule, ref.kind, value)) return null;
    const shown = value === null || value.trim() === '' ? 'is empty' : `is '${value}'`;
    return { level: rule.action, rule: code, field, value, message: `${prefix}${rule.message} (${field} ${shown})` };
  };
  if (ref.scope === 'header') {
    const issue = check(ref.name, headerValue(invoice, ref.name), '');
    return issue ? [issue] : [];
  }
  return invoice.lines.flatMap((line, index) => {
    const issue = check(`lines[${index}].${ref.name}`, lineValue(line, ref.name), `${capital(lineName(index))}: `);
    return issue ? [issue] : [];
  });
}

/**
 * Whether a value satisfies a rule. An empty value fails only `required`: the other conditions
 * say what a value must look like when there is one. Text compares trimmed and case-insensitive;
 * `matches` is an unanchored, case-insensitive regular expression; amounts compare in cents.
 */
function passes(rule: CustomValidationRule, kind: FieldKind, raw: string | null): boolean {
  const value = raw?.trim() ?? '';
  const condition = rule.condition.trim() as CustomCondition;
  if (condition === 'required') return value !== '';
  if (value === '') return true;
  const expected = rule.value?.trim() ?? '';
  const same = (a: string, b: string) => (kind === 'money' ? parseMoney(a) === parseMoney(b) : codeKey(a) === codeKey(b));
  switch (condition) {
    case 'equals':
      return same(value, expected);
    case 'not-equals':
      return !same(value, expected);
    case 'matches':
      return new RegExp(expected, 'i').test(value);
    case 'one-of':
      return splitList(expected).some((option) => same(value, option));
    case 'min':
      return kind === 'money' ? parseMoney(value) >= parseMoney(expected) : value >= expected;
    case 'max':
      return kind === 'money' ? parseMoney(value) <= parseMoney(expected) : value <= expected;
  }
}
