import { JOB_KINDS, JOB_LABELS, parseInterval, parseJobKind } from '../domain/jobs.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, flagValue } from './command.js';
import { table } from './format.js';
import { UserError } from '../domain/errors.js';


const ago = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');

export const jobsListCommand: Command = {
  path: ['jobs', 'list'],
  summary: 'List the scheduled jobs of the vaults: schedule, last and next run, outcome, error',
  usage: 'apdesk jobs list [--vault VAULT] [--json]',
  options: { vault: { ...VAULT_OPTION.vault, description: 'only this vault' } },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const { jobStatuses } = await import('../sync/status.js');
    const rows = await jobStatuses(desk, stringOption(ctx.values, 'vault'));
    const loop = await desk.sync.leaseHolder();
    // One row per job, as before; who runs the loop is in `apdesk status --json`.
    if (ctx.json) return printJson(ctx, rows);
    if (!rows.length) return ctx.out(`No jobs configured. Enable one: apdesk jobs enable --vault VAULT ${JOB_KINDS.join('|')}`);
    ctx.out(
      table(
        ['VAULT', 'JOB', 'ENABLED', 'EVERY', 'LAST RUN', 'OUTCOME', 'NEXT RUN'],
        rows.map((row) => [
          row.vaultId,
          row.kind,
          row.enabled ? 'yes' : 'no',
          `${row.everyMinutes}m`,
          ago(row.lastRun?.startedAt),
          row.lastRun ? (row.lastRun.outcome === 'ok' ? row.lastRun.summary : 'error') : '-',
          row.enabled ? (loop && !loop.expired ? ago(row.nextRunAt) : 'when the sync loop runs') : '-',
        ]),
      ),
    );
    for (const row of rows) {
      const where = `${row.vaultId} ${row.kind}`;
      if (row.lastRun?.error) ctx.out(`${where}: last error: ${row.lastRun.error}`);
      if (row.enabled && row.blocker) ctx.out(`${where}: nothing imports: ${row.blocker}`);
      if (row.plan && row.enabled && !row.blocker) {
        const plan = row.plan;
        ctx.out(
          `${where}: polls ${plan.hotProjects} project${plan.hotProjects === 1 ? '' : 's'} with invoices in flight every ${Math.round(plan.hotMs / 1000)} s and ${plan.coldProjects} other${plan.coldProjects === 1 ? '' : 's'} every ${Math.round(plan.coldMs / 60_000)} min: about ${plan.requestsPerHour} requests an hour when idle, of a budget of ${plan.budgetPerHour}` +
            (row.projectsVisible !== null ? ` (${row.projectsVisible} project${row.projectsVisible === 1 ? '' : 's'} visible to the connected user)` : ''),
        );
      }
    }
    if (!loop || loop.expired) ctx.out('The sync loop is not running: start it with apdesk sync (or run the jobs once: apdesk sync --once).');
  },
};

export const jobsRunCommand: Command = {
  path: ['jobs', 'run'],
  summary: 'Run one job of a vault now, whatever its schedule',
  usage: `apdesk jobs run --vault VAULT ${JOB_KINDS.join('|')} [--json]`,
  options: { ...VAULT_OPTION },
  positionals: { min: 1, max: 1, names: 'JOB' },
  json: true,
  async run(ctx) {
    const vaultRef = requiredVault(ctx, this.usage);
    const kind = flagValue(() => parseJobKind(ctx.positionals[0] ?? ''));
    const desk = await ctx.desk();
    const vault = await desk.vaults.get(vaultRef);
    const job = (await desk.jobs.list(vault.id)).find((candidate) => candidate.kind === kind);
    if (!job) throw new UserError(`vault '${vault.name}' has no ${kind} job — enable it first: apdesk jobs enable --vault ${vault.id} ${kind}`);
    const { runJobNow } = await import('../sync/loop.js');
    const { cycleText } = await import('./sync.js');
    const run = await runJobNow(desk, vault, job, `apdesk jobs run ${kind}`);
    if (ctx.json) printJson(ctx, run);
    else ctx.out(cycleText([{ vaultId: vault.id, vaultName: vault.name, runs: [run], note: null }]));
    if (run.outcome === 'not-run') throw new UserError(`${JOB_LABELS[kind]} could not run: ${run.error}`);
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
