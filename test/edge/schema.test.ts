// What a refusal at the edge says: the path, the value and the problem, never zod's own words.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, leaf, money, refuse, says, unlisted } from '../../source/edge/schema.js';

const problem = (schema: z.ZodType, input: unknown) => {
  const checked = check(schema, input);
  if (checked.ok) throw new Error(`${JSON.stringify(input)} passed`);
  return checked.problem;
};

const RECORD = z.strictObject({
  id: unlisted(z.string().optional()),
  name: z.string(),
  on: z.boolean().optional(),
  tags: z.array(z.string()).min(1).optional(),
  kind: z.enum(['subcontract', 'purchase-order']).optional(),
  size: z.enum(['s', 'm', 'l']).optional(),
  note: z.string().max(5).optional(),
  lines: z.array(z.strictObject({ code: z.string(), amount: money('(write e.g. 1087.80)') })).optional(),
});

describe('a zod issue in our words', () => {
  it.each([
    [{ name: 5 }, 'name 5 is not text'],
    [{}, 'name is missing'],
    [{ name: null }, 'name is missing'],
    [{ name: 'x', on: 'yes' }, "on 'yes' is not true or false"],
    [{ name: 'x', tags: 'a' }, "tags 'a' is not a list"],
    [{ name: 'x', tags: [] }, 'tags is empty'],
    [{ name: 'x', kind: 'sub' }, "kind 'sub' is not subcontract or purchase-order"],
    [{ name: 'x', size: 'xl' }, "size 'xl' is not one of: s, m, l"],
    [{ name: 'x', note: 'too long' }, 'note is longer than 5 characters'],
    [{ name: 'x', lines: [{ code: 'A', amount: '1.00' }, { code: 'B' }] }, 'lines[1].amount is missing'],
    [{ name: 'x', lines: [{ code: 'A', amount: '1,000' }] }, "lines[0].amount '1,000' is not a decimal amount (write e.g. 1087.80)"],
    [{ name: 'x', lines: [{ code: 'A', amount: '0.005' }] }, "lines[0].amount '0.005' has fractions of a cent; amounts carry at most 2 decimal places (write e.g. 1087.80)"],
    [{ name: 'x', lines: [{ code: 'A', amount: true }] }, 'lines[0].amount true is not a decimal amount (write e.g. 1087.80)'],
    [['x'], '["x"] is not an object'],
  ])('%j: %s', (input, message) => {
    expect(problem(RECORD, input)).toBe(message);
  });

  it('names an unknown field with its path and the fields there are, leaving out unlisted ones, before other problems', () => {
    expect(problem(RECORD, { nam: 'x' })).toBe("unknown field 'nam' (fields: name, on, tags, kind, size, note, lines)");
    expect(problem(RECORD, { name: 'x', lines: [{ code: 'A', amount: '1', cost: 2 }] })).toBe("unknown field 'lines[0].cost' (fields: lines[0].code, lines[0].amount)");
  });

  it('never says what zod says', () => {
    const loose = z.object({ a: z.number(), b: z.string().regex(/^x/), c: z.union([z.string(), z.number()]), d: z.number().int() });
    const issues = [problem(loose, { a: 'x', b: 'y', c: true, d: 1.5 }), problem(loose, {}), problem(loose, 5)];
    for (const text of issues) expect(text).not.toMatch(/expected|received|invalid input/i);
  });

  it('says a refusal of our own with the value as we show it, or as a whole sentence', () => {
    const code = leaf((value) => (typeof value === 'string' && value.trim() ? value.trim() : refuse('is empty', { shown: null })));
    const odd = leaf(() => refuse('the file has no rules', { whole: true }));
    const shouty = leaf((value) => refuse('is not lower case', { shown: `«${String(value)}»` }));
    expect(problem(z.object({ code }), { code: '  ' })).toBe('code is empty');
    expect(problem(z.object({ code }), {})).toBe('code is empty');
    expect(problem(z.object({ odd }), { odd: 1 })).toBe('the file has no rules');
    expect(problem(z.object({ shouty }), { shouty: 'ABC' })).toBe('shouty «ABC» is not lower case');
  });

  it('lets a field say what to give when it is missing, and what it is when it is the wrong type', () => {
    const rule = z.object({ reviewers: z.array(z.string(), says({ missing: 'is missing — give at least one reviewer', wrongType: 'is not a list of user names' })) });
    expect(problem(rule, {})).toBe('reviewers is missing — give at least one reviewer');
    expect(problem(rule, { reviewers: 'pat' })).toBe("reviewers 'pat' is not a list of user names");
  });

  it('reads money exactly, in cents, absent as told', () => {
    const amounts = z.object({ due: money('(write e.g. 1087.80)'), tax: money('(write e.g. 1087.80)', { absent: null }) });
    expect(check(amounts, { due: '1087.80' })).toEqual({ ok: true, value: { due: 108780, tax: null } });
    expect(check(amounts, { due: 12.5, tax: '' })).toEqual({ ok: true, value: { due: 1250, tax: null } });
    expect(problem(amounts, { tax: '1.00' })).toBe('due is missing');
  });
});
