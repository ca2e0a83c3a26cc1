// The Procore side of a vault: its environment and credentials, Grant Access (connect), the
// company and configuration rules, and disconnecting. Commands and the console call these.
import { randomBytes } from 'node:crypto';
import { remedy, UserError } from '../domain/errors.js';
import { findJob } from '../domain/jobs.js';
import {
  configureProcore,
  procoreConfigOf,
  requireProcoreAvailable,
  type ConfigChanges,
  type ConfigOutcome,
  type ProcoreConfig,
  type ProcoreUser,
} from '../domain/procore-config.js';
import { requireAdmin, requireVault, type Vault } from '../domain/vault.js';
import type { ProcoreId } from '../domain/ids.js';
import { checkEnvironmentInput, KNOWN_ENVIRONMENTS, parseBaseUrl, type EnvironmentInput, type ProcoreEnvironment } from '../procore/environments.js';
import { ProcoreHttp } from '../procore/http.js';
import { authorizeUrl, exchangeCode, revokeToken, type ClientCredentials } from '../procore/oauth.js';
import { companies as listCompaniesAt, me, type Company } from '../procore/resources.js';
import { VaultTokens, type AccessTokens, type TokenStore } from '../procore/tokens.js';
import { environmentKey } from '../procore/environments.js';
import type { StoredTokens } from '../domain/procore-config.js';
import { fileLogger, type Logger } from '../log/log.js';
import type { DeskContext } from './context.js';

export { procoreConfigOf };

/** Where a configured environment actually is right now (the local sandbox is found or started). */
export interface ResolvedEnvironment {
  environment: ProcoreEnvironment;
  /** Stops a sandbox this process started; a no-op otherwise. */
  close(): Promise<void>;
}

export async function resolveEnvironment(desk: DeskContext, config: ProcoreConfig): Promise<ResolvedEnvironment> {
  const env = desk.env;
  const kind = config.environment.kind;
  if (kind === 'production' || kind === 'sandbox') {
    return { environment: { kind, ...KNOWN_ENVIRONMENTS[kind] }, close: async () => undefined };
  }
  if (kind === 'custom') {
    const apiUrl = env.APDESK_PROCORE_API_URL?.trim() || config.environment.apiUrl;
    const loginUrl = env.APDESK_PROCORE_LOGIN_URL?.trim() || config.environment.loginUrl;
    if (!apiUrl || !loginUrl) {
      throw new UserError('the custom Procore environment needs both URLs, the API URL and the login URL — set the environment again with both');
    }
    return {
      environment: { kind, apiUrl: parseBaseUrl(apiUrl, 'API URL'), loginUrl: parseBaseUrl(loginUrl, 'login URL') },
      close: async () => undefined,
    };
  }
  const { ensureSandbox } = await import('../sandbox/index.js');
  const sandbox = await ensureSandbox(desk.dataDir);
  return {
    environment: { kind: 'local', apiUrl: sandbox.apiUrl, loginUrl: sandbox.loginUrl },
    close: async () => {
      if (sandbox.startedHere) await sandbox.close();
    },
  };
}

/** The client id and secret: flags, then PROCORE_CLIENT_ID/SECRET, then the stored ones (the demo app for the local sandbox). */
export async function credentialsFor(
  desk: DeskContext,
  vault: Vault,
  config: ProcoreConfig,
): Promise<ClientCredentials> {
  const env = desk.env;
  const secrets = await desk.store.secrets();
  let clientId = env.PROCORE_CLIENT_ID?.trim() || config.clientId;
  let clientSecret = env.PROCORE_CLIENT_SECRET?.trim() || secrets.vaults[vault.id]?.clientSecret;
  if (config.environment.kind === 'local' && (!clientId || !clientSecret)) {
    const { DEMO_APP } = await import('../sandbox/index.js');
    clientId ||= DEMO_APP.clientId;
    clientSecret ||= DEMO_APP.clientSecret;
  }
  if (!clientId) {
    throw new UserError(`vault '${vault.name}' has no Procore client id — set the app's client id (or PROCORE_CLIENT_ID)`, {
      remedy: remedy('procore.env', { vault: vault.id, env: config.environment.kind }),
    });
  }
  if (!clientSecret) {
    throw new UserError(`vault '${vault.name}' has no Procore client secret — set the environment again and type it, or set PROCORE_CLIENT_SECRET`, {
      remedy: remedy('procore.env', { vault: vault.id, env: config.environment.kind }),
    });
  }
  return { clientId, clientSecret };
}

async function procoreVault(desk: DeskContext, vaultRef: string): Promise<{ vault: Vault; config: ProcoreConfig }> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  requireProcoreAvailable(vault);
  return { vault, config: procoreConfigOf(vault) };
}

export interface Connection {
  vault: Vault;
  config: ProcoreConfig;
  environment: ProcoreEnvironment;
  credentials: ClientCredentials;
  tokens: VaultTokens;
  http: ProcoreHttp;
  logger: Logger;
  close(): Promise<void>;
}

/** A working connection for a connected vault: environment, tokens and the HTTP client. */
export async function openConnection(desk: DeskContext, vaultRef: string, options: { logger?: Logger } = {}): Promise<Connection> {
  const { vault, config } = await procoreVault(desk, vaultRef);
  if (config.connection.state === 'not-connected') {
    throw new UserError(`vault '${vault.name}' is not connected to Procore — Grant Access first`, { remedy: remedy('procore.connect', { vault: vault.id }) });
  }
  if (config.connection.state === 'reconnect-needed') {
    throw new UserError(`the Procore connection of vault '${vault.name}' must be granted again (${config.connection.reason})`, {
      remedy: remedy('procore.connect', { vault: vault.id }),
    });
  }
  const logger = options.logger ?? fileLogger(desk.dataDir);
  const resolved = await resolveEnvironment(desk, config);
  try {
    const credentials = await credentialsFor(desk, vault, config);
    const tokens = new VaultTokens(tokenStore(desk, vault.id), vault.id, resolved.environment, credentials, logger);
    const http = new ProcoreHttp({ environment: resolved.environment, tokens, logger, companyId: config.companyId });
    return { vault, config, environment: resolved.environment, credentials, tokens, http, logger, close: resolved.close };
  } catch (error) {
    await resolved.close();
    throw error;
  }
}

/** The vault's tokens in the data dir's secrets, changed only under the data-dir lock. */
export function tokenStore(desk: DeskContext, vaultId: string): TokenStore {
  return {
    read: async () => (await desk.store.secrets()).vaults[vaultId]?.tokens,
    exclusive: (change) =>
      desk.store.transact(async (tx) => {
        const secrets = await tx.secrets();
        return change({
          current: secrets.vaults[vaultId]?.tokens,
          replace: (next) => {
            secrets.vaults[vaultId] = { ...secrets.vaults[vaultId], tokens: next };
          },
          refuse: (reason) => {
            if (secrets.vaults[vaultId]) delete secrets.vaults[vaultId]!.tokens;
            const vault = tx.settings.vaults.find((v) => v.id === vaultId);
            if (!vault?.procore) return;
            const previous = vault.procore.connection;
            vault.procore = {
              ...vault.procore,
              connection: { state: 'reconnect-needed', user: previous.state === 'not-connected' ? null : previous.user, since: tx.now, reason },
            };
          },
        });
      }),
  };
}

/** The local sandbox's login pages, completed without a browser (demos only). */
export async function sandboxSignIn(
  _desk: DeskContext,
  authorizeUrl: string,
  email: string,
  password: string,
  consent?: (page: { title: string; text: string }) => Promise<boolean>,
): Promise<string> {
  const { signInToSandbox } = await import('../sandbox/login-driver.js');
  return signInToSandbox(authorizeUrl, email, password, consent);
}

export type { EnvironmentInput };

export { checkEnvironmentInput };

/** Sets where a vault's Procore is and with which app. A different environment forgets the tokens. */
export async function setEnvironment(desk: DeskContext, input: EnvironmentInput): Promise<{ vault: Vault; config: ProcoreConfig; forgotTokens: boolean }> {
  const { apiUrl, loginUrl } = checkEnvironmentInput(input);
  return desk.store.transact(async (tx) => {
    requireAdmin(tx.settings.users, tx.user, 'change the Procore environment');
    const vault = requireVault(tx.settings.vaults, input.vault);
    requireProcoreAvailable(vault);
    const current = procoreConfigOf(vault);
    const changed =
      current.environment.kind !== input.kind || current.environment.apiUrl !== apiUrl || current.environment.loginUrl !== loginUrl;
    const config: ProcoreConfig = {
      ...current,
      environment: { kind: input.kind, apiUrl, loginUrl },
      clientId: input.clientId?.trim() ?? current.clientId,
    };
    const secrets = await tx.secrets();
    const vaultSecrets = (secrets.vaults[vault.id] ??= {});
    if (input.clientSecret !== undefined) vaultSecrets.clientSecret = input.clientSecret;
    const clientChanged = input.clientId !== undefined && input.clientId.trim() !== current.clientId;
    const forgotTokens = (changed || clientChanged) && vaultSecrets.tokens !== undefined;
    if (changed || clientChanged) {
      delete vaultSecrets.tokens;
      config.connection = { state: 'not-connected' };
      // A company id belongs to one environment's Procore.
      if (changed) {
        config.companyId = null;
        config.companyName = null;
      }
    }
    vault.procore = config;
    return { vault, config, forgotTokens };
  });
}

export interface PendingGrant {
  vault: Vault;
  environment: ProcoreEnvironment;
  credentials: ClientCredentials;
  redirectUri: string;
  state: string;
  url: string;
  close(): Promise<void>;
}

/** Step one of Grant Access: the authorize URL for this vault's app and environment. */
export async function beginGrant(desk: DeskContext, vaultRef: string, redirectUri: string): Promise<PendingGrant> {
  const { vault, config } = await procoreVault(desk, vaultRef);
  const settings = await desk.store.settings();
  requireAdmin(settings.users, desk.user, 'connect a vault to Procore');
  const resolved = await resolveEnvironment(desk, config);
  try {
    const credentials = await credentialsFor(desk, vault, config);
    const state = randomBytes(16).toString('hex');
    return {
      vault,
      environment: resolved.environment,
      credentials,
      redirectUri,
      state,
      url: authorizeUrl(resolved.environment, credentials.clientId, redirectUri, state),
      close: resolved.close,
    };
  } catch (error) {
    await resolved.close();
    throw error;
  }
}

/**
 * What the user brings back from Procore: a bare code (the out-of-band page shows one), or the
 * redirect URL / query with code and state. A state that does not match ends the grant.
 */
export function readGrantReply(reply: string, expectedState: string): string {
  const text = reply.trim();
  if (!text) throw new UserError('no authorization code was given; nothing was stored — start Grant Access again');
  let code = text;
  let state: string | null = null;
  const query = text.includes('?') ? text.slice(text.indexOf('?') + 1) : /(^|&)(code|error)=/.test(text) ? text : null;
  if (query !== null) {
    const params = new URLSearchParams(query);
    const error = params.get('error');
    if (error) throw new UserError(`Procore did not grant access (${params.get('error_description') ?? error}); nothing was stored`);
    code = params.get('code') ?? '';
    state = params.get('state');
    if (!code) throw new UserError('the reply has no code= in it; paste the code Procore showed, or the whole redirect URL');
  }
  if (state !== null && state !== expectedState) {
    throw new UserError('the reply belongs to another sign-in (its state does not match this one); nothing was stored — start Grant Access again');
  }
  if (!/^[\w.~+/=-]{4,512}$/.test(code)) throw new UserError('that does not look like an authorization code; nothing was stored');
  return code;
}

/** Step two: trade the code for tokens, ask Procore who they belong to, and store both at once. */
export async function completeGrant(desk: DeskContext, grant: PendingGrant, code: string, logger: Logger = fileLogger(desk.dataDir)): Promise<ProcoreUser> {
  const issued = await exchangeCode(grant.environment, grant.credentials, { code, redirectUri: grant.redirectUri });
  // Ask /me with exactly these tokens before anything is stored.
  const oneShot: AccessTokens = {
    accessToken: async () => issued.accessToken,
    refreshAfter: async () => {
      throw new UserError('Procore refused the token it had just issued; nothing was stored — try again');
    },
  };
  const user = await me(new ProcoreHttp({ environment: grant.environment, tokens: oneShot, logger, maxAttempts: 3 }));
  await desk.store.transact(async (tx) => {
    const vault = requireVault(tx.settings.vaults, grant.vault.id);
    const secrets = await tx.secrets();
    const stored: StoredTokens = { ...issued, environment: environmentKey(grant.environment) };
    secrets.vaults[vault.id] = { ...secrets.vaults[vault.id], tokens: stored };
    vault.procore = { ...procoreConfigOf(vault), connection: { state: 'connected', user, connectedAt: tx.now } };
  });
  logger.log('info', 'procore connected', { vault: grant.vault.id, user: user.login });
  return user;
}

/** Revokes the token at Procore and forgets it. If Procore cannot be reached the token is still forgotten here. */
export async function disconnect(desk: DeskContext, vaultRef: string): Promise<{ vault: Vault; revoked: boolean; problem: string | null }> {
  const { vault, config } = await procoreVault(desk, vaultRef);
  requireAdmin((await desk.store.settings()).users, desk.user, 'disconnect a vault from Procore');
  const secrets = await desk.store.secrets();
  const tokens = secrets.vaults[vault.id]?.tokens;
  let revoked = false;
  let problem: string | null = null;
  if (tokens) {
    try {
      const resolved = await resolveEnvironment(desk, config);
      try {
        await revokeToken(resolved.environment, await credentialsFor(desk, vault, config), tokens.accessToken);
        revoked = true;
      } finally {
        await resolved.close();
      }
    } catch (error) {
      problem = `${(error as Error).message} — the token is forgotten here; revoke apdesk in Procore's App Management to be sure`;
    }
  }
  await desk.store.transact(async (tx) => {
    const current = requireVault(tx.settings.vaults, vault.id);
    const all = await tx.secrets();
    if (all.vaults[current.id]) delete all.vaults[current.id]!.tokens;
    current.procore = { ...procoreConfigOf(current), connection: { state: 'not-connected' } };
  });
  return { vault, revoked, problem };
}

export async function listCompanies(desk: DeskContext, vaultRef: string): Promise<{ vault: Vault; companies: (Company & { vault: string | null })[] }> {
  const connection = await openConnection(desk, vaultRef);
  try {
    const found = await listCompaniesAt(connection.http);
    const settings = await desk.store.settings();
    const owner = (id: string) => settings.vaults.find((v) => v.procore?.companyId === id)?.id ?? null;
    return { vault: connection.vault, companies: found.map((company) => ({ ...company, vault: owner(company.id) })) };
  } finally {
    await connection.close();
  }
}

export interface ConfigureInput extends Omit<ConfigChanges, 'company'> {
  vault: string;
  company?: string;
}

/** Applies the configuration page's settings. A company is checked against what the connected user can see. */
export async function configure(desk: DeskContext, input: ConfigureInput): Promise<ConfigOutcome & { vault: Vault }> {
  const { vault } = await procoreVault(desk, input.vault);
  requireAdmin((await desk.store.settings()).users, desk.user, 'configure Procore');
  let company: { id: ProcoreId; name: string } | undefined;
  if (input.company !== undefined) {
    const { companies: visible } = await listCompanies(desk, vault.id);
    const wanted = input.company.trim();
    const match =
      visible.find((c) => c.id === wanted) ?? visible.find((c) => c.name.toLowerCase() === wanted.toLowerCase());
    if (!match) {
      throw new UserError(
        `Procore company '${wanted}' is not one the connected user can see — choose from: ${visible.map((c) => `${c.name} (${c.id})`).join(', ') || 'none'}`,
      );
    }
    company = { id: match.id, name: match.name };
  }
  return desk.store.transact((tx) => {
    requireAdmin(tx.settings.users, tx.user, 'configure Procore');
    const current = requireVault(tx.settings.vaults, vault.id);
    const job = findJob(tx.settings.jobs ?? [], current.id, 'check-backfiller');
    const outcome = configureProcore(
      current,
      procoreConfigOf(current),
      {
        ...(company ? { company } : {}),
        ...(input.behavior !== undefined ? { behavior: input.behavior } : {}),
        ...(input.queue !== undefined ? { queue: input.queue } : {}),
        ...(input.allowEdit !== undefined ? { allowEdit: input.allowEdit } : {}),
        ...(input.createPayments !== undefined ? { createPayments: input.createPayments } : {}),
      },
      {
        vaults: tx.settings.vaults,
        backfiller: { configured: job !== undefined, enabled: job?.enabled ?? false },
        configOf: (other) => other.procore,
      },
    );
    current.procore = outcome.config;
    return { ...outcome, vault: current };
  });
}
