import { join } from 'node:path';
import type { Desk } from '../app/desk.js';
import { SORT_COLUMNS, type InvoiceQuery, type SortColumn } from '../app/invoices.js';
import { UsageError } from '../domain/errors.js';
import { documentOf, INVOICE_STATUSES, isInvoiceStatus, type Invoice, type InvoiceStatus } from '../domain/invoice.js';
import { displayMoney, formatMoney } from '../domain/money.js';
import { plural } from '../domain/workflow.js';
import { printJson, stringOption, type Command, type CommandContext } from './command.js';
import { keyValues, oneLine, table } from './format.js';
import { withRemedy } from './remedy.js';

/** The invoice as scripts see it: money as decimal strings, file paths absolute. */
export function invoiceJson(desk: Desk, invoice: Invoice) {
  const money = (value: number | null) => (value === null ? null : formatMoney(value as never));
  const document = documentOf(invoice);
  return {
    ...invoice,
    header: { ...invoice.header, total: money(invoice.header.total), retainage: money(invoice.header.retainage) },
    lines: invoice.lines.map((line) => ({ ...line, amount: money(line.amount), retainage: money(line.retainage) })),
    attachments: invoice.attachments.map((attachment) => ({ ...attachment, path: join(desk.dataDir, attachment.path) })),
    payment: invoice.payment ? { ...invoice.payment, amount: money(invoice.payment.amount) } : (invoice.payment ?? null),
    ...(invoice.procorePayment?.state === 'created' ? { procorePayment: { ...invoice.procorePayment, amount: money(invoice.procorePayment.amount) } } : {}),
    documentPath: document ? join(desk.dataDir, document.path) : null,
    pages: document?.pages ?? null,
  };
}

function sourceLabel(invoice: Invoice): string {
  return invoice.source.kind;
}

function statusesOf(values: readonly string[]): InvoiceStatus[] {
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean)
    .map((value) => {
      if (!isInvoiceStatus(value)) throw new UsageError(`status '${value}' is not one of: ${INVOICE_STATUSES.join(', ')}`);
      return value;
    });
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min) throw new UsageError(`--${flag} takes a whole number${min ? ` from ${min}` : ''}, not '${value}'`);
  return number;
}

export const invoicesListCommand: Command = {
  path: ['invoices', 'list'],
  summary: 'List invoices and documents: filter, sort and page them',
  usage:
    'apdesk invoices list [--vault VAULT] [--queue QUEUE] [--status STATUS[,STATUS]] [--vendor V] [--search TEXT] [--sort COLUMN] [--desc] [--limit N] [--offset N] [--json]',
  details: [
    `Statuses: ${INVOICE_STATUSES.join(', ')}. Sort columns: ${SORT_COLUMNS.join(', ')} (default created).`,
    'Text output shows the first 50 (say --limit for more) and how many match in all. --json prints every',
    'match unless --limit is given, as whole invoices, one per line of a JSON array: all of them are',
    'streamed in the order they are stored, unless --sort (or --limit, --offset) asks for the list order.',
  ].join('\n'),
  options: {
    vault: { type: 'string', value: 'VAULT', description: 'only this vault' },
    queue: { type: 'string', value: 'QUEUE', description: 'only this queue (needs --vault when there are several vaults)' },
    status: { type: 'string', multiple: true, value: 'STATUS', description: 'only these statuses (repeatable, or comma-separated)' },
    vendor: { type: 'string', value: 'V', description: "only this vendor's invoices (vendor code)" },
    search: { type: 'string', value: 'TEXT', description: 'only invoices whose id, vendor, invoice number or description contain TEXT' },
    sort: { type: 'string', value: 'COLUMN', description: `sort by ${SORT_COLUMNS.join(', ')}`, choices: SORT_COLUMNS },
    desc: { type: 'boolean', description: 'sort in descending order' },
    limit: { type: 'string', value: 'N', description: 'at most N invoices (text: 50 by default)' },
    offset: { type: 'string', value: 'N', description: 'skip the first N matches' },
  },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const raw = ctx.values.status;
    const status = statusesOf(Array.isArray(raw) ? raw : []);
    const limit = wholeNumber(stringOption(ctx.values, 'limit'), 'limit', 1);
    const offset = wholeNumber(stringOption(ctx.values, 'offset'), 'offset', 0) ?? 0;
    const text = (name: string) => stringOption(ctx.values, name);
    const query: InvoiceQuery = {
      ...(text('vault') !== undefined ? { vault: text('vault')! } : {}),
      ...(text('queue') !== undefined ? { queue: text('queue')! } : {}),
      ...(status.length ? { status } : {}),
      ...(text('vendor') !== undefined ? { vendor: text('vendor')! } : {}),
      ...(text('search') !== undefined ? { text: text('search')! } : {}),
      ...(text('sort') !== undefined ? { sort: text('sort') as SortColumn } : {}),
      descending: ctx.values.desc === true,
      offset,
    };
    if (ctx.json) return printInvoicesJson(ctx, desk, query, limit, text('sort') !== undefined);
    const page = await desk.invoices.list({ ...query, limit: limit ?? 50 });
    if (!page.total) return ctx.out('No invoices match.');
    const shown = page.rows.length;
    const rangeNote =
      shown === page.total ? plural(page.total, 'invoice') : `${offset + 1}–${offset + shown} of ${page.total} invoices (--offset ${offset + shown} for more)`;
    ctx.out(
      table(
        ['ID', 'VAULT', 'QUEUE', 'STATUS', 'VENDOR', 'INVOICE #', 'TOTAL', 'JOB', 'SOURCE'],
        page.rows.map((row) => [
          row.id,
          row.vaultId,
          oneLine(row.queueName),
          row.status,
          oneLine(row.vendor),
          oneLine(row.invoiceNumber),
          row.total === null ? '-' : displayMoney(row.total),
          oneLine(row.job),
          row.source,
        ]),
      ) + `\n${rangeNote}`,
    );
  },
};

/**
 * The matching invoices as one JSON array, one invoice per line. A page (--limit) comes in the
 * list's order. Every match without --sort is streamed in the order the invoices are stored: each
 * is written as it is read, so a 50,000-invoice vault never sits in memory; with --sort they are
 * kept as compact text until all are read, then written in that order.
 */
async function printInvoicesJson(ctx: CommandContext, desk: Desk, query: InvoiceQuery, limit: number | undefined, sorted: boolean): Promise<void> {
  const line = (invoice: Invoice) => JSON.stringify(invoiceJson(desk, invoice));
  // Written a megabyte at a time: 50,000 writes of one invoice each cost more than reading them.
  let first = true;
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pending.length) await ctx.write(pending.join(''));
    pending = [];
    pendingBytes = 0;
  };
  const emit = async (text: string) => {
    pending.push(`${first ? '[\n' : ',\n'}${text}`);
    first = false;
    pendingBytes += text.length;
    if (pendingBytes >= 1 << 20) await flush();
  };
  if (limit === undefined && !sorted && query.offset === 0) {
    for await (const invoice of desk.invoices.stream(query)) await emit(line(invoice));
  } else {
    const order = await desk.invoices.list({ ...query, ...(limit !== undefined ? { limit } : {}) });
    const texts = new Map<string, Buffer>();
    for await (const invoice of desk.invoices.read(order.rows)) texts.set(invoice.id, Buffer.from(line(invoice)));
    for (const row of order.rows) {
      const text = texts.get(row.id);
      if (text !== undefined) await emit(text.toString());
    }
  }
  await flush();
  await ctx.write(first ? '[]\n' : '\n]\n');
}

export const invoicesShowCommand: Command = {
  path: ['invoices', 'show'],
  summary: 'Show one invoice: header, lines, files and audit trail',
  usage: 'apdesk invoices show ID [--json]',
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const invoice = await desk.invoices.get(ctx.positionals[0] ?? '');
    if (ctx.json) return printJson(ctx, invoiceJson(desk, invoice));
    const vault = (await desk.vaults.list()).find((v) => v.id === invoice.vaultId);
    const queue = vault?.queues.find((q) => q.id === invoice.queueId);
    const document = documentOf(invoice);
    const money = (value: number | null) => (value === null ? '-' : displayMoney(value as never));
    const parts = [
      keyValues([
        ['invoice', invoice.id],
        ['vault', vault ? `${vault.name} (${vault.id})` : invoice.vaultId],
        ['queue', queue?.name ?? invoice.queueId],
        ['status', invoice.status],
        ['source', sourceLabel(invoice)],
        ['vendor', oneLine(invoice.header.vendor)],
        ['invoice #', oneLine(invoice.header.invoiceNumber)],
        ['invoice date', oneLine(invoice.header.invoiceDate)],
        ['due date', oneLine(invoice.header.dueDate)],
        ['total', money(invoice.header.total)],
        ['retainage', money(invoice.header.retainage)],
        ...(invoice.header.creditMemo ? ([['credit memo', 'yes: its amounts may be negative']] as const) : []),
        ['document', document ? `${join(desk.dataDir, document.path)} (${document.pages ?? '?'} page${document.pages === 1 ? '' : 's'})` : 'none'],
      ]),
    ];
    if (invoice.flags.length) parts.push('', 'Needs attention:', ...invoice.flags.map((flag) => `  ! ${oneLine(flag)}`));
    if (invoice.hold) {
      parts.push('', `On hold since ${invoice.hold.at} by ${invoice.hold.by}: ${oneLine(invoice.hold.reason)} (release returns it to ${invoice.hold.previous})`);
    }
    if (invoice.routing?.outcome === 'failed') {
      parts.push('', `Not routed (${invoice.routing.at}) because:`, ...invoice.routing.reasons.map((reason) => `  - ${oneLine(reason)}`));
    }
    const issues = invoice.validation?.issues ?? [];
    if (issues.length) {
      parts.push('', `Validation (${invoice.validation!.level}, ${invoice.validation!.at}):`, ...issues.map((issue) => `  ${issue.level}: ${oneLine(withRemedy(issue))}`));
    }
    if (invoice.exported) parts.push('', `Exported ${invoice.exported.at} by ${invoice.exported.by} to ${invoice.exported.file}`);
    if (invoice.payment) {
      const p = invoice.payment;
      parts.push(`Paid by check ${oneLine(p.checkNumber)} of ${p.checkDate}, ${displayMoney(p.amount)}, ${oneLine(p.method)}`);
    }
    if (invoice.lines.length) {
      parts.push(
        '',
        table(
          ['LINE', 'TYPE', 'JOB', 'COST CODE', 'COMMITMENT', 'AMOUNT', 'REVIEWERS', 'DESCRIPTION'],
          invoice.lines.map((line, index) => [
            String(index + 1),
            line.type,
            oneLine(line.job),
            [line.costCode, line.category].filter(Boolean).map((v) => oneLine(v)).join(' / ') || '-',
            oneLine(line.commitment),
            displayMoney(line.amount),
            line.reviewers.map((r) => `${r.user}:${r.sequence} ${r.status}`).join(', ') || '-',
            oneLine(line.description),
          ]),
        ),
      );
    }
    parts.push(
      '',
      'Audit trail:',
      ...invoice.audit.map((entry) => `  ${entry.at}  ${entry.user}  ${entry.action}  ${entry.outcome}${entry.detail ? `  ${oneLine(entry.detail)}` : ''}`),
    );
    ctx.out(parts.join('\n'));
  },
};
