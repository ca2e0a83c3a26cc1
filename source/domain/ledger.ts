// What the accounting system (Sage 100 / Sage 300) knows, as apdesk reads it: vendors, jobs,
// cost codes, commitments, the AP invoice history and the checks that paid invoices. Parsed at
// the edge (the bridge's CSV files) into these types; validation and routing trust them.
import type { Cents } from './money.js';

export interface LedgerVendor {
  code: string;
  name: string;
  active: boolean;
}

export interface LedgerJob {
  code: string;
  name: string;
  closed: boolean;
}

export interface LedgerCostCode {
  job: string;
  code: string;
  description: string;
}

export type CommitmentType = 'subcontract' | 'purchase-order';

export interface LedgerCommitment {
  code: string;
  vendor: string;
  job: string;
  type: CommitmentType;
  open: boolean;
  amount: Cents;
  remaining: Cents;
}

export interface LedgerApInvoice {
  vendor: string;
  invoiceNumber: string;
  amount: Cents;
  /** ISO YYYY-MM-DD. */
  date: string;
}

export interface LedgerCheck {
  checkNumber: string;
  /** ISO YYYY-MM-DD, whatever the export used. */
  checkDate: string;
  vendor: string;
  invoiceNumber: string;
  amount: Cents;
  /** As the accounting system wrote it: Check, ACH, EFT, Wire, Credit Card, … */
  method: string;
}

/** Everything loaded from one accounting bridge at one moment. */
export interface Ledger {
  vendors: LedgerVendor[];
  jobs: LedgerJob[];
  costCodes: LedgerCostCode[];
  commitments: LedgerCommitment[];
  apInvoices: LedgerApInvoice[];
  checks: LedgerCheck[];
  /** ISO time of the load. */
  loadedAt: string;
}

export function emptyLedger(loadedAt = new Date(0).toISOString()): Ledger {
  return { vendors: [], jobs: [], costCodes: [], commitments: [], apInvoices: [], checks: [], loadedAt };
}
