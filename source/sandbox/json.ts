// JSON the way Procore writes it: ids are bare integer literals, even above 2^53, where a
// JavaScript number would lose digits. We keep ids as digit strings and render them unquoted,
// and we read request bodies without letting a large id pass through a float.

/** An integer the response must carry as a bare JSON number, given as its exact digits. */
export class JsonInteger {
  constructor(readonly digits: string) {
    if (!/^-?\d+$/.test(digits)) throw new Error(`'${digits}' is not an integer`);
  }
}

/** Marks a stored id (a digit string) to be written as a JSON number. Null stays null. */
export function int(id: string): JsonInteger;
export function int(id: string | null | undefined): JsonInteger | null;
export function int(id: string | null | undefined): JsonInteger | null {
  return id === null || id === undefined ? null : new JsonInteger(id);
}

export function renderJson(value: unknown): string {
  if (value instanceof JsonInteger) return value.digits;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => renderJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const fields: string[] = [];
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (field !== undefined) fields.push(`${JSON.stringify(key)}:${renderJson(field)}`);
    }
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * JSON.parse, except that integer literals too long to be exact as numbers arrive as digit
 * strings. Clients send ids as numbers (`"requisition_id": 9007199254740997`); the rest of the
 * sandbox then sees the exact digits.
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
      const literal = text.slice(i, end);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(start, i)}"${literal}"`;
        start = end;
      }
      i = end - 1;
    }
  }
  return JSON.parse(out + text.slice(start));
}

/** A Procore id from a request (number, digit string, or a form value), as its digits; null if it is not one. */
export function idFrom(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  if (typeof value === 'string' && /^\d{1,30}$/.test(value.trim())) return value.trim().replace(/^0+(?=\d)/, '');
  return null;
}
