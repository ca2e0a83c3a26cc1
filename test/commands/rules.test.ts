import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';

async function ok(args: string[]): Promise<string> {
  return (await expectOk(args)).stdout;
}

async function json<T = any>(args: string[]): Promise<T> {
  return JSON.parse(await ok([...args, '--json'])) as T;
}

/** A data dir with vault 'Harbor' (id harbor), written by the OS user, who is its admin. */
async function harbor(): Promise<{ dir: string; d: string[]; v: string[] }> {
  const dir = await tempDir();
  const d = ['--data-dir', dir];
  await ok(['vault', 'add', 'Harbor', '--accounting', 'sage300', ...d]);
  return { dir, d, v: ['--vault', 'harbor', ...d] };
}

const CONCRETE = {
  name: 'Concrete over 50k',
  active: true,
  priority: 10,
  exclusive: true,
  routingGroup: 'Default',
  match: { job: '2301', costCode: '03-*', vendor: 'ABC-CON', commitmentType: 'subcontract', minAmount: '50000.00', maxAmount: null },
  reviewers: [{ user: 'pat', sequence: 1 }, { user: 'lee', sequence: 2 }],
};

describe('apdesk rules', () => {
  it('adds, lists, removes rules and sets options', async () => {
    const { d, v } = await harbor();
    const me = (await json(['user', 'list', ...d]))[0].name as string;
    await ok(['user', 'add', 'pat', '--role', 'reviewer', ...d]);

    const added = await runCli(['rules', 'add', ...v, '--name', 'Concrete', '--reviewer', 'pat', '--reviewer', `${me}:2`, '--cost-code', '03-*', '--min-amount', '50000', '--priority', '5', '--exclusive']);
    expect(added.stderr).toBe('');
    expect(added.stdout).toBe(`Added routing rule R1 'Concrete': cost code 03-*, $50,000.00–any → pat:1, ${me}:2.\n`);
    const unknownReviewer = await runCli(['rules', 'add', ...v, '--name', 'Everything', '--reviewer', 'lee:1', '--group', 'Office', '--inactive']);
    expect(unknownReviewer.code).toBe(0);
    expect(unknownReviewer.stderr).toBe("apdesk: warning: reviewer 'lee' is not an apdesk user yet — add them with `apdesk user add NAME --role reviewer` before routing\n");
    expect(await ok(['rules', 'add', ...v, '--validation', '--name', 'Needs a description', '--field', 'description', '--condition', 'required', '--message', 'Describe the work', '--action', 'warning'])).toBe(
      "Added validation rule V1 'Needs a description' (before-routing, warning).\n",
    );

    const listed = await json(['rules', 'list', ...v]);
    expect(listed).toEqual({
      routing: [
        { id: 'R1', name: 'Concrete', active: true, priority: 5, exclusive: true, routingGroup: 'Default', match: { costCode: '03-*', minAmount: '50000.00' }, reviewers: [{ user: 'pat', sequence: 1 }, { user: me, sequence: 2 }] },
        { id: 'R2', name: 'Everything', active: false, priority: 0, exclusive: false, routingGroup: 'Office', match: {}, reviewers: [{ user: 'lee', sequence: 1 }] },
      ],
      validation: [
        { id: 'V1', name: 'Needs a description', active: true, field: 'description', condition: 'required', value: null, message: 'Describe the work', level: 'before-routing', action: 'warning' },
      ],
      options: { closedJobIsWarning: false, allowZeroInvoices: false },
    });
    const text = await ok(['rules', 'list', ...v]);
    expect(text).toMatch(/R1\s+Concrete\s+yes\s+5\s+yes\s+Default\s+cost code 03-\*, \$50,000.00–any\s+pat:1, \S+:2/);
    expect(text).toMatch(/V1\s+Needs a description\s+yes\s+before-routing\s+warning\s+description required\s+Describe the work/);
    expect(text).toContain('Options: a closed job is an error; $0 invoices are refused.');

    expect(await ok(['rules', 'options', ...v, '--allow-zero', 'on', '--closed-job-warning', 'on'])).toBe('Options: a closed job is a warning; $0 invoices are allowed.\n');
    expect(await json(['rules', 'options', ...v])).toEqual({ closedJobIsWarning: true, allowZeroInvoices: true });

    expect(await ok(['rules', 'remove', ...v, 'everything'])).toBe("Removed routing rule R2 'Everything'.\n");
    expect(await json(['rules', 'remove', ...v, 'v1'])).toEqual({ kind: 'validation', id: 'V1', name: 'Needs a description' });
    // A new rule never takes a removed rule's id while a higher one exists.
    await ok(['rules', 'add', ...v, '--name', 'Steel', '--reviewer', 'pat', '--cost-code', '05-*']);
    expect((await json(['rules', 'list', ...v])).routing.map((r: any) => r.id)).toEqual(['R1', 'R2']);
  });

  it('imports a rules file: adds by default, replaces with --replace, and reads back its own list', async () => {
    const { dir, v } = await harbor();
    const file = join(dir, 'rules.json');
    await writeFile(file, JSON.stringify([CONCRETE, { name: 'Everything else', reviewers: ['sam:3'] }]));
    const first = await runCli(['rules', 'import', ...v, file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("Imported 2 routing rules and 0 validation rules into vault 'Harbor'. Options: a closed job is an error; $0 invoices are refused.\n");
    expect(first.stderr).toBe("apdesk: warning: reviewers 'pat', 'lee', 'sam' are not apdesk users yet — add them with `apdesk user add NAME --role reviewer` before routing\n");

    const listed = await json(['rules', 'list', ...v]);
    expect(listed.routing[0]).toEqual({ id: 'R1', ...CONCRETE, match: { job: '2301', costCode: '03-*', vendor: 'ABC-CON', commitmentType: 'subcontract', minAmount: '50000.00' } });
    expect(listed.routing[1]).toEqual({ id: 'R2', name: 'Everything else', active: true, priority: 0, exclusive: false, routingGroup: 'Default', match: {}, reviewers: [{ user: 'sam', sequence: 3 }] });

    // The same names again without --replace: refused, nothing changed.
    const before = await snapshot(dir);
    const again = await runCli(['rules', 'import', ...v, file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("apdesk: rule 1 'Concrete over 50k': vault 'Harbor' already has a rule named 'Concrete over 50k' (R1) — rename it, remove the old one (`apdesk rules remove --vault harbor R1`), or import with --replace\n");
    expect(await snapshot(dir)).toEqual(before);

    // `rules list --json` is a rules file: with --replace it puts back exactly what was there.
    const exported = join(dir, 'exported.json');
    await writeFile(exported, JSON.stringify({ ...listed, validation: [{ name: 'Cost code format', field: 'line.costCode', condition: 'matches', value: '^\\d{2}-\\d{3}$', message: 'Cost codes look like 03-300' }], options: { allowZeroInvoices: true } }));
    const replacing = await runCli(['rules', 'import', ...v, exported, '--replace', '--json']);
    expect(replacing.code).toBe(0);
    expect(replacing.stderr).toContain('are not apdesk users yet');
    const replaced = JSON.parse(replacing.stdout);
    expect(replaced).toMatchObject({ replaced: true, routing: 2, validation: 1, options: { closedJobIsWarning: false, allowZeroInvoices: true } });
    const after = await json(['rules', 'list', ...v]);
    expect(after.routing).toEqual(listed.routing);
    expect(after.validation).toEqual([
      { id: 'V1', name: 'Cost code format', active: true, field: 'line.costCode', condition: 'matches', value: '^\\d{2}-\\d{3}$', message: 'Cost codes look like 03-300', level: 'before-routing', action: 'error' },
    ]);

    // A routing-only file with --replace leaves the validation rules alone.
    await writeFile(file, JSON.stringify([{ name: 'Only', reviewers: ['pat'] }]));
    expect((await runCli(['rules', 'import', ...v, file, '--replace'])).code).toBe(0);
    const last = await json(['rules', 'list', ...v]);
    expect([last.routing.map((r: any) => r.name), last.validation.map((r: any) => r.name)]).toEqual([['Only'], ['Cost code format']]);
  });

  const rule = (change: Record<string, unknown>) => ({ ...CONCRETE, ...change });
  const malformed: [what: string, content: unknown, message: string][] = [
    ['an amount with a thousands separator', [{ name: 'Fine', reviewers: ['pat'] }, { name: 'Meh', reviewers: ['pat'] }, rule({ match: { minAmount: '50,000' } })],
      "rule 3 'Concrete over 50k': match.minAmount '50,000' is not a decimal amount (write it like 50000.00)"],
    ['fractions of a cent', [rule({ match: { maxAmount: '0.005' } })],
      "rule 1 'Concrete over 50k': match.maxAmount '0.005' has fractions of a cent; amounts carry at most 2 decimal places (write it like 50000.00)"],
    ['min above max', [rule({ match: { minAmount: '10', maxAmount: '9.99' } })], "rule 1 'Concrete over 50k': match.minAmount 10.00 is above match.maxAmount 9.99"],
    ['an unknown commitment type', [rule({ match: { commitmentType: 'sub' } })], "rule 1 'Concrete over 50k': match.commitmentType 'sub' is not one of: subcontract, purchase-order"],
    ['an unknown match field', [rule({ match: { costcode: '03-*' } })], "rule 1 'Concrete over 50k': unknown field 'match.costcode' (fields: match.job, match.costCode, match.vendor, match.commitmentType, match.minAmount, match.maxAmount)"],
    ['an unknown rule field', [rule({ prio: 1 })], "rule 1 'Concrete over 50k': unknown field 'prio'"],
    ['no name', [{ reviewers: ['pat'] }], 'rule 1: name is missing — give the rule a name'],
    ['no reviewers', [rule({ reviewers: [] })], "rule 1 'Concrete over 50k': reviewers is empty — give at least one reviewer"],
    ['a reviewer without a user', [rule({ reviewers: [{ sequence: 1 }] })], "rule 1 'Concrete over 50k': reviewers[0].user is missing — name the reviewer"],
    ['a sequence of 0', [rule({ reviewers: [{ user: 'pat', sequence: 0 }] })], "rule 1 'Concrete over 50k': reviewers[0].sequence 0 is not a whole number from 1"],
    ['a priority that is not a number', [rule({ priority: 'high' })], "rule 1 'Concrete over 50k': priority 'high' is not a whole number"],
    ['exclusive as text', [rule({ exclusive: 'yes' })], "rule 1 'Concrete over 50k': exclusive 'yes' is not true or false"],
    ['a rule that is not an object', ['Concrete'], "rule 1: 'Concrete' is not a rule object"],
    ['a match that is not an object', [rule({ match: 'ABC-CON' })], "rule 1 'Concrete over 50k': match 'ABC-CON' is not an object"],
    ['a job that is not text', [rule({ match: { job: true } })], "rule 1 'Concrete over 50k': match.job true is not text"],
    ['reviewers that are not a list', [rule({ reviewers: 'pat' })], "rule 1 'Concrete over 50k': reviewers 'pat' is not a list"],
    ['a reviewer that is a number', [rule({ reviewers: [42] })], `rule 1 'Concrete over 50k': reviewers[0] 42 is not a reviewer ({"user": "pat", "sequence": 1})`],
    ['a reviewer with two colons', [rule({ reviewers: ['pat:1:2'] })], "rule 1 'Concrete over 50k': reviewers[0] 'pat:1:2' is not USER or USER:SEQUENCE"],
    ['a reviewer with an unknown field', [rule({ reviewers: [{ user: 'pat', seq: 2 }] })],
      "rule 1 'Concrete over 50k': unknown field 'reviewers[0].seq' (fields: reviewers[0].user, reviewers[0].sequence)"],
    ['a reviewer name with a space', [rule({ reviewers: ['pat smith'] })], "rule 1 'Concrete over 50k': reviewers[0].user 'pat smith' is not a user name (letters, digits, '.', '_', '@', '-')"],
    ['a name too long', [rule({ name: 'x'.repeat(81) })], `rule 1 '${'x'.repeat(81)}': name is longer than 80 characters`],
    ['a routing group with a line break', [rule({ routingGroup: 'Office\nNight' })], "rule 1 'Concrete over 50k': routingGroup contains control characters"],
    ['routing that is not a list', { routing: { name: 'X' } }, 'the rules file\'s "routing" is not a list'],
    ['a file with nothing in it', {}, 'the rules file has no "routing" or "validation" list and no "options"'],
    ['a file that is neither a list nor an object', '"rules"', 'the rules file must hold a list of routing rules or an object with "routing", "validation" and "options"'],
    ['two rules of one name', [rule({}), rule({ name: 'concrete OVER 50k' })], "rule 2 'concrete OVER 50k': the file already has a rule named 'Concrete over 50k' (rule 1) — rule names are unique per vault"],
    ['not JSON', '[{"name": ', 'the rules file is not JSON'],
    ['an unknown top-level field', { routes: [] }, "the rules file has an unknown field 'routes' (fields: routing, validation, options)"],
    ['a validation rule on an unknown field', { validation: [{ name: 'X', field: 'totl', condition: 'required', message: 'm' }] }, "validation rule 1 'X': field 'totl' is not an invoice field"],
    ['a validation rule with a bad condition', { validation: [{ name: 'X', field: 'total', condition: 'above', value: '1', message: 'm' }] }, "validation rule 1 'X': condition 'above' is not one of: required, equals, not-equals, matches, min, max, one-of"],
    ['a validation rule with a bad pattern', { validation: [{ name: 'X', field: 'line.costCode', condition: 'matches', value: '([', message: 'm' }] }, "validation rule 1 'X': value '([' is not a valid pattern"],
    ['a validation rule without a message', { validation: [{ name: 'X', field: 'description', condition: 'required' }] }, "validation rule 1 'X': message is missing"],
    ['a validation rule with a bad level', { validation: [{ name: 'X', field: 'description', condition: 'required', message: 'm', level: 'later' }] }, "validation rule 1 'X': level 'later' is not one of: before-routing, before-approving"],
    ['a validation rule with a bad action', { validation: [{ name: 'X', field: 'description', condition: 'required', message: 'm', action: 'block' }] }, "validation rule 1 'X': action 'block' is not warning or error"],
    ['options that are not booleans', { options: { allowZeroInvoices: 'on' } }, "options: allowZeroInvoices 'on' is not true or false"],
  ];
  it.each(malformed)('refuses %s with one line naming the rule and the field, and changes nothing', async (_what, content, message) => {
    const { dir, d, v } = await harbor();
    await ok(['user', 'add', 'pat', '--role', 'reviewer', ...d]);
    await ok(['rules', 'add', ...v, '--name', 'Existing', '--reviewer', 'pat']);
    const file = join(dir, 'rules.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    const before = await snapshot(dir);
    const result = await runCli(['rules', 'import', ...v, file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apdesk: [^\n]+\n$/);
    expect(result.stderr).toContain(`apdesk: ${message}`);
    expect(await snapshot(dir)).toEqual(before);
  });

  const refused: [what: string, args: (v: string[]) => string[], code: number, message: RegExp][] = [
    ['no --vault', () => ['rules', 'list'], 2, /^apdesk: say which vault with --vault: apdesk rules list/],
    ['an unknown vault', (v) => ['rules', 'list', '--vault', 'nope', ...v.slice(2)], 1, /^apdesk: no vault 'nope' — known vaults: Harbor/],
    ['a routing rule without reviewers', (v) => ['rules', 'add', ...v, '--name', 'X'], 1, /^apdesk: rule 'X': reviewers is empty — give at least one reviewer$/m],
    ['a routing rule without a name', (v) => ['rules', 'add', ...v, '--reviewer', 'pat'], 2, /^apdesk: give the rule a --name/],
    ['a bad amount flag', (v) => ['rules', 'add', ...v, '--name', 'X', '--reviewer', 'pat', '--max-amount', '1k'], 1, /^apdesk: rule 'X': match.maxAmount '1k' is not a decimal amount/],
    ['a bad reviewer flag', (v) => ['rules', 'add', ...v, '--name', 'X', '--reviewer', 'pat:first'], 1, /^apdesk: rule 'X': reviewers\[0\].sequence 'first' is not a whole number from 1$/m],
    ['a validation flag on a routing rule', (v) => ['rules', 'add', ...v, '--name', 'X', '--reviewer', 'pat', '--field', 'total'], 2, /^apdesk: --field is for validation rules: add --validation$/m],
    ['a routing flag on a validation rule', (v) => ['rules', 'add', ...v, '--validation', '--name', 'X', '--reviewer', 'pat'], 2, /^apdesk: --reviewer is for routing rules, not with --validation$/m],
    ['a validation rule without a field', (v) => ['rules', 'add', ...v, '--validation', '--name', 'X', '--condition', 'required', '--message', 'm'], 1, /^apdesk: validation rule 'X': field is missing/],
    ['a taken name', (v) => ['rules', 'add', ...v, '--name', 'EXISTING', '--reviewer', 'pat'], 1, /^apdesk: rule 'EXISTING': vault 'Harbor' already has a rule named 'Existing' \(R1\)/],
    ['removing an unknown rule', (v) => ['rules', 'remove', ...v, 'R9'], 1, /^apdesk: vault 'Harbor' has no rule 'R9' — its rules: R1 'Existing'$/m],
    ['a missing file', (v) => ['rules', 'import', ...v, '/nonexistent/rules.json'], 1, /^apdesk: cannot read the rules file '\/nonexistent\/rules.json': no such file$/m],
    ['a bad on/off', (v) => ['rules', 'options', ...v, '--allow-zero', 'maybe'], 2, /^apdesk: --allow-zero takes on or off, not 'maybe'$/m],
    ['a non-admin', (v) => ['rules', 'add', ...v, '--name', 'X', '--reviewer', 'pat', '--user', 'lee'], 1, /^apdesk: user 'lee' may not change routing rules: it needs the admin role/],
  ];
  it.each(refused)('refuses %s and changes nothing', async (_what, args, code, message) => {
    const { dir, d, v } = await harbor();
    await ok(['user', 'add', 'lee', '--role', 'reviewer', ...d]);
    await ok(['rules', 'add', ...v, '--name', 'Existing', '--reviewer', 'lee']);
    const before = await snapshot(dir);
    const result = await runCli(args(v));
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^apdesk: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('lets anyone list the rules, and shows help', async () => {
    const { d, v } = await harbor();
    await ok(['user', 'add', 'lee', '--role', 'reviewer', ...d]);
    expect(await ok(['rules', 'list', ...v, '--user', 'lee'])).toContain('No routing rules. Add one: apdesk rules add --vault harbor');
    expect(await ok(['help', 'rules', 'import'])).toContain('apdesk rules import --vault VAULT FILE [--replace]');
    expect(await ok(['rules', 'add', '--help'])).toContain('--reviewer USER[:SEQ]');
  });
});
