// The rules an admin keeps per vault: routing rules (who reviews which invoice lines) and custom
// validation rules. Shapes as domain.md describes them; amounts in cents inside apdesk, decimal
// strings in rule files.
import type { Remedy } from './errors.js';
import type { Cents } from './money.js';
import type { CommitmentType } from './ledger.js';

export interface RoutingMatch {
  job?: string;
  /** A cost code, or a pattern with * wildcards ("03-*"). */
  costCode?: string;
  vendor?: string;
  commitmentType?: CommitmentType;
  minAmount?: Cents | null;
  maxAmount?: Cents | null;
}

export interface RuleReviewer {
  user: string;
  sequence: number;
}

export interface RoutingRule {
  id: string;
  name: string;
  active: boolean;
  priority: number;
  exclusive: boolean;
  routingGroup: string;
  match: RoutingMatch;
  reviewers: RuleReviewer[];
}

export const VALIDATION_LEVELS = ['before-routing', 'before-approving'] as const;
export type ValidationLevel = (typeof VALIDATION_LEVELS)[number];

export interface CustomValidationRule {
  id: string;
  name: string;
  active: boolean;
  /** An invoice header field ("invoiceNumber", "total", "description", …) or a line field ("line.costCode"). */
  field: string;
  /** e.g. "required", "equals", "not-equals", "matches", "max", "min". */
  condition: string;
  value: string | null;
  message: string;
  level: ValidationLevel;
  action: 'warning' | 'error';
}

/** One finding of validation: what failed, on which field and value, and what to do. */
export interface ValidationIssue {
  level: 'error' | 'warning';
  /** A stable code for the rule, e.g. "vendor.unknown", "lines.total", "custom:<rule id>". */
  rule: string;
  /** "vendor", "invoiceNumber", "lines[2].costCode", … */
  field: string;
  value: string | null;
  message: string;
  /** What to do about it, when someone other than the clerk must act (an admin's setting). */
  remedy?: Remedy;
}

/** Per vault: the rules and the validation options domain.md mentions. */
export interface VaultRules {
  routing: RoutingRule[];
  validation: CustomValidationRule[];
  options: {
    /** A closed job is a warning instead of an error. */
    closedJobIsWarning: boolean;
    /** $0 invoices are allowed. */
    allowZeroInvoices: boolean;
  };
}

export function emptyVaultRules(): VaultRules {
  return { routing: [], validation: [], options: { closedJobIsWarning: false, allowZeroInvoices: false } };
}
