// The cells of an accounting export's rows, checked with zod once csv-parse has split them
// (see source/edge/schema.ts): amounts, dates, statuses and commitment types as the exports
// write them. A row that fails names its column and the value, so the admin knows what to fix.
import { z } from 'zod';
import { check, leaf, refuse, type Refusal } from '../edge/schema.js';
import type { CommitmentType } from '../domain/ledger.js';
import { MoneyError, parseMoney, type Cents } from '../domain/money.js';

/** A row that cannot be read; its message names the column and the value. */
export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

/** The cell's text, trimmed; a missing cell (a short row) reads as empty. */
const cellText = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** What is wrong with a cell's value; said after the column and the value as the file has it (trimmed). */
class Problem {
  constructor(readonly text: string) {}
}
const problem = (text: string) => new Problem(text);

/** Reads one non-blank cell with `read`; a blank one is refused as empty. */
function cell<T>(read: (text: string) => T | Problem) {
  return leaf((value): T | Refusal => {
    const text = cellText(value);
    if (!text) return refuse('is empty', { shown: null });
    const result = read(text);
    return result instanceof Problem ? refuse(result.text, { shown: `'${text}'` }) : result;
  });
}

/** A value that must not be blank (codes, invoice numbers). */
export const requiredText = cell((text) => text);

/** A value that may be blank (names, descriptions). */
export const text = leaf(cellText);

// Sage reports are printed for people, and their CSV exports sometimes keep the look: "$1,087.80".
// A "$" and thousands commas in their proper places are accepted; anything else ("1.087,80",
// "1,08.80", "12 USD") is refused rather than guessed at.
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
const AMOUNT_HINT = '(write e.g. 1087.80 or 1,087.80)';

export const amount = cell((shown): Cents | Problem => {
  const notAmount = problem(`is not a decimal amount ${AMOUNT_HINT}`);
  // One sign, before or after the "$": "-$12.50" and "$-12.50" both mean minus twelve fifty.
  const [, before = '', after = '', rest = ''] = /^([+-]?)\$?([+-]?)(.*)$/.exec(shown) ?? [];
  if (before && after) return notAmount;
  const sign = (before || after) === '-' ? '-' : '';
  let digits = rest;
  if (digits.includes(',')) {
    if (!GROUPED.test(digits)) return notAmount;
    digits = digits.replace(/,/g, '');
  }
  try {
    return parseMoney(`${sign}${digits}`);
  } catch (error) {
    // Said with the value as the file has it ("$1,087.801"), not as it was cleaned up.
    if (error instanceof MoneyError) return problem(`${error.problem} ${AMOUNT_HINT}`);
    throw error;
  }
});

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** "2026-11-20" or "11/20/2026" → "2026-11-20"; a day that does not exist (02/30/2026) is refused. */
export const date = cell((text): string | Problem => {
  const iso = ISO_DATE.exec(text);
  const us = US_DATE.exec(text);
  const parts = iso ? [Number(iso[1]), Number(iso[2]), Number(iso[3])] : us ? [Number(us[3]), Number(us[1]), Number(us[2])] : null;
  if (!parts) return problem('is not a date (write YYYY-MM-DD or MM/DD/YYYY)');
  const [year, month, day] = parts as [number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return problem('is not a day of the calendar');
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
});

function normal(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** One of two states, each written several ways; anything else is refused with how to write it. */
function either<T>(yes: ReadonlySet<string>, no: ReadonlySet<string>, values: [T, T], refusal: string, clean = (text: string) => text) {
  return cell((text): T | Problem => {
    const word = normal(clean(text));
    if (yes.has(word)) return values[0];
    if (no.has(word)) return values[1];
    return problem(refusal);
  });
}

// Sage 100 writes A/I, Sage 300 spells words out; exports from other tools say yes/no.
const ACTIVE = new Set(['active', 'a', 'act', 'yes', 'y', 'true', '1', 'enabled']);
const INACTIVE = new Set(['inactive', 'i', 'inact', 'no', 'n', 'false', '0', 'disabled', 'on hold', 'hold', 'h']);

export const active = either(ACTIVE, INACTIVE, [true, false], 'is neither active nor inactive (write active/inactive, or A/I)');

const OPEN = new Set(['open', 'o', 'active', 'a', 'in progress', 'unstarted', 'yes', 'y']);
const CLOSED = new Set(['closed', 'c', 'close', 'inactive', 'i', 'complete', 'completed', 'no', 'n']);

/** open/closed for jobs and commitments; true means open. */
export const open = either(OPEN, CLOSED, [true, false], 'is neither open nor closed (write open/closed, or O/C)');

const SUBCONTRACT = new Set(['subcontract', 'sub contract', 'sc', 'sub', 'subcontractor']);
const PURCHASE_ORDER = new Set(['purchase order', 'purchaseorder', 'po', 'p o']);

export const commitmentType = either<CommitmentType>(
  SUBCONTRACT,
  PURCHASE_ORDER,
  ['subcontract', 'purchase-order'],
  'is neither a subcontract nor a purchase order (write subcontract/SC or purchase-order/PO)',
  (text) => text.replace(/\./g, ' '),
);

/**
 * How one kind of row is read: the cells of the columns `cells` names, each checked by its
 * schema, then `build` makes the record. The reader throws a FieldError naming the first column
 * that fails, in the order `cells` lists them.
 */
export function row<S extends Record<string, z.ZodType>, T>(cells: S, build: (values: z.output<z.ZodObject<S>>) => T): (get: (column: string) => string) => T {
  const schema = z.object(cells);
  return (get) => {
    const checked = check(schema, Object.fromEntries(Object.keys(cells).map((column) => [column, get(column)])));
    if (!checked.ok) throw new FieldError(checked.problem);
    return build(checked.value);
  };
}
