import { deskStatus } from '../app/summary.js';
import { ACCOUNTING_LABELS, supportsProcore, type Vault } from '../domain/vault.js';
import { printJson, type Command } from './command.js';
import { keyValues, table } from './format.js';

function procoreState(vault: Vault): string {
  if (!supportsProcore(vault)) return '-';
  const connection = vault.procore?.connection;
  if (!connection || connection.state === 'not-connected') return 'not connected';
  if (connection.state === 'reconnect-needed') return 'RECONNECT NEEDED';
  return vault.procore?.companyId ? 'connected' : 'connected, no company';
}

export const statusCommand: Command = {
  path: ['status'],
  summary: 'Show the data dir, its vaults and what is in them',
  usage: 'apdesk status [--json]',
  json: true,
  async run(ctx) {
    const status = await deskStatus(await ctx.desk());
    if (ctx.json) return printJson(ctx, status);
    const lines = [
      keyValues([
        ['data dir', status.dataDir + (status.initialized ? '' : ' (new: nothing written yet)')],
        ['user', `${status.user}${status.roles.length ? ` (${status.roles.join(', ')})` : ' (no roles)'}`],
        ['schema', String(status.schemaVersion)],
        ['vaults', String(status.vaults.length)],
        ...(status.lock
          ? ([['lock', `held by process ${status.lock.pid} (${status.lock.user}, \`${status.lock.command}\`) since ${status.lock.since}`]] as const)
          : []),
      ]),
    ];
    if (status.vaults.length) {
      lines.push(
        '',
        table(
          ['VAULT', 'ACCOUNTING', 'PROCORE', 'INVOICES', 'UNPROCESSED', 'PENDING', 'APPROVED', 'EXPORTED', 'PAID'],
          status.vaults.map((summary) => [
            summary.vault.name,
            ACCOUNTING_LABELS[summary.vault.accounting] + (summary.vault.ledger ? '' : ' (no data)'),
            procoreState(summary.vault),
            String(summary.invoices),
            String(summary.byStatus.unprocessed),
            String(summary.byStatus.pending),
            String(summary.byStatus.approved),
            String(summary.byStatus.exported),
            String(summary.byStatus.paid),
          ]),
        ),
      );
    } else {
      lines.push('', 'No vaults yet. Create one: apdesk vault add NAME --accounting sage300');
    }
    ctx.out(lines.join('\n'));
  },
};
