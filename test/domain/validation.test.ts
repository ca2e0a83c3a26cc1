import { describe, expect, it } from 'vitest';
import { testLine } from '../helpers/invoices.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from '../../source/domain/ids.js';
import { emptyHeader, type Invoice, type InvoiceLine } from '../../source/domain/invoice.js';
import type { Ledger } from '../../source/domain/ledger.js';
import { parseMoney } from '../../source/domain/money.js';
import { emptyVaultRules, type CustomValidationRule, type ValidationIssue } from '../../source/domain/rules.js';
import { customRuleProblem, hasErrors, invoiceNumberKey, validateInvoice, type ValidationContext } from '../../source/domain/validation.js';

const $ = (amount: string) => parseMoney(amount);

function testLedger(): Ledger {
  return {
    vendors: [
      { code: 'ABC-CON', name: 'ABC Concrete Co.', active: true },
      { code: 'STEEL-01', name: 'Summit Steel', active: true },
      { code: 'OLD-VND', name: 'Old Vendor', active: false },
    ],
    jobs: [
      { code: '2301', name: 'Harbor Point Tower', closed: false },
      { code: '1999', name: 'Finished Job', closed: true },
    ],
    costCodes: [
      { job: '2301', code: '03-300', description: 'Cast-in-place concrete' },
      { job: '2301', code: '03-350', description: 'Slabs' },
      { job: '1999', code: '03-300', description: 'Cast-in-place concrete' },
    ],
    commitments: [
      { code: 'SC-2301-01', vendor: 'ABC-CON', job: '2301', type: 'subcontract', open: true, amount: $('300000.00'), remaining: $('2000.00') },
      { code: 'SC-OLD', vendor: 'ABC-CON', job: '2301', type: 'subcontract', open: false, amount: $('1000.00'), remaining: $('1000.00') },
      { code: 'SC-STEEL', vendor: 'STEEL-01', job: '2301', type: 'subcontract', open: true, amount: $('9000.00'), remaining: $('9000.00') },
      { code: 'SC-1999', vendor: 'ABC-CON', job: '1999', type: 'subcontract', open: true, amount: $('9000.00'), remaining: $('9000.00') },
      { code: 'PO-2301-01', vendor: 'ABC-CON', job: '2301', type: 'purchase-order', open: true, amount: $('9000.00'), remaining: $('9000.00') },
    ],
    apInvoices: [{ vendor: 'ABC-CON', invoiceNumber: 'ABC-1000', amount: $('750.00'), date: '2026-10-31' }],
    checks: [],
    loadedAt: '2026-11-26T00:00:00.000Z',
  };
}

function line(overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  return testLine({ retainage: $('100.00'), ...overrides });
}

function invoice(overrides: { header?: Partial<Invoice['header']>; lines?: InvoiceLine[]; id?: string; status?: Invoice['status']; procore?: boolean } = {}): Invoice {
  const lines = overrides.lines ?? [line(), line({ id: 'L2', costCode: '03-350', amount: $('500.00'), retainage: $('50.00') })];
  return {
    id: (overrides.id ?? 'INV-000001') as InvoiceId,
    vaultId: 'harbor' as VaultId,
    queueId: 'inbox' as QueueId,
    status: overrides.status ?? 'unprocessed',
    header: {
      ...emptyHeader(),
      vendor: 'ABC-CON',
      invoiceNumber: 'ABC-2000',
      invoiceDate: '2026-11-20',
      total: $('1500.00'),
      retainage: $('150.00'),
      description: 'November billing',
      ...overrides.header,
    },
    lines,
    source: overrides.procore
      ? { kind: 'procore-auto', procore: { companyId: '1' as ProcoreId, projectId: '2' as ProcoreId, commitmentId: '3' as ProcoreId, vendorId: null, requisitionId: '4' as ProcoreId } }
      : { kind: 'manual' },
    attachments: [],
    flags: [],
    audit: [],
    createdAt: '2026-11-26T00:00:00.000Z',
    updatedAt: '2026-11-26T00:00:00.000Z',
  };
}

function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return { ledger: testLedger(), rules: emptyVaultRules(), sameNumberInvoices: [], accountingLabel: 'Sage 300', ...overrides };
}

const only = (issues: ValidationIssue[]) => {
  expect(issues).toHaveLength(1);
  return issues[0]!;
};

describe('validateInvoice: built-in checks', () => {
  it('passes a well-coded invoice with no issue', () => {
    expect(validateInvoice(invoice(), context())).toEqual([]);
    expect(hasErrors([])).toBe(false);
  });

  type Case = [name: string, make: () => Invoice, ctx: Partial<ValidationContext>, expected: Partial<ValidationIssue>];
  const cases: Case[] = [
    ['no vendor', () => invoice({ header: { vendor: '  ' } }), {}, {
      level: 'error', rule: 'vendor.missing', field: 'vendor', value: null, message: "Vendor is empty — enter the vendor's Sage 300 vendor code",
    }],
    ['an unknown vendor (Procore)', () => invoice({ header: { vendor: 'ABC-CONN' }, lines: [line({ commitment: null, type: 'job', amount: $('1500.00') })], procore: true }), {}, {
      level: 'error', rule: 'vendor.unknown', field: 'vendor', value: 'ABC-CONN',
      message: "Vendor 'ABC-CONN' is not in the Sage 300 vendor list — fix the vendor's ERP code in Procore or pick a vendor",
    }],
    ['an inactive vendor', () => invoice({ header: { vendor: 'old-vnd' }, lines: [line({ commitment: null, type: 'job', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'vendor.inactive', field: 'vendor', value: 'old-vnd',
      message: "Vendor 'old-vnd' (Old Vendor) is inactive in Sage 300 — reactivate it in Sage 300 or pick another vendor",
    }],
    ['no invoice number', () => invoice({ header: { invoiceNumber: null } }), {}, {
      level: 'error', rule: 'invoiceNumber.missing', field: 'invoiceNumber', value: null,
      message: "Invoice number is empty — enter the number printed on the vendor's invoice",
    }],
    ['an invoice number in the AP history (any case)', () => invoice({ header: { invoiceNumber: ' abc-1000 ' } }), {}, {
      level: 'error', rule: 'invoiceNumber.duplicate', field: 'invoiceNumber', value: 'abc-1000',
      message: "Invoice number 'abc-1000' of vendor 'ABC-CON' is already in the Sage 300 AP history (2026-10-31, $750.00) — if this is not a duplicate, correct the invoice number",
    }],
    ['an invoice number used in the vault', () => invoice(), { sameNumberInvoices: [{ id: 'INV-000007', status: 'pending' }] }, {
      level: 'error', rule: 'invoiceNumber.duplicate', field: 'invoiceNumber', value: 'ABC-2000',
      message: "Invoice number 'ABC-2000' of vendor 'ABC-CON' is already used by invoice INV-000007 in this vault — if this is not a duplicate, correct the invoice number",
    }],
    ['no total', () => invoice({ header: { total: null } }), {}, {
      level: 'error', rule: 'total.missing', field: 'total', value: null, message: 'Invoice total is empty — enter the total from the invoice',
    }],
    ['lines that do not add up', () => invoice({ header: { total: $('1500.01') } }), {}, {
      level: 'error', rule: 'lines.total', field: 'total', value: '1500.01',
      message: 'Lines add up to $1,500.00 but the invoice total is $1,500.01 — correct the line amounts or the total (difference $0.01)',
    }],
    ['a $0 invoice', () => invoice({ header: { total: $('0') }, lines: [line({ amount: $('0'), retainage: $('0') })] }), {}, {
      level: 'error', rule: 'total.zero', field: 'total', value: '0.00',
      message: 'Invoice total is $0.00 and this vault does not accept $0 invoices — enter the amount, or an admin can allow them',
      remedy: { action: 'rules.allow-zero', args: { vault: expect.any(String) } },
    }],
    ['a negative total on an invoice that is not a credit memo', () => invoice({ header: { total: $('-1500.00') }, lines: [line({ amount: $('-1500.00') })] }), {}, {
      level: 'error', rule: 'amount.negative', field: 'creditMemo', value: 'no',
      message: 'Negative total -$1,500.00, line 1 amount -$1,500.00 on an invoice that is not a credit memo — mark it as a credit memo, or correct the amount',
    }],
    ['no lines', () => invoice({ header: { total: $('1500.00') }, lines: [] }), {}, {
      level: 'error', rule: 'lines.missing', field: 'lines', value: null,
      message: 'The invoice has no lines — add at least one line with its job, cost code and amount',
    }],
    ['a line without a job', () => invoice({ lines: [line({ job: null, commitment: null, type: 'job', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'job.missing', field: 'lines[0].job', value: null, message: 'Line 1 has no job — enter the job',
    }],
    ['an unknown job', () => invoice({ lines: [line({ job: '2399', commitment: null, type: 'job', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'job.unknown', field: 'lines[0].job', value: '2399', message: "Job '2399' on line 1 is not in the Sage 300 job list — correct the job",
    }],
    ['a closed job', () => invoice({ lines: [line({ job: '1999', commitment: 'SC-1999', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'job.closed', field: 'lines[0].job', value: '1999',
      message: "Job '1999' on line 1 is closed in Sage 300 — reopen it in Sage 300 or code the line to an open job",
    }],
    ['a closed job where that is a warning', () => invoice({ lines: [line({ job: '1999', commitment: 'SC-1999', amount: $('1500.00') })] }),
      { rules: { ...emptyVaultRules(), options: { closedJobIsWarning: true, allowZeroInvoices: false } } }, { level: 'warning', rule: 'job.closed' }],
    ['a cost code the job lacks', () => invoice({ lines: [line(), line({ id: 'L2', costCode: '03-399', amount: $('500.00') })] }), {}, {
      level: 'error', rule: 'costCode.unknown', field: 'lines[1].costCode', value: '03-399',
      message: "Cost code '03-399' on line 2 is not set up for job '2301' in Sage 300 — pick one of the job's cost codes or add it in Sage 300",
    }],
    ['a job line without a cost code', () => invoice({ lines: [line({ costCode: null, category: null, amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'costCode.missing', field: 'lines[0].costCode', value: null, message: 'Line 1 has no cost code — enter the cost code',
    }],
    ['a category without a cost code', () => invoice({ lines: [line({ costCode: ' ', category: 'S', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'category.without-cost-code', field: 'lines[0].category', value: 'S',
      message: "Line 1 has category 'S' but no cost code — enter the cost code or clear the category",
    }],
    ['a subcontract line without a commitment', () => invoice({ lines: [line({ commitment: null, amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'commitment.missing', field: 'lines[0].commitment', value: null,
      message: 'Line 1 is a subcontract line without a commitment — enter the commitment number or make it a job line',
    }],
    ['an unknown commitment', () => invoice({ lines: [line({ commitment: 'SC-999', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'commitment.unknown', field: 'lines[0].commitment', value: 'SC-999',
      message: "Commitment 'SC-999' on line 1 is not in the Sage 300 commitment list — correct the commitment number",
    }],
    ["another vendor's commitment", () => invoice({ lines: [line({ commitment: 'SC-STEEL', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'commitment.vendor', field: 'lines[0].commitment', value: 'SC-STEEL',
      message: "Commitment 'SC-STEEL' on line 1 belongs to vendor 'STEEL-01', not 'ABC-CON' — correct the vendor or the commitment",
    }],
    ["another job's commitment", () => invoice({ lines: [line({ commitment: 'SC-1999', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'commitment.job', field: 'lines[0].commitment', value: 'SC-1999',
      message: "Commitment 'SC-1999' on line 1 is for job '1999', not '2301' — correct the job or the commitment",
    }],
    ['a closed commitment', () => invoice({ lines: [line({ commitment: 'sc-old', amount: $('1500.00') })] }), {}, {
      level: 'error', rule: 'commitment.closed', field: 'lines[0].commitment', value: 'sc-old',
      message: "Commitment 'sc-old' on line 1 is closed in Sage 300 — reopen it in Sage 300 or code the line without it",
    }],
    ['lines beyond the remaining balance, summed per commitment', () => invoice({
      header: { total: $('2000.01') },
      lines: [line({ amount: $('1500.00') }), line({ id: 'L2', costCode: '03-350', amount: $('500.01') })],
    }), {}, {
      level: 'warning', rule: 'commitment.remaining', field: 'lines[0].amount', value: '2000.01',
      message: "Lines on commitment 'SC-2301-01' come to $2,000.01, beyond its remaining balance of $2,000.00 in Sage 300 — check the amounts or the commitment's change orders",
    }],
  ];

  it.each(cases)('%s', (_name, make, ctx, expected) => {
    const found = only(validateInvoice(make(), context(ctx)));
    expect(found).toEqual(expect.objectContaining(expected));
    expect(hasErrors([found])).toBe(found.level === 'error');
  });

  it('passes the edges of each check', () => {
    // Exactly the remaining balance is fine; codes compare trimmed and case-insensitive.
    const atRemaining = invoice({
      header: { vendor: ' abc-con ', total: $('2000.00') },
      lines: [line({ job: ' 2301', costCode: '03-300 ', commitment: 'sc-2301-01', amount: $('1500.00') }), line({ id: 'L2', costCode: '03-350', amount: $('500.00') })],
    });
    expect(validateInvoice(atRemaining, context())).toEqual([]);
    // A rejected invoice in the vault does not make the number a duplicate.
    expect(validateInvoice(invoice(), context({ sameNumberInvoices: [{ id: 'INV-000002', status: 'rejected' }] }))).toEqual([]);
    // The invoice itself among those of its number is not its own duplicate.
    expect(validateInvoice(invoice(), context({ sameNumberInvoices: [{ id: 'INV-000001', status: 'pending' }] }))).toEqual([]);
    // $0 where allowed.
    const zero = invoice({ header: { total: $('0') }, lines: [line({ amount: $('0') })] });
    expect(validateInvoice(zero, context({ rules: { ...emptyVaultRules(), options: { closedJobIsWarning: false, allowZeroInvoices: true } } }))).toEqual([]);
    // An expense line needs no job, cost code or commitment.
    expect(validateInvoice(invoice({ lines: [line({ type: 'expense', job: null, costCode: null, category: null, commitment: null, amount: $('1500.00') })] }), context())).toEqual([]);
  });

  it('reports several problems at once, header first', () => {
    const issues = validateInvoice(invoice({ header: { vendor: null, invoiceNumber: null, total: null }, lines: [] }), context());
    expect(issues.map((issue) => issue.rule)).toEqual(['vendor.missing', 'invoiceNumber.missing', 'total.missing', 'lines.missing']);
  });
});

describe('invoiceNumberKey: which invoices share a number', () => {
  it('compares vendor and number as codes: trimmed, in any case', () => {
    expect(invoiceNumberKey(' abc-con ', 'inv-9348 ')).toBe(invoiceNumberKey('ABC-CON', 'INV-9348'));
    expect(invoiceNumberKey('ABC-CON', '9348')).not.toBe(invoiceNumberKey('STEEL-01', '9348'));
    expect(invoiceNumberKey('ABC-CON', '9348')).not.toBe(invoiceNumberKey('ABC-CON', '9349'));
    // Vendor and number cannot run into each other: "AB" + "C1" is not "A" + "BC1".
    expect(invoiceNumberKey('AB', 'C1')).not.toBe(invoiceNumberKey('A', 'BC1'));
  });

  it('is null without a vendor or a number: such an invoice duplicates nothing', () => {
    for (const [vendor, number] of [[null, '9348'], ['ABC-CON', null], ['  ', '9348'], ['ABC-CON', '']] as const) {
      expect(invoiceNumberKey(vendor, number)).toBeNull();
    }
  });
});

describe('validateInvoice: custom rules', () => {
  let id = 0;
  const rule = (overrides: Partial<CustomValidationRule>): CustomValidationRule => ({
    id: `V${++id}`,
    name: 'custom',
    active: true,
    field: 'description',
    condition: 'required',
    value: null,
    message: 'Check this',
    level: 'before-routing',
    action: 'error',
    ...overrides,
  });
  const run = (rules: CustomValidationRule[], target = invoice(), level?: 'before-routing' | 'before-approving') =>
    validateInvoice(target, context({ rules: { ...emptyVaultRules(), validation: rules } }), level);

  type Case = [condition: string, field: string, value: string | null, passing: Partial<Invoice['header']> | Partial<InvoiceLine>, failing: Partial<Invoice['header']> | Partial<InvoiceLine>, failedValue: string | null];
  const cases: Case[] = [
    ['required', 'description', null, { description: 'x' }, { description: '  ' }, '  '],
    ['equals', 'processor', 'PAT', { processor: 'pat' }, { processor: 'lee' }, 'lee'],
    ['not-equals', 'vendor', 'GHOST', { vendor: 'ABC-CON' }, { vendor: 'ghost' }, 'ghost'],
    ['matches', 'invoiceNumber', '^ABC-\\d+$', { invoiceNumber: 'abc-2001' }, { invoiceNumber: 'X-1' }, 'X-1'],
    ['min', 'retainage', '10.00', { retainage: $('10.00') }, { retainage: $('9.99') }, '9.99'],
    ['max', 'total', '1500.00', { total: $('1500.00') }, { total: $('1500.01') }, '1500.01'],
    ['min', 'invoiceDate', '2026-01-01', { invoiceDate: '2026-01-01' }, { invoiceDate: '2025-12-31' }, '2025-12-31'],
    ['one-of', 'line.category', 'S, M', { category: 's' }, { category: 'L' }, 'L'],
    ['equals', 'line.amount', '1000', { amount: $('1000.00') }, { amount: $('999.99') }, '999.99'],
    ['max', 'line.amount', '1000.00', { amount: $('1000.00') }, { amount: $('1000.01') }, '1000.01'],
  ];

  it.each(cases)('%s on %s', (condition, field, value, passing, failing, failedValue) => {
    const onLine = field.startsWith('line.');
    const make = (change: object) =>
      onLine ? invoice({ lines: [line(change as Partial<InvoiceLine>)], header: { total: (change as InvoiceLine).amount ?? $('1000.00') } }) : invoice({ header: change as Partial<Invoice['header']> });
    const checked = rule({ field, condition, value, message: 'Fix it', action: 'warning' });
    expect(customRuleProblem(checked)).toBeNull();
    expect(run([checked], make(passing)).filter((issue) => issue.rule.startsWith('custom:'))).toEqual([]);
    const failed = run([checked], make(failing)).filter((issue) => issue.rule.startsWith('custom:'));
    const path = onLine ? `lines[0].${field.slice(5)}` : field;
    const shown = failedValue === null || failedValue.trim() === '' ? 'is empty' : `is '${failedValue}'`;
    expect(failed).toEqual([
      { level: 'warning', rule: `custom:${checked.id}`, field: path, value: failedValue, message: `${onLine ? 'Line 1: ' : ''}Fix it (${path} ${shown})` },
    ]);
  });

  it('checks line fields on every line, skips empty values except for required, and honours active and level', () => {
    const pattern = rule({ field: 'line.costCode', condition: 'matches', value: '^03-', message: 'Concrete only', action: 'error' });
    const target = invoice({ lines: [line(), line({ id: 'L2', costCode: '09-250', amount: $('500.00') }), line({ id: 'L3', type: 'expense', job: null, costCode: null, category: null, commitment: null, amount: $('0') })] });
    expect(run([pattern], target).filter((issue) => issue.rule === pattern.id || issue.rule === `custom:${pattern.id}`)).toEqual([
      expect.objectContaining({ field: 'lines[1].costCode', value: '09-250', message: "Line 2: Concrete only (lines[1].costCode is '09-250')" }),
    ]);
    const required = rule({ field: 'dueDate', condition: 'required', message: 'Enter the due date' });
    expect(run([required]).map((issue) => issue.message)).toEqual(['Enter the due date (dueDate is empty)']);
    expect(run([{ ...required, active: false }])).toEqual([]);
    expect(run([{ ...required, level: 'before-approving' }])).toEqual([]);
    expect(run([{ ...required, level: 'before-approving' }], invoice(), 'before-approving')).toHaveLength(1);
  });

  it.each([
    [{ field: 'totl' }, /^field 'totl' is not an invoice field \(one of: vendor, .*line\.retainage\)$/],
    [{ condition: 'maybe' }, /^condition 'maybe' is not one of: required, equals, not-equals, matches, min, max, one-of$/],
    [{ condition: 'equals', value: null }, /^condition 'equals' needs a value$/],
    [{ condition: 'matches', value: '(' }, /^value '\(' is not a valid pattern/],
    [{ condition: 'min', field: 'description', value: '3' }, /^condition 'min' needs an amount or date field, not 'description'$/],
    [{ condition: 'max', field: 'total', value: '1,000' }, /^value '1,000' is not a decimal amount/],
    [{ condition: 'min', field: 'dueDate', value: 'soon' }, /^value 'soon' is not a date/],
  ])('refuses an unsound rule %j', (change, reason) => {
    const unsound = rule(change);
    expect(customRuleProblem(unsound)).toMatch(reason);
    // A hand-edited store with such a rule gets a clear error rather than a crash.
    expect(run([unsound])).toEqual([expect.objectContaining({ level: 'error', rule: `custom:${unsound.id}`, message: expect.stringContaining("Custom rule 'custom' cannot be checked") })]);
  });
});
