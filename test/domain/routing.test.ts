import { describe, expect, it } from 'vitest';
import { testLine } from '../helpers/invoices.js';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { emptyHeader, type Invoice, type InvoiceLine } from '../../source/domain/invoice.js';
import { emptyLedger, type Ledger } from '../../source/domain/ledger.js';
import { parseMoney } from '../../source/domain/money.js';
import type { RoutingMatch, RoutingRule } from '../../source/domain/rules.js';
import { costCodePattern, matchesLine, routeLines } from '../../source/domain/routing.js';

const $ = (amount: string) => parseMoney(amount);

function line(id: string, overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  return testLine({ id, description: null, ...overrides });
}

function invoice(lines: InvoiceLine[], vendor: string | null = 'ABC-CON'): Invoice {
  return {
    id: 'INV-000001' as InvoiceId,
    vaultId: 'harbor' as VaultId,
    queueId: 'inbox' as QueueId,
    status: 'unprocessed',
    header: { ...emptyHeader(), vendor },
    lines,
    source: { kind: 'manual' },
    attachments: [],
    flags: [],
    audit: [],
    createdAt: '',
    updatedAt: '',
  };
}

let next = 0;
function rule(name: string, match: RoutingMatch, reviewers: [string, number][], extra: Partial<RoutingRule> = {}): RoutingRule {
  return {
    id: `R${++next}`,
    name,
    active: true,
    priority: 0,
    exclusive: false,
    routingGroup: 'Default',
    match,
    reviewers: reviewers.map(([user, sequence]) => ({ user, sequence })),
    ...extra,
  };
}

const ledger: Ledger = {
  ...emptyLedger(),
  commitments: [{ code: 'PO-9', vendor: 'ABC-CON', job: '2301', type: 'purchase-order', open: true, amount: $('1'), remaining: $('1') }],
};

describe('matchesLine', () => {
  const target = invoice([]);
  type Case = [what: string, match: RoutingMatch, line: Partial<InvoiceLine>, expected: boolean];
  const cases: Case[] = [
    ['no match fields match every line', {}, {}, true],
    ['job, any case and spacing', { job: ' 2301 ' }, {}, true],
    ['another job', { job: '2302' }, {}, false],
    ['a line without a job', { job: '2301' }, { job: null }, false],
    ['cost code exactly', { costCode: '03-300' }, {}, true],
    ['cost code wildcard prefix', { costCode: '03-*' }, {}, true],
    ['cost code wildcard, lower case', { costCode: '03-3*' }, { costCode: '03-3A0' }, true],
    ['cost code wildcard in the middle', { costCode: '0*-300' }, { costCode: '05-300' }, true],
    ['cost code wildcard elsewhere', { costCode: '03-*' }, { costCode: '05-120' }, false],
    ['a dot in a pattern is literal', { costCode: '03.300' }, { costCode: '03-300' }, false],
    ['cost code pattern against no cost code', { costCode: '*' }, { costCode: null }, false],
    ['vendor of the header', { vendor: 'abc-con' }, {}, true],
    ['another vendor', { vendor: 'STEEL-01' }, {}, false],
    ['commitment type from the line type', { commitmentType: 'subcontract' }, {}, true],
    ['commitment type from the line type, other', { commitmentType: 'purchase-order' }, {}, false],
    ['commitment type from the ledger for a job line', { commitmentType: 'purchase-order' }, { type: 'job', commitment: 'po-9' }, true],
    ['commitment type unknown for an expense line', { commitmentType: 'subcontract' }, { type: 'expense', commitment: null }, false],
    ['amount at the minimum (inclusive)', { minAmount: $('1000.00') }, {}, true],
    ['amount a cent under the minimum', { minAmount: $('1000.01') }, {}, false],
    ['amount at the maximum (inclusive)', { maxAmount: $('1000.00') }, {}, true],
    ['amount a cent over the maximum', { maxAmount: $('999.99') }, {}, false],
    ['open bounds (null)', { minAmount: null, maxAmount: null }, {}, true],
    ['all fields together', { job: '2301', costCode: '03-*', vendor: 'ABC-CON', commitmentType: 'subcontract', minAmount: $('500'), maxAmount: $('5000') }, {}, true],
  ];
  it.each(cases)('%s', (_what, match, change, expected) => {
    expect(matchesLine(rule('r', match, [['pat', 1]]), target, line('L1', change), ledger)).toBe(expected);
  });

  it('matches every line of a vendor when the invoice has that vendor only', () => {
    expect(matchesLine(rule('r', { vendor: 'ABC-CON' }, [['pat', 1]]), invoice([], null), line('L1'))).toBe(false);
  });

  it('turns * patterns into anchored, literal-elsewhere expressions', () => {
    expect(costCodePattern('03-*').source).toBe('^03-.*$');
    expect(costCodePattern('a+b*').test('a+bc')).toBe(true);
  });
});

describe('routeLines', () => {
  it('adds the reviewers of every matching rule, merged by user and ordered by sequence', () => {
    const rules = [
      rule('Concrete', { costCode: '03-*' }, [['lee', 2], ['pat', 1]]),
      rule('Job 2301', { job: '2301' }, [['sam', 3], ['lee', 1]]),
      rule('Steel', { costCode: '05-*' }, [['kim', 1]]),
    ];
    const outcome = routeLines(invoice([line('L1')]), rules);
    expect(outcome.unmatched).toEqual([]);
    expect(outcome.lines).toEqual([
      {
        lineId: 'L1',
        rules: ['Concrete', 'Job 2301'],
        reviewers: [
          // Equal sequences keep the order users first appear in the rules.
          { user: 'lee', sequence: 1, status: 'pending', at: null },
          { user: 'pat', sequence: 1, status: 'pending', at: null },
          { user: 'sam', sequence: 3, status: 'pending', at: null },
        ],
      },
    ]);
  });

  it('lets the highest-priority exclusive rule replace all others on its lines only', () => {
    const rules = [
      rule('Everyone', {}, [['clerk', 1]]),
      rule('Big concrete', { costCode: '03-*', minAmount: $('50000.00') }, [['owner', 1]], { exclusive: true, priority: 5 }),
      rule('Bigger concrete', { costCode: '03-*', minAmount: $('50000.00') }, [['pat', 1], ['lee', 2]], { exclusive: true, priority: 10 }),
      rule('Low exclusive', {}, [['low', 1]], { exclusive: true, priority: -1 }),
    ];
    const outcome = routeLines(invoice([line('L1', { amount: $('50000.00') }), line('L2', { costCode: '09-250' })]), rules);
    expect(outcome.lines.map((entry) => [entry.lineId, entry.rules, entry.reviewers.map((r) => `${r.user}:${r.sequence}`)])).toEqual([
      ['L1', ['Bigger concrete'], ['pat:1', 'lee:2']],
      ['L2', ['Low exclusive'], ['low:1']],
    ]);
  });

  it('breaks a tie between exclusive rules of equal priority by list order', () => {
    const first = rule('First', {}, [['one', 1]], { exclusive: true, priority: 3 });
    const second = rule('Second', {}, [['two', 1]], { exclusive: true, priority: 3 });
    expect(routeLines(invoice([line('L1')]), [first, second]).lines[0]!.rules).toEqual(['First']);
    expect(routeLines(invoice([line('L1')]), [second, first]).lines[0]!.rules).toEqual(['Second']);
  });

  it('skips inactive rules, exclusive ones too, and reports lines without a reviewer', () => {
    const rules = [
      rule('Off', {}, [['pat', 1]], { active: false, exclusive: true, priority: 99 }),
      rule('Concrete', { costCode: '03-*' }, [['lee', 1]]),
    ];
    const outcome = routeLines(invoice([line('L1'), line('L2', { costCode: '26-050' }), line('L3', { costCode: null })]), rules);
    expect(outcome.lines.map((entry) => [entry.lineId, entry.rules])).toEqual([['L1', ['Concrete']], ['L2', []], ['L3', []]]);
    expect(outcome.unmatched).toEqual(['L2', 'L3']);
    expect(routeLines(invoice([line('L1')]), []).unmatched).toEqual(['L1']);
  });

  it('uses the ledger for the commitment type of lines that do not say it', () => {
    const rules = [rule('POs', { commitmentType: 'purchase-order' }, [['buyer', 1]])];
    const target = invoice([line('L1', { type: 'job', commitment: 'PO-9' })]);
    expect(routeLines(target, rules, ledger).unmatched).toEqual([]);
    expect(routeLines(target, rules).unmatched).toEqual(['L1']);
  });
});
