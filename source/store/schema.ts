// The shape of the files in a data dir, and the current schema version.
import type { Invoice } from '../domain/invoice.js';
import type { User, Vault } from '../domain/vault.js';
import type { Job } from '../domain/jobs.js';

export const SCHEMA_VERSION = 4;

export interface Settings {
  schemaVersion: number;
  createdAt: string | null;
  counters: { invoice: number };
  users: User[];
  vaults: Vault[];
  jobs: Job[];
  /** Migrations applied to this data dir, oldest first. */
  migrations: { version: number; at: string; note: string }[];
}

export interface InvoiceShard {
  invoices: Record<string, Invoice>;
}

export type { StoredTokens } from '../domain/procore-config.js';
import type { StoredTokens } from '../domain/procore-config.js';

export interface VaultSecrets {
  clientSecret?: string;
  tokens?: StoredTokens;
}

export interface Secrets {
  vaults: Record<string, VaultSecrets>;
}

export function emptySettings(): Settings {
  return {
    schemaVersion: SCHEMA_VERSION,
    createdAt: null,
    counters: { invoice: 0 },
    users: [],
    vaults: [],
    jobs: [],
    migrations: [],
  };
}

export function emptySecrets(): Secrets {
  return { vaults: {} };
}
