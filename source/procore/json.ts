// Procore's JSON, read without losing digits: ids above 2^53 arrive as bare integer literals,
// which JSON.parse would silently round. Such integers are turned into strings first.

const SAFE_DIGITS = 15;

/**
 * Wraps every integer literal too large for a double in quotes, leaving strings untouched,
 * then parses. Fractions and exponents are left alone (Procore sends money as strings).
 */
export function parseJsonLossless(text: string): unknown {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d /* - */) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) i++;
        else break;
      }
      const literal = text.slice(start, i);
      const digits = literal.replace('-', '');
      if (/^-?\d+$/.test(literal) && digits.length > SAFE_DIGITS && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, start)}"${literal}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

/** An integer Procore reads as a JSON number, given as its exact digits (ids above 2^53 stay exact). */
export class JsonDigits {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`'${digits}' is not an integer`);
  }
}

/**
 * JSON.stringify, except that a JsonDigits is written as a bare number: the way back of
 * parseJsonLossless, for request bodies that carry ids (a payment's requisition_id).
 */
export function stringifyLossless(value: unknown): string {
  if (value instanceof JsonDigits) return value.digits;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : stringifyLossless(item))).join(',')}]`;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const fields = Object.entries(value as Record<string, unknown>).filter(([, field]) => field !== undefined && typeof field !== 'function');
    return `{${fields.map(([key, field]) => `${JSON.stringify(key)}:${stringifyLossless(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
