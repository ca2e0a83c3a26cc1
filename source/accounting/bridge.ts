// The one face the accounting system shows the rest of apdesk: load the ledger (vendors, jobs,
// cost codes, commitments, AP history, checks) and export approved invoices. Adapters: the CSV
// bridge folder a Sage 100/300 export job fills, and the demo ledger that also pays.
import type { Invoice } from '../domain/invoice.js';
import type { Ledger } from '../domain/ledger.js';
import type { LedgerConfig } from '../domain/vault.js';
import { CsvFolderBridge } from './csv-folder.js';
import { DemoLedgerBridge } from './demo-ledger.js';

export interface LoadProblem {
  /** The file's name in the bridge folder (or the folder itself when it is missing). */
  file: string;
  /** The line the bad row starts on; null for the file as a whole. */
  line: number | null;
  /** One line: what is wrong and what to fix. */
  message: string;
  /**
   * The file as a whole could not be used (missing, no header, a required column missing):
   * its last good rows stay in use. Otherwise only the row on `line` was skipped.
   */
  fatal: boolean;
}

export interface AccountingBridge {
  readonly config: LedgerConfig;
  /** The ledger as it is now (re-reading changed files), with the problems found. */
  load(): Promise<{ ledger: Ledger; problems: LoadProblem[] }>;
  /** Writes approved invoices to the accounting system; returns the file written and the row count. */
  exportInvoices(invoices: readonly Invoice[]): Promise<{ file: string; rows: number }>;
  /**
   * The export files written at or after `since` (ms since the epoch), with the invoice ids each
   * holds: an export that reached the folder but was never recorded is found, not written twice.
   */
  exportsSince(since: number): Promise<ExportFile[]>;
}

export interface ExportFile {
  file: string;
  /** When it was written (ms since the epoch). */
  at: number;
  invoiceIds: Set<string>;
}

export interface BridgeOptions {
  /** Milliseconds since the epoch; tests move it instead of sleeping. */
  now?: () => number;
  /** Called each time a ledger file is actually parsed (not served from memory); tests count. */
  onParse?: (file: string) => void;
}

export function openBridge(config: LedgerConfig, options: BridgeOptions = {}): AccountingBridge {
  switch (config.kind) {
    case 'csv-folder':
      return new CsvFolderBridge(config, options);
    case 'demo':
      return new DemoLedgerBridge(config, options);
  }
}

/** "vendors.csv:12: …" — how a problem reads on a terminal. */
export function formatProblem(problem: LoadProblem): string {
  return `${problem.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.message}`;
}
