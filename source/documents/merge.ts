// A Procore invoice's attachments as one PDF: PDF pages in attachment order, JPEG and PNG as pages.
// Whatever cannot be merged is kept byte for byte beside it, with a reason naming the file.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ContentType } from '../domain/invoice.js';
import type { MergeReply, MergeRequest, Problem } from './merge-worker.js';

export interface MergeFile {
  name: string;
  bytes: Uint8Array;
}

export interface MergeResult {
  /** The merged PDF, or null when no file could be merged. */
  pdf: Uint8Array | null;
  /** Its page count, read back from the merged file. */
  pages: number;
  /** The files in the PDF, in attachment order, with the pages each gave. */
  merged: { name: string; pages: number }[];
  /** Files kept as they came (the very bytes given), with a reason that names the file, for the invoice's flag. */
  kept: { name: string; bytes: Uint8Array; contentType: ContentType | null; reason: string }[];
}

/** The merge ran past its deadline and was stopped; nothing was merged and every file is untouched. */
export class MergeDeadlineError extends Error {
  constructor(
    readonly files: readonly string[],
    readonly deadlineMs: number,
  ) {
    super(`merging ${files.join(', ')} took longer than ${seconds(deadlineMs)} and was stopped (a damaged file can keep the PDF library busy forever); keep the files as they are and look at them by hand`);
    this.name = 'MergeDeadlineError';
  }
}

/** The merge failed for a reason no single file explains (the worker could not start, the result was inconsistent). */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** Long enough for a hundred-page scan on a slow server; short enough that a loop does not hold up the sync. */
export const DEFAULT_MERGE_DEADLINE_MS = 60_000;

function reason(name: string, contentType: ContentType | null, problem: Problem, besideMerged: boolean): string {
  const kept = besideMerged ? 'it is kept as it is beside the merged PDF' : 'it is kept as it is with the invoice';
  switch (problem.kind) {
    case 'password':
      return `${name} needs a password to open; ${kept} (ask the sender for a copy without a password)`;
    case 'unknown-type':
      return `${name} is not a PDF, JPEG or PNG; ${kept}`;
    case 'damaged':
      return `${name} is not a readable ${problem.what}: ${problem.detail}; ${kept} (ask the sender for the file again)`;
  }
  return `${name} could not be merged (${contentType ?? 'unknown type'}); ${kept}`;
}

/**
 * Where the worker is: beside this module, compiled (dist/, run by node) or as TypeScript (tests,
 * run by vitest), which a worker thread can only load through tsx's loader, imported inside it.
 */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const source = new URL('./merge-worker.ts', here).href;
    return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(source)}, ${JSON.stringify(here)}))`, { eval: true });
  }
  // A script given with -e must not pass its --input-type to the worker, which is a file.
  return new Worker(new URL('./merge-worker.js', here), { execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')) });
}

/**
 * Workers kept for the next merges: starting one costs about a second (pdf-lib and exifr load in
 * it), which a sync importing hundreds of invoices cannot pay each time. At most one per core run
 * at once (more only fight over the CPU); further merges wait their turn. A worker stopped at a
 * deadline or by an error is never reused. Idle workers do not keep the process alive.
 */
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism()));
const idle: Worker[] = [];
let busy = 0;
const waiting: (() => void)[] = [];

async function takeWorker(): Promise<Worker> {
  while (busy >= MAX_WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
  busy += 1;
  const worker = idle.pop() ?? startWorker();
  worker.ref();
  return worker;
}

function giveBack(worker: Worker, reusable: boolean): void {
  busy -= 1;
  if (reusable) {
    worker.unref();
    idle.push(worker);
  } else void worker.terminate();
  waiting.shift()?.();
}

/** Stops the idle merge workers (tests and a closing process). */
export async function closeMergeWorker(): Promise<void> {
  await Promise.all(idle.splice(0).map((worker) => worker.terminate()));
}

async function runWorker(request: MergeRequest, deadlineMs: number): Promise<MergeReply> {
  const worker = await takeWorker();
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      giveBack(worker, reusable);
      outcome();
    };
    const timer = setTimeout(() => settle(() => reject(new MergeDeadlineError(request.files.map((file) => file.name), deadlineMs)), false), deadlineMs);
    const onMessage = (message: { ok: true; reply: MergeReply } | { ok: false; message: string }) =>
      settle(() => (message.ok ? resolve(message.reply) : reject(new MergeError(`the attachments could not be merged: ${message.message}`))), message.ok);
    const onError = (error: Error) => settle(() => reject(new MergeError(`the attachments could not be merged: ${error.message}`)), false);
    const onExit = (code: number) => settle(() => reject(new MergeError(`the merge stopped before it finished (exit code ${code})`)), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    // Copied, not transferred: the caller's bytes stay theirs, and are what a kept file returns.
    worker.postMessage(request);
  });
}

/**
 * Merges the files into one PDF in a worker thread, stopped at the deadline (a MergeDeadlineError).
 * Types come from the bytes, not the names. A PDF with an empty user password is decrypted and
 * merged; one that needs a real password, a damaged file or an unknown type is kept.
 */
export async function mergeAttachments(files: MergeFile[], options: { deadlineMs?: number } = {}): Promise<MergeResult> {
  if (files.length === 0) return { pdf: null, pages: 0, merged: [], kept: [] };
  const deadlineMs = options.deadlineMs ?? DEFAULT_MERGE_DEADLINE_MS;
  const reply = await runWorker({ files: files.map(({ name, bytes }) => ({ name, bytes })) }, deadlineMs);
  const result: MergeResult = { pdf: reply.pdf, pages: reply.pages, merged: [], kept: [] };
  for (const entry of reply.files) {
    const file = files[entry.index]!;
    if ('pages' in entry) result.merged.push({ name: file.name, pages: entry.pages });
    else result.kept.push({ name: file.name, bytes: file.bytes, contentType: entry.contentType, reason: reason(file.name, entry.contentType, entry.problem, reply.pdf !== null) });
  }
  if (result.merged.length + result.kept.length !== files.length) throw new MergeError(`the merge accounted for ${result.merged.length + result.kept.length} of ${files.length} files`);
  return result;
}
