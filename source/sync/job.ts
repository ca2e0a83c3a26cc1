// What the sync loop gives a job when it runs it for one vault, and what a job reports back. Jobs
// (the Procore import, the check backfiller with payments to Procore, the folder watch) call the
// desk's services only; the loop opens the Procore connection, counts its requests, and turns
// reports into the summary, the events and the log.
import type { Desk } from '../app/desk.js';
import type { Connection } from '../app/procore.js';
import type { SyncEvent } from '../domain/sync.js';
import type { Vault } from '../domain/vault.js';

export type { SyncEvent };

/** A requisition (or file, or invoice) and why it ended where it did. */
export interface Reasoned {
  id: string;
  reason: string;
}

/** What a job did in one run; every field is a count or a list a person can act on. */
export interface JobReport {
  /** Projects whose requisitions were asked for this run (the polling plan decides which). */
  projectsPolled: number;
  requisitionsSeen: number;
  imported: string[];
  routed: string[];
  /** Imported and left unprocessed in the queue (auto-route's failover, or auto-queue), with why. */
  leftInQueue: Reasoned[];
  waiting: Reasoned[];
  skipped: Reasoned[];
  failed: Reasoned[];
  paymentsCreated: string[];
  /** Invoices the check backfiller marked paid. */
  paid: string[];
  /** Files the folder watch turned into documents. */
  documentsAdded: string[];
  /** Errors that stopped (part of) the job, not a single record's failure. */
  errors: string[];
  /** Attachment files fetched (from Procore's file storage, outside the API's request budget). */
  downloads: number;
}

export function emptyReport(): JobReport {
  return {
    projectsPolled: 0,
    requisitionsSeen: 0,
    imported: [],
    routed: [],
    leftInQueue: [],
    waiting: [],
    skipped: [],
    failed: [],
    paymentsCreated: [],
    paid: [],
    documentsAdded: [],
    errors: [],
    downloads: 0,
  };
}

export interface JobContext {
  desk: Desk;
  vault: Vault;
  /**
   * The vault's Procore connection, opened on first use and closed by the loop after the run;
   * its requests are counted in the run's summary.
   */
  procore(): Promise<Connection>;
  /** Aborted when the loop is asked to stop: finish the record in hand, then return. */
  signal: AbortSignal;
  /** Tells the console and the log what just happened. */
  report(event: SyncEvent): void;
  /** The loop's clock (a test or a benchmark may give a virtual one). */
  now(): number;
}

export type JobRunner = (ctx: JobContext) => Promise<JobReport>;
