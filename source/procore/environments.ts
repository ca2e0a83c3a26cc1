// Where a vault's Procore lives. Tokens never cross environments, so the environment is part
// of a connection's identity.
import { UserError } from '../domain/errors.js';
import { ENVIRONMENT_KINDS, type EnvironmentKind } from '../domain/procore-config.js';

export { ENVIRONMENT_KINDS, type EnvironmentKind };

export interface ProcoreEnvironment {
  kind: EnvironmentKind;
  apiUrl: string;
  loginUrl: string;
}

export const KNOWN_ENVIRONMENTS = {
  production: { apiUrl: 'https://api.procore.com', loginUrl: 'https://login.procore.com' },
  sandbox: { apiUrl: 'https://sandbox.procore.com', loginUrl: 'https://login-sandbox.procore.com' },
} as const;

export const ENVIRONMENT_LABELS: Record<EnvironmentKind, string> = {
  production: 'Procore production',
  sandbox: 'Procore developer sandbox',
  local: 'the local sandbox',
  custom: 'a custom Procore',
};

export function parseEnvironmentKind(value: string): EnvironmentKind {
  const found = ENVIRONMENT_KINDS.find((kind) => kind === value.trim().toLowerCase());
  if (!found) throw new UserError(`environment '${value}' is not one of: ${ENVIRONMENT_KINDS.join(', ')}`);
  return found;
}

/** An http(s) base URL without a trailing slash, or a message saying what is wrong. */
export function parseBaseUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new UserError(`${what} '${value}' is not a URL (expected e.g. https://api.procore.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`${what} '${value}' must start with https:// (or http:// for a local server)`);
  }
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new UserError(`${what} '${value}' uses plain http on a remote host; tokens would travel unencrypted — use https://`);
  }
  if (url.search || url.hash) throw new UserError(`${what} '${value}' must be a base URL without ?query or #fragment`);
  return url.toString().replace(/\/+$/, '');
}

/**
 * Whether a request to `target` may carry the Bearer token: only the API and login hosts of the
 * connection, and Procore's own file hosts (*.procore.com) — never a storage host it redirects to.
 */
export function mayCarryToken(environment: ProcoreEnvironment, target: string): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  const origins = [environment.apiUrl, environment.loginUrl].map((base) => new URL(base).origin);
  if (origins.includes(url.origin)) return true;
  const procoreHosted = environment.kind === 'production' || environment.kind === 'sandbox';
  return procoreHosted && url.protocol === 'https:' && (url.hostname === 'procore.com' || url.hostname.endsWith('.procore.com'));
}

/**
 * What identifies an environment for its tokens: the API URL, except for the local sandbox,
 * whose port changes from run to run while its state (and so its tokens) stays the same.
 */
export function environmentKey(environment: ProcoreEnvironment): string {
  return environment.kind === 'local' ? 'local' : environment.apiUrl;
}

export interface EnvironmentInput {
  vault: string;
  kind: EnvironmentKind;
  apiUrl?: string;
  loginUrl?: string;
  clientId?: string;
  clientSecret?: string;
}

/** The URLs and client id of an environment change, checked before anything is asked or stored. */
export function checkEnvironmentInput(input: EnvironmentInput): { apiUrl: string | null; loginUrl: string | null } {
  if (input.kind === 'custom') {
    if (!input.apiUrl || !input.loginUrl) throw new UserError('--env custom needs --api-url URL and --login-url URL');
    return { apiUrl: parseBaseUrl(input.apiUrl, 'API URL'), loginUrl: parseBaseUrl(input.loginUrl, 'login URL') };
  }
  if (input.apiUrl || input.loginUrl) {
    throw new UserError(`--api-url and --login-url go with --env custom; ${input.kind} has fixed URLs`);
  }
  if (input.clientId !== undefined && !/^[\w.-]{1,200}$/.test(input.clientId.trim())) {
    throw new UserError(`client id '${input.clientId}' does not look like a Procore client id`);
  }
  return { apiUrl: null, loginUrl: null };
}

