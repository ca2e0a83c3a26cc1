// The check backfiller (interim: the payments helper's version replaces this file).
import { emptyReport, type JobContext, type JobReport } from './job.js';

export async function runCheckBackfiller(ctx: JobContext): Promise<JobReport> {
  const report = emptyReport();
  const { paid } = await ctx.desk.workflow.backfill(ctx.vault.id);
  report.paid.push(...paid.map((invoice) => invoice.id));
  return report;
}
