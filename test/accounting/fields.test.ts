// One cell of an accounting export: amounts, dates, statuses and commitment types, case by case.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as field from '../../source/accounting/fields.js';

/** One cell read the way a row reads it, under a column name. */
const read = (schema: z.ZodType, value: string, column: string) => field.row({ [column]: schema }, (cells) => cells[column])(() => value);

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

const statuses: [string, string, z.ZodType, unknown][] = [
  ['active', 'Active', field.active, true],
  ['active', 'A', field.active, true],
  ['active', 'inactive', field.active, false],
  ['active', ' I ', field.active, false],
  ['active', 'on-hold', field.active, false],
  ['open', 'OPEN', field.open, true],
  ['open', 'In Progress', field.open, true],
  ['open', 'c', field.open, false],
  ['open', 'Completed', field.open, false],
  ['type', 'PO', field.commitmentType, 'purchase-order'],
  ['type', 'P.O.', field.commitmentType, 'purchase-order'],
  ['type', 'Purchase Order', field.commitmentType, 'purchase-order'],
  ['type', 'purchase-order', field.commitmentType, 'purchase-order'],
  ['type', 'SC', field.commitmentType, 'subcontract'],
  ['type', 'Subcontract', field.commitmentType, 'subcontract'],
];

describe('cells of an accounting export', () => {
  it.each(amounts)('amount %j', (input, expected) => {
    if (expected instanceof RegExp) expect(() => read(field.amount, input, 'amount')).toThrow(expected);
    else expect(read(field.amount, input, 'amount')).toBe(expected);
  });

  it.each(dates)('date %j', (input, expected) => {
    if (expected instanceof RegExp) expect(() => read(field.date, input, 'date')).toThrow(expected);
    else expect(read(field.date, input, 'date')).toBe(expected);
  });

  it.each(statuses)('%s %j', (_, input, schema, expected) => {
    expect(read(schema, input, 'status')).toBe(expected);
  });

  it('refuses a status or type it does not know, naming the column and the value', () => {
    expect(() => read(field.active, 'maybe', 'status')).toThrow("status 'maybe' is neither active nor inactive (write active/inactive, or A/I)");
    expect(() => read(field.open, ' paused ', 'status')).toThrow(/^status 'paused' is neither open nor closed \(write open\/closed, or O\/C\)$/);
    expect(() => read(field.commitmentType, 'T&M', 'type')).toThrow("type 'T&M' is neither a subcontract nor a purchase order");
    expect(() => read(field.active, ' ', 'status')).toThrow(/^status is empty$/);
  });
});

describe('a row of an accounting export', () => {
  const commitment = field.row(
    { code: field.requiredText, type: field.commitmentType, status: field.open, amount: field.amount, note: field.text },
    ({ status, ...rest }) => ({ ...rest, open: status }),
  );
  const cells = (values: Record<string, string>) => (column: string) => values[column] ?? '';

  it('reads every cell and builds the record', () => {
    expect(commitment(cells({ code: ' SC-1 ', type: 'PO', status: 'Closed', amount: '$1,087.80', note: '  ' }))).toEqual({
      code: 'SC-1', type: 'purchase-order', open: false, amount: 108780, note: '',
    });
  });

  it('names the first column that fails, in the order of the columns, with a FieldError', () => {
    const bad = () => commitment(cells({ code: 'SC-1', type: 'T&M', status: 'paused', amount: 'ten' }));
    expect(bad).toThrow(field.FieldError);
    expect(bad).toThrow(/^type 'T&M' is neither a subcontract nor a purchase order/);
    expect(() => commitment(cells({ type: 'SC', status: 'open', amount: '1' }))).toThrow(/^code is empty$/);
  });
});
