import { setJob } from '../app/jobs.js';
import { JOB_KINDS, JOB_LABELS, parseInterval, parseJobKind } from '../domain/jobs.js';
import { requireVault } from '../domain/vault.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command } from './command.js';
import { table } from './format.js';


export const jobsListCommand: Command = {
  path: ['jobs', 'list'],
  summary: 'List the scheduled jobs of the vaults',
  usage: 'apdesk jobs list [--vault VAULT] [--json]',
  options: { vault: { ...VAULT_OPTION.vault, description: 'only this vault' } },
  json: true,
  async run(ctx) {
    const settings = await (await ctx.desk()).store.settings();
    const vaultRef = stringOption(ctx.values, 'vault');
    const vaults = vaultRef ? [requireVault(settings.vaults, vaultRef)] : settings.vaults;
    const jobs = (settings.jobs ?? []).filter((job) => vaults.some((vault) => vault.id === job.vaultId));
    if (ctx.json) return printJson(ctx, jobs);
    if (!jobs.length) return ctx.out(`No jobs configured. Enable one: apdesk jobs enable --vault VAULT ${JOB_KINDS.join('|')}`);
    ctx.out(
      table(
        ['VAULT', 'JOB', 'NAME', 'ENABLED', 'EVERY', 'CHANGED'],
        jobs.map((job) => [job.vaultId, job.kind, JOB_LABELS[job.kind], job.enabled ? 'yes' : 'no', `${job.everyMinutes}m`, `${job.updatedAt} by ${job.updatedBy}`]),
      ),
    );
  },
};

function jobCommand(enabled: boolean): Command {
  const verb = enabled ? 'enable' : 'disable';
  return {
    path: ['jobs', verb],
    summary: enabled ? 'Configure and enable a scheduled job for a vault' : 'Disable a scheduled job',
    usage: `apdesk jobs ${verb} --vault VAULT ${JOB_KINDS.join('|')}${enabled ? ' [--every 15m]' : ''}`,
    details: JOB_KINDS.map((kind) => `${kind}: ${JOB_LABELS[kind]}`).join('\n'),
    options: {
      ...VAULT_OPTION,
      ...(enabled ? { every: { type: 'string', value: 'INTERVAL', description: 'how often it runs, e.g. 15m or 2h' } } : {}),
    },
    positionals: { min: 1, max: 1, names: 'JOB' },
    json: true,
    async run(ctx) {
      const vault = requiredVault(ctx, this.usage);
      const every = stringOption(ctx.values, 'every');
      const job = await setJob(await ctx.desk(), {
        vault,
        kind: parseJobKind(ctx.positionals[0] ?? ''),
        enabled,
        ...(every !== undefined ? { everyMinutes: parseInterval(every) } : {}),
      });
      if (ctx.json) return printJson(ctx, job);
      ctx.out(`${JOB_LABELS[job.kind]} is ${job.enabled ? `enabled for vault '${job.vaultId}', every ${job.everyMinutes} minutes` : `disabled for vault '${job.vaultId}'`}.`);
    },
  };
}

export const jobsEnableCommand = jobCommand(true);
export const jobsDisableCommand = jobCommand(false);
