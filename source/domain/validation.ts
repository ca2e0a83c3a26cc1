// Validation of an invoice against the accounting system (the ledger) and the vault's custom
// rules. Every finding names the field and the value that failed and says what to do about it.
//
// Codes (vendor, job, cost code, commitment, invoice number) compare trimmed and
// case-insensitive: Sage keeps codes in upper case, but clerks and Procore's origin_code do not.
// Field paths count lines from 0 (`lines[2].costCode`); messages count them from 1 ("line 3").
import type { Invoice, InvoiceLine, InvoiceStatus, LineType } from './invoice.js';
import type { Ledger, LedgerCommitment, LedgerCostCode, LedgerJob, LedgerVendor } from './ledger.js';
import { displayMoney, formatMoney, MoneyError, parseMoney, type Cents } from './money.js';
import type { CustomValidationRule, ValidationIssue, ValidationLevel, VaultRules } from './rules.js';
import { remedy } from './errors.js';

export interface ValidationContext {
  ledger: Ledger;
  rules: VaultRules;
  /**
   * The vault's other invoices that have this invoice's vendor and invoice number, for the
   * duplicate-number check: those whose invoiceNumberKey(vendor, invoiceNumber) equals this
   * invoice's (codes compare trimmed and case-insensitive, so " abc-con " / "ABC-CON" and "9348"
   * are one key). Empty when this invoice has no vendor or no number. The invoice itself may be
   * among them, and rejected ones may too: the check leaves both out.
   */
  sameNumberInvoices: readonly { id: string; status: InvoiceStatus }[];
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

/**
 * The key under which an invoice counts for the duplicate-number check: its vendor and invoice
 * number as codes compare, or null when either is blank (such an invoice duplicates nothing).
 * A store index of invoices by this key feeds ValidationContext.sameNumberInvoices.
 */
export function invoiceNumberKey(vendor: string | null | undefined, invoiceNumber: string | null | undefined): string | null {
  const [vendorKey, numberKey] = [codeKey(vendor ?? ''), codeKey(invoiceNumber ?? '')];
  return vendorKey && numberKey ? `${vendorKey}\u0000${numberKey}` : null;
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
// Each built-in check is a pure function of the invoice and the context; validateInvoice runs
// them in the order a person reads an invoice: header, then each line, then the sums.

/** The context with the ledger's codes by key, looked up once per validation. */
interface CheckContext extends ValidationContext {
  codes: LedgerCodes;
}
type InvoiceCheck = (invoice: Invoice, context: CheckContext) => ValidationIssue[];
type LineCheck = (invoice: Invoice, index: number, context: CheckContext) => ValidationIssue[];

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

function fromProcore(invoice: Invoice): boolean {
  return invoice.source.kind === 'procore-auto' || invoice.source.kind === 'procore-manual';
}

interface LedgerCodes {
  vendors: Map<string, LedgerVendor>;
  jobs: Map<string, LedgerJob>;
  commitments: Map<string, LedgerCommitment>;
  costCodes: Set<string>;
}

const costCodeKey = (job: string, code: string) => `${codeKey(job)}\u0000${codeKey(code)}`;

function codesOf(ledger: Ledger): LedgerCodes {
  return {
    vendors: new Map(ledger.vendors.map((vendor) => [codeKey(vendor.code), vendor])),
    jobs: new Map(ledger.jobs.map((job) => [codeKey(job.code), job])),
    commitments: new Map(ledger.commitments.map((commitment) => [codeKey(commitment.code), commitment])),
    costCodes: new Set(ledger.costCodes.map((costCode: LedgerCostCode) => costCodeKey(costCode.job, costCode.code))),
  };
}

/** The vendor is entered, in the vendor list, and active. */
const checkVendor: InvoiceCheck = (invoice, { codes, accountingLabel: label }) => {
  const vendor = present(invoice.header.vendor);
  if (!vendor) {
    return [{ level: 'error', rule: 'vendor.missing', field: 'vendor', value: null, message: `Vendor is empty — enter the vendor's ${label} vendor code` }];
  }
  const known = codes.vendors.get(codeKey(vendor));
  if (!known) {
    const fix = fromProcore(invoice) ? "fix the vendor's ERP code in Procore or pick a vendor" : 'check the code or pick a vendor';
    return [{ level: 'error', rule: 'vendor.unknown', field: 'vendor', value: vendor, message: `Vendor '${vendor}' is not in the ${label} vendor list — ${fix}` }];
  }
  if (!known.active) {
    return [{
      level: 'error',
      rule: 'vendor.inactive',
      field: 'vendor',
      value: vendor,
      message: `Vendor '${vendor}' (${known.name}) is inactive in ${label} — reactivate it in ${label} or pick another vendor`,
    }];
  }
  return [];
};

/** The invoice number is entered, and not used before by the same vendor: in the AP history, or in this vault. */
const checkInvoiceNumber: InvoiceCheck = (invoice, { ledger, sameNumberInvoices, accountingLabel: label }) => {
  const number = present(invoice.header.invoiceNumber);
  if (!number) {
    return [{
      level: 'error',
      rule: 'invoiceNumber.missing',
      field: 'invoiceNumber',
      value: null,
      message: "Invoice number is empty — enter the number printed on the vendor's invoice",
    }];
  }
  const vendor = present(invoice.header.vendor);
  if (!vendor) return [];
  const duplicate = (where: string): ValidationIssue[] => [{
    level: 'error',
    rule: 'invoiceNumber.duplicate',
    field: 'invoiceNumber',
    value: number,
    message: `Invoice number '${number}' of vendor '${vendor}' is already ${where} — if this is not a duplicate, correct the invoice number`,
  }];
  const posted = ledger.apInvoices.find((entry) => sameCode(entry.vendor, vendor) && sameCode(entry.invoiceNumber, number));
  if (posted) return duplicate(`in the ${label} AP history (${posted.date}, ${displayMoney(posted.amount)})`);
  // A rejected invoice in the vault does not count: re-entering a rejected invoice is the usual fix.
  const twin = sameNumberInvoices.find((other) => other.id !== invoice.id && other.status !== 'rejected');
  return twin ? duplicate(`used by invoice ${twin.id} in this vault`) : [];
};

/** The total is entered. */
const checkTotalEntered: InvoiceCheck = (invoice) =>
  invoice.header.total === null
    ? [{ level: 'error', rule: 'total.missing', field: 'total', value: null, message: 'Invoice total is empty — enter the total from the invoice' }]
    : [];

/** A $0 total only where the vault accepts $0 invoices. */
const checkZeroTotal: InvoiceCheck = (invoice, { rules }) =>
  invoice.header.total === 0 && !rules.options.allowZeroInvoices
    ? [{
        level: 'error',
        rule: 'total.zero',
        field: 'total',
        value: formatMoney(invoice.header.total),
        message: 'Invoice total is $0.00 and this vault does not accept $0 invoices — enter the amount, or an admin can allow them',
        remedy: remedy('rules.allow-zero', { vault: invoice.vaultId }),
      }]
    : [];

/** At least one line. */
const checkLinesEntered: InvoiceCheck = (invoice) =>
  invoice.lines.length === 0
    ? [{
        level: 'error',
        rule: 'lines.missing',
        field: 'lines',
        value: null,
        message: 'The invoice has no lines — add at least one line with its job, cost code and amount',
      }]
    : [];

/** A job-costed line has a job; a job it has is in the job list and open (or a warning, as the vault says). */
const checkJob: LineCheck = (invoice, index, { codes, rules, accountingLabel: label }) => {
  const line = invoice.lines[index]!;
  const [at, name] = [`lines[${index}]`, lineName(index)];
  const job = present(line.job);
  if (!job) {
    return JOB_COSTED.includes(line.type) ? [{ level: 'error', rule: 'job.missing', field: `${at}.job`, value: null, message: `${capital(name)} has no job — enter the job` }] : [];
  }
  const known = codes.jobs.get(codeKey(job));
  if (!known) {
    const fix = fromProcore(invoice) ? 'correct the project number in Procore or the job on the line' : 'correct the job';
    return [{ level: 'error', rule: 'job.unknown', field: `${at}.job`, value: job, message: `Job '${job}' on ${name} is not in the ${label} job list — ${fix}` }];
  }
  if (known.closed) {
    return [{
      level: rules.options.closedJobIsWarning ? 'warning' : 'error',
      rule: 'job.closed',
      field: `${at}.job`,
      value: job,
      message: `Job '${job}' on ${name} is closed in ${label} — reopen it in ${label} or code the line to an open job`,
    }];
  }
  return [];
};

/** A job-costed line has a cost code set up for its job; a category needs a cost code. */
const checkCostCode: LineCheck = (invoice, index, { codes, accountingLabel: label }) => {
  const line = invoice.lines[index]!;
  const [at, name] = [`lines[${index}]`, lineName(index)];
  const costCode = present(line.costCode);
  const category = present(line.category);
  if (!costCode) {
    if (category) {
      return [{
        level: 'error',
        rule: 'category.without-cost-code',
        field: `${at}.category`,
        value: category,
        message: `${capital(name)} has category '${category}' but no cost code — enter the cost code or clear the category`,
      }];
    }
    return JOB_COSTED.includes(line.type)
      ? [{ level: 'error', rule: 'costCode.missing', field: `${at}.costCode`, value: null, message: `${capital(name)} has no cost code — enter the cost code` }]
      : [];
  }
  // Against an unknown job there is nothing to look the cost code up in: checkJob says so.
  const job = present(line.job);
  if (!job || !codes.jobs.has(codeKey(job)) || codes.costCodes.has(costCodeKey(job, costCode))) return [];
  return [{
    level: 'error',
    rule: 'costCode.unknown',
    field: `${at}.costCode`,
    value: costCode,
    message: `Cost code '${costCode}' on ${name} is not set up for job '${job}' in ${label} — pick one of the job's cost codes or add it in ${label}`,
  }];
};

/** A subcontract or purchase-order line has a commitment: known, of the invoice's vendor and the line's job, and open. */
const checkCommitment: LineCheck = (invoice, index, { codes, accountingLabel: label }) => {
  const line = invoice.lines[index]!;
  const [at, name] = [`lines[${index}]`, lineName(index)];
  const code = present(line.commitment);
  if (!code) {
    return COMMITTED.includes(line.type)
      ? [{
          level: 'error',
          rule: 'commitment.missing',
          field: `${at}.commitment`,
          value: null,
          message: `${capital(name)} is a ${TYPE_LABELS[line.type]} line without a commitment — enter the commitment number or make it a job line`,
        }]
      : [];
  }
  const issue = (rule: string, message: string): ValidationIssue => ({ level: 'error', rule, field: `${at}.commitment`, value: code, message });
  const commitment = codes.commitments.get(codeKey(code));
  if (!commitment) {
    return [issue('commitment.unknown', `Commitment '${code}' on ${name} is not in the ${label} commitment list — correct the commitment number`)];
  }
  const issues: ValidationIssue[] = [];
  const vendor = present(invoice.header.vendor);
  const job = present(line.job);
  if (vendor && !sameCode(commitment.vendor, vendor)) {
    issues.push(issue('commitment.vendor', `Commitment '${code}' on ${name} belongs to vendor '${commitment.vendor}', not '${vendor}' — correct the vendor or the commitment`));
  }
  if (job && !sameCode(commitment.job, job)) {
    issues.push(issue('commitment.job', `Commitment '${code}' on ${name} is for job '${commitment.job}', not '${job}' — correct the job or the commitment`));
  }
  if (!commitment.open) {
    issues.push(issue('commitment.closed', `Commitment '${code}' on ${name} is closed in ${label} — reopen it in ${label} or code the line without it`));
  }
  return issues;
};

/** The lines add up to the total. */
const checkLinesAddUp: InvoiceCheck = (invoice) => {
  const total = invoice.header.total;
  if (total === null || invoice.lines.length === 0) return [];
  const sum = invoice.lines.reduce((amount, line) => amount + line.amount, 0) as Cents;
  if (sum === total) return [];
  return [{
    level: 'error',
    rule: 'lines.total',
    field: 'total',
    value: formatMoney(total),
    message: `Lines add up to ${displayMoney(sum)} but the invoice total is ${displayMoney(total)} — correct the line amounts or the total (difference ${displayMoney((total - sum) as Cents)})`,
  }];
};

/** A warning when the lines on one commitment come to more than its remaining balance. */
const checkCommitmentBalance: InvoiceCheck = (invoice, { codes, accountingLabel: label }) => {
  const perCommitment = new Map<string, { commitment: LedgerCommitment; first: number; sum: number }>();
  invoice.lines.forEach((line, index) => {
    const code = present(line.commitment);
    const commitment = code ? codes.commitments.get(codeKey(code)) : undefined;
    // A closed commitment is already an error; its balance adds nothing a clerk can act on.
    if (!commitment || !commitment.open) return;
    const entry = perCommitment.get(codeKey(commitment.code)) ?? { commitment, first: index, sum: 0 };
    entry.sum += line.amount;
    perCommitment.set(codeKey(commitment.code), entry);
  });
  return [...perCommitment.values()]
    .filter(({ commitment, sum }) => sum > commitment.remaining)
    .map(({ commitment, first, sum }) => ({
      level: 'warning',
      rule: 'commitment.remaining',
      field: `lines[${first}].amount`,
      value: formatMoney(sum as Cents),
      message: `Lines on commitment '${commitment.code}' come to ${displayMoney(sum as Cents)}, beyond its remaining balance of ${displayMoney(commitment.remaining)} in ${label} — check the amounts or the commitment's change orders`,
    }));
};

/**
 * Only a credit memo carries negative amounts: anywhere else a minus sign is a typing mistake (or
 * a Procore credit) that would route, and pay, a negative invoice without a word.
 */
export function negativeAmounts(invoice: Pick<Invoice, 'header' | 'lines'>): string[] {
  if (invoice.header.creditMemo) return [];
  const negative: string[] = [];
  if (invoice.header.total !== null && invoice.header.total < 0) negative.push(`total ${displayMoney(invoice.header.total)}`);
  if (invoice.header.retainage !== null && invoice.header.retainage < 0) negative.push(`retainage ${displayMoney(invoice.header.retainage)}`);
  invoice.lines.forEach((line, index) => {
    if (line.amount < 0) negative.push(`line ${index + 1} amount ${displayMoney(line.amount)}`);
  });
  return negative;
}

const checkNegativeAmounts: InvoiceCheck = (invoice) => {
  const negative = negativeAmounts(invoice);
  return negative.length
    ? [{
        level: 'error',
        rule: 'amount.negative',
        field: 'creditMemo',
        value: 'no',
        message: `Negative ${negative.join(', ')} on an invoice that is not a credit memo — mark it as a credit memo, or correct the amount`,
      }]
    : [];
};

const HEADER_CHECKS: readonly InvoiceCheck[] = [checkVendor, checkInvoiceNumber, checkTotalEntered, checkZeroTotal, checkNegativeAmounts, checkLinesEntered];
const LINE_CHECKS: readonly LineCheck[] = [checkJob, checkCostCode, checkCommitment];
const SUM_CHECKS: readonly InvoiceCheck[] = [checkLinesAddUp, checkCommitmentBalance];

/** The vault's active custom rules of one level. */
function checkCustomRules(invoice: Invoice, { rules }: CheckContext, level: ValidationLevel): ValidationIssue[] {
  return rules.validation.filter((rule) => rule.active && rule.level === level).flatMap((rule) => checkCustomRule(rule, invoice));
}

/**
 * Runs the built-in checks (at every level: they block routing and approval alike) and the
 * active custom rules of `level`. Warnings never block; see hasErrors.
 */
export function validateInvoice(invoice: Invoice, validation: ValidationContext, level: ValidationLevel = 'before-routing'): ValidationIssue[] {
  const context: CheckContext = { ...validation, codes: codesOf(validation.ledger) };
  return [
    ...HEADER_CHECKS.flatMap((check) => check(invoice, context)),
    ...invoice.lines.flatMap((_, index) => LINE_CHECKS.flatMap((check) => check(invoice, index, context))),
    ...SUM_CHECKS.flatMap((check) => check(invoice, context)),
    ...checkCustomRules(invoice, context, level),
  ];
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
        message: `Custom rule '${rule.name}' cannot be checked: ${problem ?? 'unknown field'} — an admin should fix it`,
        remedy: remedy('rules.list', { vault: invoice.vaultId }),
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
