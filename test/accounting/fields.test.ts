// One cell of an accounting export: amounts, dates, statuses and commitment types, case by case.
import { describe, expect, it } from 'vitest';
import * as field from '../../source/accounting/fields.js';

const amounts: [string, number | RegExp][] = [
  ['1087.80', 108780],
  [' 250 ', 25000],
  ['1,087.80', 108780],
  ['$1,087.80', 108780],
  ['$1,234,567', 123456700],
  ['-$12.50', -1250],
  ['$-12.50', -1250],
  ['+5.1', 510],
  ['12.340', 1234],
  ['12.345', /amount '12.345' has fractions of a cent/],
  ['1.087,80', /amount '1.087,80' is not a decimal amount/],
  ['1,08.80', /amount '1,08.80' is not a decimal amount \(write e.g. 1087.80 or 1,087.80\)/],
  ['(12.50)', /is not a decimal amount/],
  ['-+5', /is not a decimal amount/],
  ['$', /^amount '\$' is not a decimal amount \(write e.g. 1087.80 or 1,087.80\)$/],
  ['12 USD', /is not a decimal amount/],
  ['', /amount is empty/],
];

const dates: [string, string | RegExp][] = [
  ['2026-11-20', '2026-11-20'],
  ['11/20/2026', '2026-11-20'],
  ['1/5/2026', '2026-01-05'],
  ['2028-02-29', '2028-02-29'],
  ['02/29/2028', '2028-02-29'],
  ['2026-02-29', /date '2026-02-29' is not a day of the calendar/],
  ['13/01/2026', /is not a day of the calendar/],
  ['2026-1-5', /date '2026-1-5' is not a date \(write YYYY-MM-DD or MM\/DD\/YYYY\)/],
  ['11/20/26', /is not a date/],
  ['', /date is empty/],
];

const statuses: [string, (value: string, column: string) => unknown, string, unknown][] = [
  ['active', field.active, 'Active', true],
  ['active', field.active, 'A', true],
  ['active', field.active, 'inactive', false],
  ['active', field.active, ' I ', false],
  ['active', field.active, 'on-hold', false],
  ['open', field.open, 'OPEN', true],
  ['open', field.open, 'In Progress', true],
  ['open', field.open, 'c', false],
  ['open', field.open, 'Completed', false],
  ['type', field.commitmentType, 'PO', 'purchase-order'],
  ['type', field.commitmentType, 'P.O.', 'purchase-order'],
  ['type', field.commitmentType, 'Purchase Order', 'purchase-order'],
  ['type', field.commitmentType, 'purchase-order', 'purchase-order'],
  ['type', field.commitmentType, 'SC', 'subcontract'],
  ['type', field.commitmentType, 'Subcontract', 'subcontract'],
];

describe('cells of an accounting export', () => {
  it.each(amounts)('amount %j', (input, expected) => {
    if (expected instanceof RegExp) expect(() => field.amount(input, 'amount')).toThrow(expected);
    else expect(field.amount(input, 'amount')).toBe(expected);
  });

  it.each(dates)('date %j', (input, expected) => {
    if (expected instanceof RegExp) expect(() => field.date(input, 'date')).toThrow(expected);
    else expect(field.date(input, 'date')).toBe(expected);
  });

  it.each(statuses)('%s %j', (_, parse, input, expected) => {
    expect(parse(input, 'status')).toBe(expected);
  });

  it('refuses a status or type it does not know, naming the column and the value', () => {
    expect(() => field.active('maybe', 'status')).toThrow("status 'maybe' is neither active nor inactive (write active/inactive, or A/I)");
    expect(() => field.open('paused', 'status')).toThrow("status 'paused' is neither open nor closed (write open/closed, or O/C)");
    expect(() => field.commitmentType('T&M', 'type')).toThrow("type 'T&M' is neither a subcontract nor a purchase order");
    expect(() => field.active(' ', 'status')).toThrow('status is empty');
  });
});
