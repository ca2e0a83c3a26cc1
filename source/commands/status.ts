import { INVOICE_STATUSES } from '../domain/invoice.js';
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
    const status = await (await ctx.desk()).status.desk();
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
        [
          'sync loop',
          status.sync
            ? `${status.sync.expired ? 'gone (its lease can be taken over): was ' : ''}process ${status.sync.holder.pid} on ${status.sync.holder.host} (${status.sync.holder.user}) since ${status.sync.holder.since}, last heartbeat ${status.sync.holder.heartbeatAt}`
            : 'not running',
        ],
      ]),
    ];
    if (status.vaults.length) {
      lines.push(
        '',
        table(
          ['VAULT', 'ACCOUNTING', 'PROCORE', 'INVOICES'],
          status.vaults.map((summary) => [
            summary.vault.name,
            ACCOUNTING_LABELS[summary.vault.accounting] + (summary.vault.ledger ? '' : ' (no data)'),
            procoreState(summary.vault),
            String(summary.invoices),
          ]),
        ),
        '',
        // Every status, those a clerk must act on (incomplete, rejected, on hold) included: one
        // row per status and a column per vault keeps the table narrow however many there are.
        table(
          ['STATUS', ...status.vaults.map((summary) => summary.vault.name)],
          INVOICE_STATUSES.map((name) => [name, ...status.vaults.map((summary) => String(summary.byStatus[name]))]),
        ),
        '',
      );
      for (const entry of status.imports) lines.push(`Procore import of ${entry.vaultId}: ${entry.state}`);
    } else {
      lines.push('', 'No vaults yet. Create one: apdesk vault add NAME --accounting sage300');
    }
    ctx.out(lines.join('\n'));
  },
};
