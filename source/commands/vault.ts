import { UsageError } from '../domain/errors.js';
import { ACCOUNTING_LABELS, parseAccounting } from '../domain/vault.js';
import { printJson, stringOption, type Command, flagValue } from './command.js';
import { keyValues, table } from './format.js';

export const vaultListCommand: Command = {
  path: ['vault', 'list'],
  summary: 'List the vaults',
  usage: 'apdesk vault list [--json]',
  json: true,
  async run(ctx) {
    const summaries = await (await ctx.desk()).status.vaults();
    if (ctx.json) {
      return printJson(
        ctx,
        summaries.map((summary) => ({ ...summary.vault, invoices: summary.invoices })),
      );
    }
    if (!summaries.length) return ctx.out('No vaults yet. Create one: apdesk vault add NAME --accounting sage300');
    ctx.out(
      table(
        ['ID', 'NAME', 'ACCOUNTING', 'LICENCES', 'QUEUES', 'INVOICES'],
        summaries.map(({ vault, invoices }) => [
          vault.id,
          vault.name,
          ACCOUNTING_LABELS[vault.accounting],
          vault.licences.join(',') || '-',
          String(vault.queues.length),
          String(invoices),
        ]),
      ),
    );
  },
};

export const vaultAddCommand: Command = {
  path: ['vault', 'add'],
  summary: 'Create a vault bridged to an accounting system',
  usage: 'apdesk vault add NAME --accounting sage100|sage300|other',
  details: 'Only Sage 100 and Sage 300 vaults can be configured for Procore.',
  options: { accounting: { type: 'string', value: 'SYSTEM', description: 'sage100, sage300 or other' } },
  positionals: { min: 1, max: 1, names: 'NAME' },
  json: true,
  async run(ctx) {
    const accounting = stringOption(ctx.values, 'accounting');
    if (!accounting) throw new UsageError('say which accounting system the vault is bridged to: --accounting sage100|sage300|other');
    const vault = await (await ctx.desk()).vaults.add({ name: ctx.positionals[0] ?? '', accounting: flagValue(() => parseAccounting(accounting)) });
    if (ctx.json) return printJson(ctx, vault);
    ctx.out(`Created vault '${vault.name}' (id ${vault.id}, ${ACCOUNTING_LABELS[vault.accounting]}).`);
  },
};

export const vaultShowCommand: Command = {
  path: ['vault', 'show'],
  summary: 'Show one vault: accounting, licences, queues',
  usage: 'apdesk vault show VAULT [--json]',
  positionals: { min: 1, max: 1, names: 'VAULT' },
  json: true,
  async run(ctx) {
    const summary = await (await ctx.desk()).vaults.summary(ctx.positionals[0] ?? '');
    const vault = summary.vault;
    if (ctx.json) {
      return printJson(ctx, {
        ...vault,
        invoices: summary.invoices,
        byStatus: summary.byStatus,
        queues: vault.queues.map((queue) => ({
          ...queue,
          documents: summary.queues.find((entry) => entry.queue.id === queue.id)?.documents ?? 0,
        })),
      });
    }
    const lines = [
      keyValues([
        ['vault', `${vault.name} (id ${vault.id})`],
        ['accounting', ACCOUNTING_LABELS[vault.accounting]],
        ['licences', vault.licences.join(', ') || 'none'],
        ['created', `${vault.createdAt} by ${vault.createdBy}`],
        ['invoices', String(summary.invoices)],
      ]),
      '',
      vault.queues.length
        ? table(
            ['QUEUE ID', 'QUEUE', 'DOCUMENTS'],
            vault.queues.map((queue) => [
              queue.id,
              queue.name,
              String(summary.queues.find((entry) => entry.queue.id === queue.id)?.documents ?? 0),
            ]),
          )
        : `No queues yet. Add one: apdesk queue add --vault ${vault.id} NAME`,
    ];
    ctx.out(lines.join('\n'));
  },
};
