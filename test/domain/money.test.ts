import { describe, expect, it } from 'vitest';
import type { InvoiceId, QueueId, VaultId } from '../../source/domain/ids.js';
import { newDocument } from '../../source/domain/invoice.js';
import { addMoney, cents, displayMoney, formatMoney, parseMoney } from '../../source/domain/money.js';
import { applyEdit } from '../../source/domain/workflow.js';

describe('parseMoney', () => {
  it.each([
    ['1087.80', 108780],
    ['1087.8', 108780],
    ['-12.5', -1250],
    ['250', 25000],
    ['250.0', 25000],
    ['0.00', 0],
    ['-0.00', 0],
    ['+3.07', 307],
    ['0.10', 10],
    ['47700.000', 4770000],
    ['  9.99 ', 999],
    ['90071992547409.91', 9007199254740991],
  ])('reads %s exactly as %i cents', (input, expected) => {
    expect(parseMoney(input)).toBe(expected);
  });

  it.each([
    ['0.005', /fractions of a cent/],
    ['12.345', /fractions of a cent/],
    ['1,087.80', /not a decimal amount/],
    ['', /not a decimal amount/],
    ['abc', /not a decimal amount/],
    ['1e3', /not a decimal amount/],
    ['NaN', /not a decimal amount/],
    ['90071992547409.92', /too large/],
  ])('refuses %s', (input, message) => {
    expect(() => parseMoney(input, 'current_payment_due')).toThrow(message);
  });

  it('names the field in its message', () => {
    expect(() => parseMoney('0.005', 'current_payment_due')).toThrow("current_payment_due '0.005'");
  });

  it('accepts JSON numbers only when they are exact decimals', () => {
    expect(parseMoney(12.5)).toBe(1250);
    expect(() => parseMoney(1e21)).toThrow(/plain decimal/);
    expect(() => parseMoney(0.001)).toThrow(/fractions of a cent/);
  });

  it('never goes through a float: 0.1 + 0.2 stays 0.30', () => {
    expect(formatMoney(addMoney(parseMoney('0.1'), parseMoney('0.2')))).toBe('0.30');
  });
});

describe('formatting', () => {
  it.each([
    [108780, '1087.80', '$1,087.80'],
    [-1250, '-12.50', '-$12.50'],
    [5, '0.05', '$0.05'],
    [123456789, '1234567.89', '$1,234,567.89'],
  ])('%i cents is %s and %s', (value, decimal, display) => {
    expect(formatMoney(cents(value))).toBe(decimal);
    expect(displayMoney(cents(value))).toBe(display);
  });

  it('round-trips every decimal it prints', () => {
    for (const value of [0, 1, 99, 100, 101, -1, -99, 4770000, 9007199254740991]) {
      expect(parseMoney(formatMoney(cents(value)))).toBe(value);
    }
  });

  it('refuses fractional cents', () => {
    expect(() => cents(1.5)).toThrow(/whole number/);
  });
});

describe('what a refused amount says', () => {
  // A new user saw "total 'abc' is not a decimal amount (expected e.g. 1087.80) (write amounts like 1087.80)":
  // parseMoney says what is wrong; the caller, who knows the context, says what to write, once.
  const document = newDocument({ id: 'INV-000001' as InvoiceId, vaultId: 'v' as VaultId, queueId: 'q' as QueueId, source: { kind: 'manual' }, attachments: [], user: 'clerk', now: '2026-11-26T10:00:00.000Z', detail: 'added' });
  const editTotal = (total: string) => () => applyEdit(document, { header: { total } }, () => 'L1');

  it.each([
    ['abc', "total 'abc' is not a decimal amount (write amounts like 1087.80)"],
    ['12.345', "total '12.345' has fractions of a cent; amounts carry at most 2 decimal places (write amounts like 1087.80)"],
  ])('an edit of the total to %j says what to write once', (total, message) => {
    let said = '';
    try {
      editTotal(total)();
    } catch (error) {
      said = (error as Error).message;
    }
    expect(said).toBe(message);
  });

  it('names the field and the value, with no hint of its own', () => {
    expect(() => parseMoney('abc', 'total')).toThrow(/^total 'abc' is not a decimal amount$/);
    expect(() => parseMoney(1e21, 'total')).toThrow(/^total '1e\+21' is not a plain decimal amount$/);
  });
});
