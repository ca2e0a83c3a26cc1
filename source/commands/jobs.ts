import { JOB_KINDS, JOB_LABELS, parseInterval, parseJobKind } from '../domain/jobs.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, flagValue } from './command.js';
import { table } from './format.js';


export const jobsListCommand: Command = {
  path: ['jobs', 'list'],
  summary: 'List the scheduled jobs of the vaults',
  usage: 'apdesk jobs list [--vault VAULT] [--json]',
  options: { vault: { ...VAULT_OPTION.vault, description: 'only this vault' } },
  json: true,
  async run(ctx) {
    const jobs = await (await ctx.desk()).jobs.list(stringOption(ctx.values, 'vault'));
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
      const job = await (await ctx.desk()).jobs.set({
        vault,
        kind: flagValue(() => parseJobKind(ctx.positionals[0] ?? '')),
        enabled,
        ...(every !== undefined ? { everyMinutes: flagValue(() => parseInterval(every)) } : {}),
      });
      if (ctx.json) return printJson(ctx, job);
      ctx.out(`${JOB_LABELS[job.kind]} is ${job.enabled ? `enabled for vault '${job.vaultId}', every ${job.everyMinutes} minutes` : `disabled for vault '${job.vaultId}'`}.`);
    },
  };
}

export const jobsEnableCommand = jobCommand(true);
export const jobsDisableCommand = jobCommand(false);
