// `apdesk sync`: the sync loop, until stopped or once; the failed imports and reprocessing them.
import { hostname } from 'node:os';
import type { Desk } from '../app/desk.js';
import { UserError } from '../domain/errors.js';
import { JOB_LABELS } from '../domain/jobs.js';
import type { SyncEvent } from '../domain/sync.js';
import type { JobRun, VaultCycle } from '../sync/loop.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, type CommandContext } from './command.js';
import { table } from './format.js';
import { stopSignal } from './signals.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** One line per step, as the loop reports it. */
export function eventLine(event: SyncEvent): string | null {
  switch (event.kind) {
    case 'started':
      return `${event.vaultId}: ${JOB_LABELS[event.job]} started`;
    case 'finished':
      return `${event.vaultId}: ${JOB_LABELS[event.job]} ${event.outcome === 'ok' ? 'finished' : `finished with an error: ${event.error ?? ''}`}`;
    case 'imported':
      return `${event.vaultId}: requisition ${event.requisitionId} imported as ${event.invoiceId}${event.routed ? ', routed' : event.reasons.length ? `, left in the queue: ${event.reasons.join(' | ')}` : ''}`;
    case 'waiting':
      return `${event.vaultId}: requisition ${event.requisitionId} waits: ${event.reason}`;
    case 'skipped':
      return `${event.vaultId}: requisition ${event.requisitionId} skipped: ${event.reason}`;
    case 'failed':
      return `${event.vaultId}: ${event.requisitionId ? `requisition ${event.requisitionId}` : event.invoiceId ? `invoice ${event.invoiceId}` : 'a record'} failed: ${event.error}`;
    case 'payment-created':
      return `${event.vaultId}: payment ${event.paymentId} of ${event.amount} created in Procore for ${event.invoiceId}`;
    case 'document-added':
      return `${event.vaultId}: ${event.file} added as ${event.invoiceId}`;
    case 'rate-limit-pause':
      return `${event.vaultId}: Procore's rate limit: waiting ${Math.ceil(event.waitMs / 1000)} s`;
    case 'error':
      return `${event.vaultId}: ${JOB_LABELS[event.job]}: ${event.error}`;
  }
}

function runLines(run: JobRun): string[] {
  const r = run.report;
  const label = JOB_LABELS[run.job];
  if (run.outcome === 'not-run') return [`  ${label}: could not run — ${run.error}`];
  const parts: string[] = [];
  if (run.job === 'procore-import') {
    parts.push(`${plural(r.requisitionsSeen, 'approved requisition')} seen in ${plural(r.projectsPolled, 'project')}`);
    parts.push(`${r.imported.length} imported`, `${r.routed.length} routed`, `${r.leftInQueue.length} left in the queue`, `${r.waiting.length} waiting`, `${r.skipped.length} skipped`, `${r.failed.length} failed`);
  } else if (run.job === 'check-backfiller') {
    parts.push(`${r.paid.length} paid`, `${plural(r.paymentsCreated.length, 'payment')} created in Procore`, `${r.failed.length} failed`);
  } else {
    parts.push(`${plural(r.documentsAdded.length, 'document')} added`, `${r.skipped.length} skipped`, `${r.failed.length} refused`);
  }
  const cost = `${plural(run.requests, 'API request')}${r.downloads ? `, ${plural(r.downloads, 'file')} downloaded` : ''}`;
  const lines = [`  ${label}: ${parts.join(', ')} (${cost})`];
  const list = (title: string, items: readonly { id: string; reason: string }[]) => {
    for (const item of items) lines.push(`    ${title} ${item.id}: ${item.reason}`);
  };
  list('left in the queue', r.leftInQueue);
  list('waiting', r.waiting);
  list('skipped', r.skipped);
  list('failed', r.failed);
  for (const error of r.errors) lines.push(`    error: ${error}`);
  if (run.outcome === 'error' && !r.errors.length && run.error) lines.push(`    error: ${run.error}`);
  return lines;
}

export function cycleText(cycles: readonly VaultCycle[]): string {
  const lines: string[] = [];
  for (const cycle of cycles) {
    lines.push(`Vault '${cycle.vaultName}' (${cycle.vaultId})`);
    if (cycle.note) lines.push(`  ${cycle.note} — enable it with apdesk jobs enable --vault ${cycle.vaultId} ${cycle.runs.length ? 'procore-import' : 'JOB'}`);
    for (const run of cycle.runs) lines.push(...runLines(run));
  }
  return lines.join('\n');
}

/** Why `sync --once` could not do what it was asked, or null when every enabled job ran. */
function couldNotRun(cycles: readonly VaultCycle[]): string | null {
  const refused = cycles.flatMap((cycle) => cycle.runs.filter((run) => run.outcome === 'not-run').map((run) => `${JOB_LABELS[run.job]} of vault '${cycle.vaultName}': ${run.error}`));
  if (refused.length) return `could not run ${refused.join('; ')}`;
  if (cycles.every((cycle) => cycle.runs.length === 0)) {
    return cycles.length ? 'no job is enabled, so nothing ran — enable one with apdesk jobs enable --vault VAULT procore-import|check-backfiller|folder-watch' : 'this data dir has no vaults';
  }
  return null;
}

async function withLease<T>(desk: Desk, command: string, work: (lease: Awaited<ReturnType<Desk['sync']['takeLease']>>) => Promise<T>): Promise<T> {
  const lease = await desk.sync.takeLease(command);
  try {
    return await work(lease);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

export const syncCommand: Command = {
  path: ['sync'],
  summary: 'Run the sync loop: the Procore import, the check backfiller and the folder watch',
  usage: 'apdesk sync [--once] [--vault VAULT] [--json]',
  details:
    'Without --once: runs each vault\'s enabled jobs on their schedules until stopped (Ctrl+C or SIGTERM\n' +
    'finish the step in hand, then exit). One loop per data dir: a second one says who runs it.\n' +
    'With --once: runs every enabled job of each vault once, now, and prints what each did. It exits 0\n' +
    'when the jobs ran (invoices that failed validation are the data\'s state, shown in the summary) and\n' +
    'non-zero when one could not run (not connected, reconnect needed, licence missing, lease held).',
  options: {
    once: { type: 'boolean', description: 'run every enabled job once, now, and print a summary' },
    vault: { ...VAULT_OPTION.vault, description: 'only this vault' },
  },
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const vault = stringOption(ctx.values, 'vault');
    if (vault !== undefined) await desk.vaults.get(vault);
    const { runCycle, runLoop } = await import('../sync/loop.js');
    const stop = stopSignal();
    try {
      if (ctx.values.once === true) {
        const cycles = await withLease(desk, 'apdesk sync --once', () => runCycle(desk, { signal: stop.signal, ...(vault !== undefined ? { vault } : {}) }));
        if (ctx.json) printJson(ctx, cycles);
        else ctx.out(cycleText(cycles));
        const problem = couldNotRun(cycles);
        if (problem) throw new UserError(problem);
        return;
      }
      await withLease(desk, 'apdesk sync', async (lease) => {
        ctx.note(`apdesk: sync loop running (process ${process.pid} on ${hostname()}); Ctrl+C stops it`);
        // Schedules carry over from earlier runs: say when each job runs next, so a quiet start is not a mystery.
        const { jobStatuses } = await import('../sync/status.js');
        for (const row of await jobStatuses(desk, vault)) {
          if (!row.enabled) continue;
          const due = row.nextRunAt && Date.parse(row.nextRunAt) > Date.now() + 1000 ? `next run at ${row.nextRunAt.slice(11, 19)} UTC` : 'runs now';
          ctx.note(`apdesk: ${row.vaultId}: ${row.label} ${due}${row.blocker ? ` — but nothing imports: ${row.blocker}` : ''}`);
        }
        const off = desk.events.on('sync', (event) => {
          if (ctx.json) ctx.out(JSON.stringify({ at: new Date().toISOString(), ...event }));
          else {
            const line = eventLine(event);
            if (line) ctx.out(`${new Date().toISOString().slice(11, 19)} ${line}`);
          }
        });
        try {
          await runLoop(desk, { signal: stop.signal, heartbeat: () => lease.renew(), ...(vault !== undefined ? { vault } : {}) });
        } finally {
          off();
        }
        ctx.note(`apdesk: sync loop stopped${stop.received() ? ` (${stop.received()})` : ''}`);
      });
    } finally {
      stop.dispose();
    }
  },
};

export const syncFailuresCommand: Command = {
  path: ['sync', 'failures'],
  summary: 'List the requisitions whose import failed, and those waiting for a file',
  usage: 'apdesk sync failures --vault VAULT [--json]',
  options: { ...VAULT_OPTION },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const state = await (await ctx.desk()).imports.syncState(vault);
    const failures = Object.values(state.failures).sort((a, b) => a.firstAt.localeCompare(b.firstAt));
    const waiting = Object.values(state.waiting).sort((a, b) => a.since.localeCompare(b.since));
    if (ctx.json) return printJson(ctx, { failures, waiting });
    if (!failures.length && !waiting.length) return ctx.out('No failed imports and nothing waiting.');
    if (failures.length) {
      ctx.out(table(['REQUISITION', 'PROJECT', 'ATTEMPTS', 'NEXT TRY', 'ERROR'], failures.map((f) => [f.requisitionId, f.projectId, String(f.attempts), f.nextAttemptAt, f.error])));
      ctx.out(`Retry one now: apdesk sync reprocess --vault ${vault} REQUISITION`);
    }
    if (waiting.length) {
      ctx.out(table(['WAITING', 'PROJECT', 'SINCE', 'CHECKED', 'REASON'], waiting.map((w) => [w.requisitionId, w.projectId, w.since, w.checkedAt, w.reason])));
    }
  },
};

export const syncReprocessCommand: Command = {
  path: ['sync', 'reprocess'],
  summary: 'Import a failed or waiting requisition again, or ask Procore again for a refused payment',
  usage: 'apdesk sync reprocess --vault VAULT REQUISITION|INVOICE [--json]',
  details:
    'A requisition id (digits): its import is tried now, or by the running sync loop at its next poll.\n' +
    'An invoice id: the payment Procore refused for it is asked for again (fix the cause in Procore first).',
  options: { ...VAULT_OPTION },
  positionals: { min: 1, max: 1, names: 'REQUISITION|INVOICE' },
  json: true,
  async run(ctx: CommandContext) {
    const vault = requiredVault(ctx, this.usage);
    const requisitionId = ctx.positionals[0]!.trim();
    const desk = await ctx.desk();
    const { reprocess } = await import('../sync/reprocess.js');
    const result = await reprocess(desk, vault, requisitionId);
    if (ctx.json) return printJson(ctx, result);
    ctx.out(result.message);
  },
};

export const SYNC_COMMANDS: readonly Command[] = [syncCommand, syncFailuresCommand, syncReprocessCommand];
