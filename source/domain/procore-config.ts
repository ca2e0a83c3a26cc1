// The Procore configuration of a vault and every rule of the product's configuration page:
// Sage 100/300 only, licence required, one company per vault, import behaviour (default
// automated import into a queue), queue, edit permission, payments write-back.
import { remedy, UserError, type Notice } from './errors.js';
import type { ProcoreId, QueueId } from './ids.js';
import { ACCOUNTING_LABELS, hasLicence, requireQueue, supportsProcore, type Vault } from './vault.js';

export const ENVIRONMENT_KINDS = ['production', 'sandbox', 'local', 'custom'] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

export const IMPORT_BEHAVIORS = ['auto-queue', 'auto-route', 'manual'] as const;
export type ImportBehavior = (typeof IMPORT_BEHAVIORS)[number];

export const BEHAVIOR_LABELS: Record<ImportBehavior, string> = {
  'auto-queue': 'Automated Import into Queue',
  'auto-route': 'Automated Import and Auto Route with Queue Failover',
  manual: 'Manual Import',
};

export interface ProcoreUser {
  id: ProcoreId;
  login: string;
  name: string;
}

export type ProcoreConnection =
  | { state: 'not-connected' }
  | { state: 'connected'; user: ProcoreUser; connectedAt: string }
  | { state: 'reconnect-needed'; user: ProcoreUser | null; since: string; reason: string };

export interface ProcoreConfig {
  environment: { kind: EnvironmentKind; apiUrl: string | null; loginUrl: string | null };
  clientId: string | null;
  companyId: ProcoreId | null;
  companyName: string | null;
  behavior: ImportBehavior;
  queueId: QueueId | null;
  allowEdit: boolean;
  createPayments: boolean;
  connection: ProcoreConnection;
}

export function defaultProcoreConfig(): ProcoreConfig {
  return {
    environment: { kind: 'production', apiUrl: null, loginUrl: null },
    clientId: null,
    companyId: null,
    companyName: null,
    behavior: 'auto-queue',
    queueId: null,
    allowEdit: false,
    createPayments: false,
    connection: { state: 'not-connected' },
  };
}

export function parseBehavior(value: string): ImportBehavior {
  const found = IMPORT_BEHAVIORS.find((behavior) => behavior === value.trim().toLowerCase());
  if (!found) throw new UserError(`import behaviour '${value}' is not one of: ${IMPORT_BEHAVIORS.join(', ')}`);
  return found;
}

export function parseOnOff(value: string, flag: string): boolean {
  const normal = value.trim().toLowerCase();
  if (['on', 'yes', 'true', '1'].includes(normal)) return true;
  if (['off', 'no', 'false', '0'].includes(normal)) return false;
  throw new UserError(`--${flag} takes on or off, not '${value}'`);
}

/** Who may open the configuration at all: the first two rules of the page. */
export function requireProcoreAvailable(vault: Vault): void {
  if (!supportsProcore(vault)) {
    throw new UserError(
      `vault '${vault.name}' is bridged to ${ACCOUNTING_LABELS[vault.accounting]}: the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300`,
    );
  }
  if (!hasLicence(vault, 'procore')) {
    throw new UserError(`A license is required for Procore. Vault '${vault.name}' has none — an admin can grant it`, {
      remedy: remedy('license.grant', { vault: vault.id, licence: 'procore' }),
    });
  }
}

/** The Job Poll Invoice Check Backfiller, as far as configuration needs to know it. */
export interface BackfillerState {
  configured: boolean;
  enabled: boolean;
}

export interface ConfigChanges {
  company?: { id: ProcoreId; name: string };
  behavior?: ImportBehavior;
  queue?: string;
  allowEdit?: boolean;
  createPayments?: boolean;
}

export interface ConfigOutcome {
  config: ProcoreConfig;
  warnings: Notice[];
}

/**
 * Applies a change to a vault's Procore configuration, enforcing the page's rules. `vaults` are
 * all the vaults of the data dir (one company belongs to one vault).
 */
export function configureProcore(
  vault: Vault,
  current: ProcoreConfig,
  changes: ConfigChanges,
  context: { vaults: readonly Vault[]; backfiller: BackfillerState; configOf: (vault: Vault) => ProcoreConfig | undefined },
): ConfigOutcome {
  requireProcoreAvailable(vault);
  const config: ProcoreConfig = { ...current };
  const warnings: Notice[] = [];

  if (changes.company) {
    const owner = context.vaults.find(
      (other) => other.id !== vault.id && context.configOf(other)?.companyId === changes.company!.id,
    );
    if (owner) {
      throw new UserError(
        `Procore company '${changes.company.name}' (${changes.company.id}) is already tied to vault '${owner.name}'; one company belongs to one vault — pick another company, or remove it from '${owner.name}' first`,
      );
    }
    config.companyId = changes.company.id;
    config.companyName = changes.company.name;
  }
  if (changes.behavior) config.behavior = changes.behavior;
  if (changes.queue !== undefined) config.queueId = requireQueue(vault, changes.queue).id;
  if (changes.allowEdit !== undefined) config.allowEdit = changes.allowEdit;
  if (changes.createPayments !== undefined) {
    if (changes.createPayments && !(context.backfiller.configured && context.backfiller.enabled)) {
      throw new UserError(
        `Create payments in Procore requires the Job Poll Invoice Check Backfiller job to be ${context.backfiller.configured ? 'enabled' : 'configured and enabled'} for vault '${vault.name}' — enable it, then turn payments on again`,
        { remedy: remedy('jobs.enable', { vault: vault.id, job: 'check-backfiller' }) },
      );
    }
    config.createPayments = changes.createPayments;
  }

  const automated = config.behavior !== 'manual';
  if (automated && config.queueId === null) {
    warnings.push({
      message: `${BEHAVIOR_LABELS[config.behavior]} has no queue yet: nothing will import until you choose one`,
      remedy: remedy('procore.configure', { vault: vault.id, setting: 'queue' }),
    });
  }
  if (automated && !hasLicence(vault, 'cloud-sync')) {
    warnings.push({
      message: `${BEHAVIOR_LABELS[config.behavior]} needs the cloud-sync licence and the cloud sync running: saved, but nothing will import until the licence is granted and the sync runs. Manual Import works without it.`,
      remedy: remedy('license.grant', { vault: vault.id, licence: 'cloud-sync' }),
    });
  }
  if (config.companyId === null) {
    warnings.push({ message: 'no company selected yet: choose one of the companies the connected user can see', remedy: remedy('procore.companies', { vault: vault.id }) });
  }
  return { config, warnings };
}

/** A vault's Procore configuration, or the defaults when nobody has configured it yet. */
export function procoreConfigOf(vault: Vault): ProcoreConfig {
  return vault.procore ?? defaultProcoreConfig();
}

/** An OAuth token pair as Procore issued it; expiresAt in epoch milliseconds. */
export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  createdAt: number;
  /** Which environment issued them (see environmentKey): tokens never cross environments. */
  environment: string;
}
