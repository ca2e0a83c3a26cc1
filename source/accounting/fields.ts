// The values of one CSV cell as the accounting exports write them: amounts, dates, statuses and
// commitment types. Each parser returns the domain value or throws a FieldError whose message
// names the column and the value, so a row problem tells the admin what to fix.
import type { CommitmentType } from '../domain/ledger.js';
import { MoneyError, parseMoney, type Cents } from '../domain/money.js';

export class FieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldError';
  }
}

/** A value that must not be blank (codes, invoice numbers). */
export function requiredText(value: string, column: string): string {
  const text = value.trim();
  if (!text) throw new FieldError(`${column} is empty`);
  return text;
}

// Sage reports are printed for people, and their CSV exports sometimes keep the look: "$1,087.80".
// A "$" and thousands commas in their proper places are accepted; anything else ("1.087,80",
// "1,08.80", "12 USD") is refused rather than guessed at.
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

export function amount(value: string, column: string): Cents {
  const shown = value.trim();
  if (!shown) throw new FieldError(`${column} is empty`);
  const hint = '(write e.g. 1087.80 or 1,087.80)';
  const notAmount = () => new FieldError(`${column} '${shown}' is not a decimal amount ${hint}`);
  // One sign, before or after the "$": "-$12.50" and "$-12.50" both mean minus twelve fifty.
  const [, before = '', after = '', rest = ''] = /^([+-]?)\$?([+-]?)(.*)$/.exec(shown) ?? [];
  if (before && after) throw notAmount();
  const sign = (before || after) === '-' ? '-' : '';
  let digits = rest;
  if (digits.includes(',')) {
    if (!GROUPED.test(digits)) throw notAmount();
    digits = digits.replace(/,/g, '');
  }
  try {
    return parseMoney(`${sign}${digits}`, column);
  } catch (error) {
    // Said with the value as the file has it ("$1,087.801"), not as it was cleaned up.
    if (error instanceof MoneyError) throw new FieldError(`${error.message.replace(`'${sign}${digits}'`, () => `'${shown}'`)} ${hint}`);
    throw error;
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** "2026-11-20" or "11/20/2026" → "2026-11-20"; a day that does not exist (02/30/2026) is refused. */
export function date(value: string, column: string): string {
  const text = value.trim();
  if (!text) throw new FieldError(`${column} is empty`);
  let parts: [number, number, number] | null = null;
  const iso = ISO_DATE.exec(text);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const us = US_DATE.exec(text);
  if (us) parts = [Number(us[3]), Number(us[1]), Number(us[2])];
  if (parts) {
    const [year, month, day] = parts;
    const check = new Date(Date.UTC(year, month - 1, day));
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    }
    throw new FieldError(`${column} '${text}' is not a day of the calendar`);
  }
  throw new FieldError(`${column} '${text}' is not a date (write YYYY-MM-DD or MM/DD/YYYY)`);
}

function normal(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

// Sage 100 writes A/I, Sage 300 spells words out; exports from other tools say yes/no.
const ACTIVE = new Set(['active', 'a', 'act', 'yes', 'y', 'true', '1', 'enabled']);
const INACTIVE = new Set(['inactive', 'i', 'inact', 'no', 'n', 'false', '0', 'disabled', 'on hold', 'hold', 'h']);

export function active(value: string, column: string): boolean {
  const text = normal(requiredText(value, column));
  if (ACTIVE.has(text)) return true;
  if (INACTIVE.has(text)) return false;
  throw new FieldError(`${column} '${value.trim()}' is neither active nor inactive (write active/inactive, or A/I)`);
}

const OPEN = new Set(['open', 'o', 'active', 'a', 'in progress', 'unstarted', 'yes', 'y']);
const CLOSED = new Set(['closed', 'c', 'close', 'inactive', 'i', 'complete', 'completed', 'no', 'n']);

/** open/closed for jobs and commitments; true means open. */
export function open(value: string, column: string): boolean {
  const text = normal(requiredText(value, column));
  if (OPEN.has(text)) return true;
  if (CLOSED.has(text)) return false;
  throw new FieldError(`${column} '${value.trim()}' is neither open nor closed (write open/closed, or O/C)`);
}

const SUBCONTRACT = new Set(['subcontract', 'sub contract', 'sc', 'sub', 'subcontractor']);
const PURCHASE_ORDER = new Set(['purchase order', 'purchaseorder', 'po', 'p o']);

export function commitmentType(value: string, column: string): CommitmentType {
  const text = normal(requiredText(value, column).replace(/\./g, ' '));
  if (SUBCONTRACT.has(text)) return 'subcontract';
  if (PURCHASE_ORDER.has(text)) return 'purchase-order';
  throw new FieldError(`${column} '${value.trim()}' is neither a subcontract nor a purchase order (write subcontract/SC or purchase-order/PO)`);
}
