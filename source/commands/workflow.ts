// The workflow from the command line: validate, route, approve, reject, export, reset, edit,
// backfill checks, and the audit trail.
import type { BatchOutcome, StepResult } from '../app/workflow.js';
import type { LoadProblem } from '../accounting/bridge.js';
import { UserError, UsageError } from '../domain/errors.js';
import { displayMoney } from '../domain/money.js';
import { VALIDATION_LEVELS, type ValidationLevel } from '../domain/rules.js';
import { HEADER_FIELDS, LINE_FIELDS, plural, type HeaderField, type InvoiceEdit, type LineField } from '../domain/workflow.js';
import { invoiceJson } from './invoices.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, type CommandContext } from './command.js';
import { oneLine, table } from './format.js';
import { withRemedy } from './remedy.js';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function lineNumbers(ctx: CommandContext): number[] | undefined {
  const raw = ctx.values.line;
  const list = Array.isArray(raw) ? raw : [];
  if (!list.length) return undefined;
  return list.map((value) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new UsageError(`--line takes a line number (1, 2, …), not '${value}'`);
    return number;
  });
}

function reportProblems(ctx: CommandContext, problems: readonly LoadProblem[]): void {
  for (const problem of problems) ctx.note(`apdesk: warning: ${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`);
}

function printStep(ctx: CommandContext, result: StepResult, verb: string): void {
  const { invoice, issues } = result;
  const lines = [`${invoice.id}: ${verb} — now ${invoice.status}.`];
  if (invoice.routing?.outcome === 'failed' && verb === 'not routed') {
    // The failed checks are among the reasons: each is said once.
    lines.push('  Stays in its queue because:', ...invoice.routing.reasons.map((reason) => `  - ${oneLine(reason)}`));
    for (const issue of issues) if (issue.level !== 'error') lines.push(`  warning: ${oneLine(withRemedy(issue))}`);
  } else {
    for (const issue of issues) lines.push(`  ${issue.level === 'error' ? 'error' : 'warning'}: ${oneLine(withRemedy(issue))}`);
  }
  ctx.out(lines.join('\n'));
}

/** Prints each id's outcome, in the order given; the ones that could not be done say why. */
function printBatch<T extends StepResult & { problems: LoadProblem[] }>(
  ctx: CommandContext,
  outcomes: readonly BatchOutcome<T>[],
  verb: (result: T) => string,
): void {
  const problems = new Map<string, LoadProblem>();
  for (const outcome of outcomes) if (outcome.ok) for (const problem of outcome.result.problems) problems.set(JSON.stringify(problem), problem);
  reportProblems(ctx, [...problems.values()]);
  for (const outcome of outcomes) {
    if (outcome.ok) printStep(ctx, outcome.result, verb(outcome.result));
    else ctx.out(`${outcome.id}: not done — ${oneLine(withRemedy(outcome.error))}`);
  }
}

export const invoicesValidateCommand: Command = {
  path: ['invoices', 'validate'],
  summary: 'Check invoices against the accounting system and the custom rules',
  usage: 'apdesk invoices validate ID... [--level before-routing|before-approving] [--json]',
  details: 'Errors block routing and approval; warnings do not. Exits 1 when any invoice has an error.',
  options: { level: { type: 'string', value: 'LEVEL', description: 'which custom rules to apply (default before-routing)', choices: VALIDATION_LEVELS } },
  positionals: { min: 1, max: Infinity, names: 'ID...' },
  json: true,
  async run(ctx) {
    const levelText = stringOption(ctx.values, 'level') ?? 'before-routing';
    if (!(VALIDATION_LEVELS as readonly string[]).includes(levelText)) throw new UsageError(`--level takes ${VALIDATION_LEVELS.join(' or ')}`);
    const outcomes = await (await ctx.desk()).workflow.validate(ctx.positionals, levelText as ValidationLevel);
    if (ctx.json) {
      printJson(ctx, outcomes.map((o) => (o.ok ? { id: o.id, outcome: o.result.outcome, issues: o.result.issues } : { id: o.id, outcome: 'not-done', error: withRemedy(o.error) })));
    } else {
      printBatch(ctx, outcomes, (r) => (r.outcome === 'ok' ? 'valid' : r.outcome === 'warning' ? 'valid with warnings' : 'NOT valid'));
    }
    const failed = outcomes.filter((o) => o.ok && o.result.outcome === 'error').length;
    const notDone = outcomes.filter((o) => !o.ok).length;
    if (failed || notDone) {
      throw new UserError([failed ? `${plural(failed, 'invoice')} failed validation` : '', notDone ? `${plural(notDone, 'invoice')} could not be validated` : ''].filter(Boolean).join('; '));
    }
  },
};

export const invoicesRouteCommand: Command = {
  path: ['invoices', 'route'],
  summary: 'Route invoices to their reviewers (validation must pass and every line get a reviewer)',
  usage: 'apdesk invoices route ID... [--json]',
  details: 'An invoice that cannot be routed stays in its queue as incomplete, with the reasons recorded. Exits 1 if any stayed.',
  positionals: { min: 1, max: Infinity, names: 'ID...' },
  json: true,
  async run(ctx) {
    const outcomes = await (await ctx.desk()).workflow.route(ctx.positionals);
    if (ctx.json) {
      printJson(
        ctx,
        outcomes.map((o) =>
          o.ok ? { id: o.id, status: o.result.invoice.status, routing: o.result.invoice.routing, issues: o.result.issues } : { id: o.id, status: 'not-done', error: withRemedy(o.error) },
        ),
      );
    } else {
      printBatch(ctx, outcomes, (r) => (r.outcome === 'ok' ? 'routed' : 'not routed'));
    }
    const stayed = outcomes.filter((o) => o.ok && o.result.outcome === 'error').length;
    const notDone = outcomes.filter((o) => !o.ok).length;
    if (stayed || notDone) {
      throw new UserError(
        [stayed ? `${plural(stayed, 'invoice')} could not be routed and ${stayed === 1 ? 'stays in its queue' : 'stay in their queues'}` : '', notDone ? `${plural(notDone, 'invoice')} could not be tried` : '']
          .filter(Boolean)
          .join('; '),
      );
    }
  },
};

export const invoicesApproveCommand: Command = {
  path: ['invoices', 'approve'],
  summary: 'Approve the lines that wait on you (reviewers approve in sequence)',
  usage: 'apdesk invoices approve ID [--line N...] [--json]',
  options: { line: { type: 'string', multiple: true, value: 'N', description: 'only this line (repeatable)' } },
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).workflow.approve(ctx.positionals[0]!, lineNumbers(ctx));
    if (ctx.json) return printJson(ctx, { id: result.invoice.id, status: result.invoice.status, detail: result.detail, issues: result.issues });
    printStep(ctx, result, result.detail);
    if (result.outcome === 'error') throw new UserError(`invoice ${result.invoice.id} cannot be approved until the errors above are fixed`);
  },
};

export const invoicesRejectCommand: Command = {
  path: ['invoices', 'reject'],
  summary: 'Reject the lines that wait on you, with a reason for the processor',
  usage: 'apdesk invoices reject ID --reason TEXT [--line N...] [--json]',
  options: {
    reason: { type: 'string', value: 'TEXT', description: 'why (the processor reads it)', required: true },
    line: { type: 'string', multiple: true, value: 'N', description: 'only this line (repeatable)' },
  },
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).workflow.reject(ctx.positionals[0]!, stringOption(ctx.values, 'reason') ?? '', lineNumbers(ctx));
    if (ctx.json) return printJson(ctx, { id: result.invoice.id, status: result.invoice.status, detail: result.detail });
    printStep(ctx, result, result.detail);
  },
};

export const invoicesExportCommand: Command = {
  path: ['invoices', 'export'],
  summary: "Export a vault's approved invoices to its accounting system",
  usage: 'apdesk invoices export --vault VAULT [ID...] [--json]',
  details: 'Without IDs every approved invoice of the vault is exported. Exported invoices are read-only until reset for edit.',
  options: VAULT_OPTION,
  positionals: { min: 0, max: Infinity, names: 'ID...' },
  json: true,
  async run(ctx) {
    const { file, invoices } = await (await ctx.desk()).workflow.export(requiredVault(ctx, this.usage), ctx.positionals);
    if (ctx.json) return printJson(ctx, { file, invoices: invoices.map((invoice) => invoice.id) });
    if (!file) return ctx.out('No approved invoices to export.');
    ctx.out(`Exported ${plural(invoices.length, 'invoice')} to ${file}:\n${invoices.map((i) => `  ${i.id}  ${oneLine(i.header.vendor)}  ${oneLine(i.header.invoiceNumber)}`).join('\n')}`);
  },
};

export const invoicesResetCommand: Command = {
  path: ['invoices', 'reset'],
  summary: 'Reset an exported invoice for edit',
  usage: 'apdesk invoices reset ID [--json]',
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).workflow.reset(ctx.positionals[0]!);
    if (ctx.json) return printJson(ctx, { id: result.invoice.id, status: result.invoice.status });
    ctx.out(`${result.invoice.id}: reset for edit — now ${result.invoice.status}. Correct it in the accounting system too, then export it again.`);
  },
};

const headerOptions = Object.fromEntries(
  HEADER_FIELDS.map((field) => [kebab(field), { type: 'string' as const, value: 'VALUE', description: `set the ${kebab(field).replace(/-/g, ' ')} ('' clears it)` }]),
);

export const invoicesHoldCommand: Command = {
  path: ['invoices', 'hold'],
  summary: 'Put an invoice on hold, with a reason; nothing moves it until it is released',
  usage: 'apdesk invoices hold ID --reason TEXT [--json]',
  options: { reason: { type: 'string', value: 'TEXT', description: 'why (whoever releases it reads it)', required: true } },
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).workflow.hold(ctx.positionals[0]!, stringOption(ctx.values, 'reason') ?? '');
    if (ctx.json) return printJson(ctx, { id: result.invoice.id, status: result.invoice.status, hold: result.invoice.hold });
    ctx.out(`${result.invoice.id}: ${result.detail}. Release it with: apdesk invoices release ${result.invoice.id}`);
  },
};

export const invoicesReleaseCommand: Command = {
  path: ['invoices', 'release'],
  summary: 'Release an invoice from hold, back to the status it had',
  usage: 'apdesk invoices release ID [--json]',
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).workflow.release(ctx.positionals[0]!);
    if (ctx.json) return printJson(ctx, { id: result.invoice.id, status: result.invoice.status });
    ctx.out(`${result.invoice.id}: released — now ${result.invoice.status}.`);
  },
};

export const invoicesEditCommand: Command = {
  path: ['invoices', 'edit'],
  summary: "Edit an invoice's header fields and lines",
  usage: 'apdesk invoices edit ID [--vendor V] [--invoice-number N] [--total 1087.80] … [--add-line] [--set N.FIELD=VALUE] [--remove-line N]',
  details: [
    `Header: ${HEADER_FIELDS.map((f) => `--${kebab(f)}`).join(', ')}. Money as decimals, dates as YYYY-MM-DD or MM/DD/YYYY.`,
    `Lines: --set N.FIELD=VALUE (repeatable) with FIELD one of ${LINE_FIELDS.map(kebab).join(', ')};`,
    '--add-line adds a line at the end (repeatable; --set can then fill it); --remove-line N removes one.',
    'Example: apdesk invoices edit INV-000001 --vendor ABC-CON --total 1087.80 --add-line --set 1.job=2301 --set 1.cost-code=03-300 --set 1.amount=1087.80',
  ].join('\n'),
  options: {
    ...headerOptions,
    set: { type: 'string', multiple: true, value: 'N.FIELD=VALUE', description: 'set a line field' },
    'add-line': { type: 'boolean', multiple: true, description: 'add a line' },
    'remove-line': { type: 'string', multiple: true, value: 'N', description: 'remove a line' },
  },
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const id = ctx.positionals[0]!;
    const invoice = await desk.invoices.get(id);
    const edit: InvoiceEdit = {};
    const header: Partial<Record<HeaderField, string | null>> = {};
    for (const field of HEADER_FIELDS) {
      const value = stringOption(ctx.values, kebab(field));
      if (value !== undefined) header[field] = value === '' ? null : value;
    }
    if (Object.keys(header).length) edit.header = header;
    const added = Array.isArray(ctx.values['add-line']) ? ctx.values['add-line'].length : ctx.values['add-line'] ? 1 : 0;
    const existing = invoice.lines.length;
    const lines = new Map<number, Partial<Record<LineField, string | null>>>();
    const raw = ctx.values.set;
    for (const entry of Array.isArray(raw) ? raw : []) {
      const match = /^(\d+)\.([a-z-]+)=(.*)$/s.exec(entry);
      if (!match) throw new UsageError(`--set takes N.FIELD=VALUE (e.g. 2.cost-code=03-300), not '${entry}'`);
      const number = Number(match[1]);
      const field = camel(match[2]!) as LineField;
      if (!LINE_FIELDS.includes(field)) throw new UsageError(`'${match[2]}' is not a line field: ${LINE_FIELDS.map(kebab).join(', ')}`);
      if (number < 1 || number > existing + added) {
        throw new UsageError(`line ${number} does not exist (the invoice has ${existing}${added ? `, plus ${added} added` : ''})`);
      }
      lines.set(number, { ...lines.get(number), [field]: match[3] === '' ? null : match[3]! });
    }
    edit.lines = [...lines].filter(([n]) => n <= existing).map(([line, changes]) => ({ line, changes }));
    edit.addLines = Array.from({ length: added }, (_, k) => lines.get(existing + k + 1) ?? {});
    const removeRaw = ctx.values['remove-line'];
    edit.removeLines = (Array.isArray(removeRaw) ? removeRaw : []).map((value) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--remove-line takes a line number, not '${value}'`);
      return n;
    });
    if (!edit.header && !edit.lines.length && !edit.addLines.length && !edit.removeLines.length) {
      throw new UsageError(`say what to change — see \`apdesk help invoices edit\``);
    }
    const result = await desk.workflow.edit(id, edit);
    if (ctx.json) return printJson(ctx, invoiceJson(desk, result.invoice));
    ctx.out(`${result.invoice.id}: ${result.detail} — now ${result.invoice.status}.`);
  },
};

export const invoicesBackfillCommand: Command = {
  path: ['invoices', 'backfill'],
  summary: "Record the accounting system's checks on exported invoices (the Check Backfiller, run once)",
  usage: 'apdesk invoices backfill --vault VAULT [--json]',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const { paid, problems } = await desk.workflow.backfill(requiredVault(ctx, this.usage));
    reportProblems(ctx, problems);
    if (ctx.json) return printJson(ctx, paid.map((invoice) => ({ id: invoice.id, payment: invoiceJson(desk, invoice).payment })));
    if (!paid.length) return ctx.out('No new checks match exported invoices.');
    ctx.out(
      table(
        ['INVOICE', 'VENDOR', 'INVOICE #', 'CHECK', 'DATE', 'AMOUNT', 'METHOD'],
        paid.map((invoice) => [
          invoice.id,
          oneLine(invoice.header.vendor),
          oneLine(invoice.header.invoiceNumber),
          invoice.payment!.checkNumber,
          invoice.payment!.checkDate,
          displayMoney(invoice.payment!.amount),
          invoice.payment!.method,
        ]),
      ),
    );
  },
};

export const auditCommand: Command = {
  path: ['audit'],
  summary: "Read a vault's audit trail: who did what, when, with which outcome",
  usage: 'apdesk audit --vault VAULT [--user U] [--invoice ID] [--json]',
  details: 'Here --user filters by who acted; reading the trail acts as no one.',
  options: {
    ...VAULT_OPTION,
    user: { type: 'string', value: 'U', description: 'only what this user did' },
    invoice: { type: 'string', value: 'ID', description: 'only this invoice' },
  },
  json: true,
  async run(ctx) {
    const invoice = stringOption(ctx.values, 'invoice');
    const user = stringOption(ctx.values, 'user');
    const rows = await (await ctx.desk()).invoices.audit({
      vault: requiredVault(ctx, this.usage),
      ...(invoice !== undefined ? { invoice } : {}),
      ...(user !== undefined ? { user } : {}),
    });
    if (ctx.json) return printJson(ctx, rows);
    if (!rows.length) return ctx.out('Nothing in the audit trail matches.');
    ctx.out(
      table(
        ['TIME', 'USER', 'INVOICE', 'ACTION', 'OUTCOME', 'DETAIL'],
        rows.map((row) => [row.at, row.actingAdmin ? `${row.actingAdmin} as ${row.user}` : row.user, row.invoice, row.action, row.outcome, oneLine(row.detail)]),
      ),
    );
  },
};

export const WORKFLOW_COMMANDS: readonly Command[] = [
  invoicesEditCommand,
  invoicesValidateCommand,
  invoicesRouteCommand,
  invoicesApproveCommand,
  invoicesRejectCommand,
  invoicesExportCommand,
  invoicesResetCommand,
  invoicesHoldCommand,
  invoicesReleaseCommand,
  invoicesBackfillCommand,
  auditCommand,
];
