import { join } from 'node:path';
import type { Desk } from '../app/desk.js';
import { UserError, UsageError } from '../domain/errors.js';
import { documentOf, INVOICE_STATUSES, isInvoiceStatus, type Invoice } from '../domain/invoice.js';
import { displayMoney, formatMoney } from '../domain/money.js';
import { requireQueue, requireVault } from '../domain/vault.js';
import { printJson, stringOption, type Command } from './command.js';
import { keyValues, oneLine, table } from './format.js';

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
    documentPath: document ? join(desk.dataDir, document.path) : null,
    pages: document?.pages ?? null,
  };
}

function sourceLabel(invoice: Invoice): string {
  return invoice.source.kind;
}

export const invoicesListCommand: Command = {
  path: ['invoices', 'list'],
  summary: 'List invoices and documents, filtered by vault, queue or status',
  usage: 'apdesk invoices list [--vault VAULT] [--queue QUEUE] [--status STATUS] [--json]',
  details: `Statuses: ${INVOICE_STATUSES.join(', ')}.`,
  options: {
    vault: { type: 'string', value: 'VAULT', description: 'only this vault' },
    queue: { type: 'string', value: 'QUEUE', description: 'only this queue (needs --vault when there are several vaults)' },
    status: { type: 'string', value: 'STATUS', description: 'only this status' },
  },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const settings = await desk.store.settings();
    const vaultRef = stringOption(ctx.values, 'vault');
    const queueRef = stringOption(ctx.values, 'queue');
    const status = stringOption(ctx.values, 'status');
    if (status !== undefined && !isInvoiceStatus(status)) {
      throw new UserError(`status '${status}' is not one of: ${INVOICE_STATUSES.join(', ')}`);
    }
    let vaults = settings.vaults;
    if (vaultRef !== undefined) vaults = [requireVault(settings.vaults, vaultRef)];
    let queueId: string | undefined;
    if (queueRef !== undefined) {
      if (vaults.length !== 1) throw new UsageError('--queue needs --vault VAULT to say whose queue it is');
      queueId = requireQueue(vaults[0]!, queueRef).id;
    }
    const invoices: Invoice[] = [];
    for (const vault of vaults) {
      for (const invoice of await desk.store.invoices(vault.id)) {
        if (queueId !== undefined && invoice.queueId !== queueId) continue;
        if (status !== undefined && invoice.status !== status) continue;
        invoices.push(invoice);
      }
    }
    invoices.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    if (ctx.json) return printJson(ctx, invoices.map((invoice) => invoiceJson(desk, invoice)));
    if (!invoices.length) return ctx.out('No invoices match.');
    const queueName = (invoice: Invoice) =>
      settings.vaults.find((v) => v.id === invoice.vaultId)?.queues.find((q) => q.id === invoice.queueId)?.name ?? invoice.queueId;
    ctx.out(
      table(
        ['ID', 'VAULT', 'QUEUE', 'STATUS', 'VENDOR', 'INVOICE #', 'TOTAL', 'PAGES', 'SOURCE'],
        invoices.map((invoice) => [
          invoice.id,
          invoice.vaultId,
          oneLine(queueName(invoice)),
          invoice.status,
          oneLine(invoice.header.vendor),
          oneLine(invoice.header.invoiceNumber),
          invoice.header.total === null ? '-' : displayMoney(invoice.header.total),
          String(documentOf(invoice)?.pages ?? '-'),
          sourceLabel(invoice),
        ]),
      ) + `\n${invoices.length} invoice${invoices.length === 1 ? '' : 's'}`,
    );
  },
};

export const invoicesShowCommand: Command = {
  path: ['invoices', 'show'],
  summary: 'Show one invoice: header, lines, files and audit trail',
  usage: 'apdesk invoices show ID [--json]',
  positionals: { min: 1, max: 1, names: 'ID' },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const id = ctx.positionals[0] ?? '';
    const invoice = await desk.store.findInvoice(id);
    if (!invoice) throw new UserError(`no invoice '${id}' — list them with \`apdesk invoices list\``);
    if (ctx.json) return printJson(ctx, invoiceJson(desk, invoice));
    const settings = await desk.store.settings();
    const vault = settings.vaults.find((v) => v.id === invoice.vaultId);
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
      parts.push('', `Validation (${invoice.validation!.level}, ${invoice.validation!.at}):`, ...issues.map((issue) => `  ${issue.level}: ${oneLine(issue.message)}`));
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
