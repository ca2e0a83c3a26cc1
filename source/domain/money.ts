// Money is an integer number of cents. Procore and the accounting exports send decimal strings;
// they are parsed exactly here, never through a float.

declare const centsBrand: unique symbol;
export type Cents = number & { readonly [centsBrand]: true };

export class MoneyError extends Error {
  /** What is wrong, without the field and the value ("has fractions of a cent; …"), for callers that name them their own way. */
  readonly problem: string;
  constructor(message: string, problem = message) {
    super(message);
    this.name = 'MoneyError';
    this.problem = problem;
  }
}

function refused(what: string, shown: string, problem: string): MoneyError {
  return new MoneyError(`${what} '${shown}' ${problem}`, problem);
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$/;

/**
 * Parses a decimal amount ("1087.80", "-12.5", "250", "250.0") into cents.
 * More than two decimal places ("0.005") is an error, not a rounding: an AP desk must never
 * invent or lose a fraction of a cent. `what` names the field in the error message, which says
 * what is wrong and no more: the caller knows how amounts are written where it reads them
 * ("1087.80" on a command line, "1,087.80" in a Sage export) and adds that hint, once.
 */
export function parseMoney(input: string | number, what = 'amount'): Cents {
  const text = typeof input === 'number' ? numberToDecimal(input, what) : input.trim();
  const match = DECIMAL.exec(text);
  if (!match) {
    throw refused(what, String(input), 'is not a decimal amount');
  }
  const [, sign, whole = '0', fraction = ''] = match;
  const extra = fraction.slice(2);
  if (/[1-9]/.test(extra)) {
    throw refused(what, text, 'has fractions of a cent; amounts carry at most 2 decimal places');
  }
  const cents = BigInt(whole) * 100n + BigInt((fraction.slice(0, 2) + '00').slice(0, 2));
  if (cents > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw refused(what, text, 'is too large');
  }
  const value = Number(cents);
  return (sign === '-' && value !== 0 ? -value : value) as Cents;
}

// JSON numbers reach us from hand-written files; accept them only when they are exact in cents.
function numberToDecimal(value: number, what: string): string {
  if (!Number.isFinite(value)) throw refused(what, String(value), 'is not a decimal amount');
  const text = String(value);
  if (/e/i.test(text)) throw refused(what, text, 'is not a plain decimal amount');
  return text;
}

export function cents(value: number): Cents {
  if (!Number.isSafeInteger(value)) throw new MoneyError(`${value} is not a whole number of cents`);
  return value as Cents;
}

/** "1087.80", "-12.50": the decimal string Procore and CSV exports use. */
export function formatMoney(value: Cents): string {
  const negative = value < 0;
  const abs = Math.abs(value);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** "$1,087.80" for people. */
export function displayMoney(value: Cents): string {
  const [whole = '0', fraction = '00'] = formatMoney(value).replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0 ? '-' : ''}$${grouped}.${fraction}`;
}

export function addMoney(...values: Cents[]): Cents {
  let total = 0;
  for (const value of values) total += value;
  return cents(total);
}
