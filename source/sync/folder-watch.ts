// interim, replaced by the folder-watch helper's version
import { emptyReport, type JobContext, type JobReport } from './job.js';

export async function runFolderWatch(_ctx: JobContext): Promise<JobReport> {
  return emptyReport();
}
