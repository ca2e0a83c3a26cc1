// Vaults (one company's AP), their licences and queues, and the users of a data dir.
import type { QueueId, VaultId } from './ids.js';
import { slugify } from './ids.js';
import { remedy, UserError } from './errors.js';
import type { ProcoreConfig } from './procore-config.js';
import type { VaultRules } from './rules.js';

/** Where a vault's accounting data comes from. */
export type LedgerConfig =
  /** A folder a Sage 100/300 export job fills with CSV files (the CSV bridge). */
  | { kind: 'csv-folder'; dir: string }
  /** The demo's embedded ledger: a CSV folder that also pays exported invoices after a delay. */
  | { kind: 'demo'; dir: string; payAfterSeconds: number };

export const ACCOUNTING_SYSTEMS = ['sage100', 'sage300', 'other'] as const;
export type AccountingSystem = (typeof ACCOUNTING_SYSTEMS)[number];

export const ACCOUNTING_LABELS: Record<AccountingSystem, string> = {
  sage100: 'Sage 100',
  sage300: 'Sage 300',
  other: 'Other',
};

export const LICENCES = ['procore', 'cloud-sync'] as const;
export type Licence = (typeof LICENCES)[number];

export interface Queue {
  id: QueueId;
  name: string;
  createdAt: string;
  /**
   * A folder (absolute path) whose files the folder-watch job adds to this queue; absent or null
   * means none. Set by `apdesk queue inbox`.
   */
  inbox?: string | null;
}

export interface Vault {
  id: VaultId;
  name: string;
  accounting: AccountingSystem;
  licences: Licence[];
  queues: Queue[];
  createdAt: string;
  createdBy: string;
  /** Set once someone configures Procore for this vault (Sage 100/300 vaults only). */
  procore?: ProcoreConfig;
  /** Set by `apdesk accounting import` (or the demo): where the accounting data is read. */
  ledger?: LedgerConfig;
  /** Routing and custom validation rules; absent means none. */
  rules?: VaultRules;
}

export const ROLES = ['admin', 'processor', 'reviewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  name: string;
  roles: Role[];
}

export function parseAccounting(value: string): AccountingSystem {
  const normal = value.trim().toLowerCase().replace(/[\s_-]/g, '');
  const found = ACCOUNTING_SYSTEMS.find((system) => system === normal);
  if (!found) {
    throw new UserError(`accounting system '${value}' is not one of: ${ACCOUNTING_SYSTEMS.join(', ')}`);
  }
  return found;
}

export function parseLicence(value: string): Licence {
  const normal = value.trim().toLowerCase().replace(/[\s_]/g, '-');
  const found = LICENCES.find((licence) => licence === normal || licence.replace('-', '') === normal);
  if (!found) throw new UserError(`licence '${value}' is not one of: ${LICENCES.join(', ')}`);
  return found;
}

/** Why a vault cannot hold this licence, or null: Procore is only ever configured for Sage 100 and Sage 300 vaults. */
export function licenceRefusal(vault: Vault, licence: Licence): string | null {
  if (licence === 'procore' && !supportsProcore(vault)) {
    return `vault '${vault.name}' is bridged to ${ACCOUNTING_LABELS[vault.accounting]}, and the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300 — a procore licence could never be used there; nothing was changed`;
  }
  return null;
}

export function parseRole(value: string): Role {
  const found = ROLES.find((role) => role === value.trim().toLowerCase());
  if (!found) throw new UserError(`role '${value}' is not one of: ${ROLES.join(', ')}`);
  return found;
}

export function hasLicence(vault: Vault, licence: Licence): boolean {
  return vault.licences.includes(licence);
}

/** Only vaults bridged to Sage 100 or Sage 300 have a Procore configuration. */
export function supportsProcore(vault: Vault): boolean {
  return vault.accounting === 'sage100' || vault.accounting === 'sage300';
}

const NAME_LIMIT = 80;

export function checkName(kind: string, name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new UserError(`${kind} name is empty; give it a name`);
  if (trimmed.length > NAME_LIMIT) throw new UserError(`${kind} name is longer than ${NAME_LIMIT} characters`);
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new UserError(`${kind} name contains control characters`);
  if (!/[\p{L}\p{N}]/u.test(trimmed)) throw new UserError(`${kind} name '${trimmed}' needs at least one letter or digit`);
  return trimmed;
}

export function newVault(
  existing: readonly Vault[],
  input: { name: string; accounting: AccountingSystem; createdBy: string; now: string },
): Vault {
  const name = checkName('vault', input.name);
  const clash = existing.find((vault) => vault.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new UserError(`a vault named '${clash.name}' already exists (id ${clash.id})`);
  const id = uniqueSlug(name, existing.map((vault) => vault.id), 'vault') as VaultId;
  return {
    id,
    name,
    accounting: input.accounting,
    licences: [],
    queues: [],
    createdAt: input.now,
    createdBy: input.createdBy,
  };
}

export function newQueue(vault: Vault, input: { name: string; now: string }): Queue {
  const name = checkName('queue', input.name);
  const clash = vault.queues.find((queue) => queue.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new UserError(`vault '${vault.name}' already has a queue named '${clash.name}'`);
  const id = uniqueSlug(name, vault.queues.map((queue) => queue.id), 'queue') as QueueId;
  return { id, name, createdAt: input.now };
}

/**
 * Ids are folder names and typed in commands, so they stay ASCII; a name with no ASCII letter or
 * digit (東京建設) gets `vault-1`, `queue-2`, … and keeps its name for people.
 */
function uniqueSlug(name: string, taken: readonly string[], kind: string): string {
  const base = slugify(name) || `${kind}-${taken.length + 1}`;
  let candidate = base;
  for (let n = 2; taken.includes(candidate); n++) candidate = `${base}-${n}`;
  return candidate;
}

/** A vault named by its name (any case) or its id. */
export function findVault(vaults: readonly Vault[], ref: string): Vault | undefined {
  const wanted = ref.trim().toLowerCase();
  return vaults.find((vault) => vault.id === wanted) ?? vaults.find((vault) => vault.name.toLowerCase() === wanted);
}

export function requireVault(vaults: readonly Vault[], ref: string): Vault {
  const vault = findVault(vaults, ref);
  if (vault) return vault;
  const known = vaults.map((v) => v.name).join(', ');
  throw vaults.length
    ? new UserError(`no vault '${ref}' — known vaults: ${known}`, { remedy: remedy('vault.list', {}) })
    : new UserError(`no vault '${ref}' — there are no vaults yet; create one`, { remedy: remedy('vault.add', {}) });
}

export function findQueue(vault: Vault, ref: string): Queue | undefined {
  const wanted = ref.trim().toLowerCase();
  return vault.queues.find((queue) => queue.id === wanted) ?? vault.queues.find((queue) => queue.name.toLowerCase() === wanted);
}

export function requireQueue(vault: Vault, ref: string): Queue {
  const queue = findQueue(vault, ref);
  if (queue) return queue;
  throw vault.queues.length
    ? new UserError(`vault '${vault.name}' has no queue '${ref}' — its queues: ${vault.queues.map((q) => q.name).join(', ')}`)
    : new UserError(`vault '${vault.name}' has no queues yet; add one`, { remedy: remedy('queue.add', { vault: vault.id }) });
}

export function rolesOf(users: readonly User[], name: string): Role[] {
  return users.find((user) => user.name === name)?.roles ?? [];
}

export function requireAdmin(users: readonly User[], name: string, action: string): void {
  if (rolesOf(users, name).includes('admin')) return;
  throw new UserError(`user '${name}' may not ${action}: it needs the admin role, which an admin can give`, {
    remedy: remedy('user.add', { user: name, role: 'admin' }),
  });
}

/** Refuses a user who has none of the given roles, saying which role would do. */
export function requireRole(users: readonly User[], name: string, roles: readonly Role[], action: string): void {
  const held = rolesOf(users, name);
  if (roles.some((role) => held.includes(role))) return;
  throw new UserError(`user '${name}' may not ${action}: it needs the ${roles.join(' or ')} role, which an admin can give`, {
    remedy: remedy('user.add', { user: name, role: roles[0]! }),
  });
}
