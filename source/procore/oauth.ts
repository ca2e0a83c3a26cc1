// Procore's OAuth 2.0 authorization-code flow: the authorize URL, exchanging a code, refreshing
// (single-use, rotating refresh tokens) and revoking. No PKCE: the token call needs the secret.
import axios, { type AxiosResponse } from 'axios';
import { UserError } from '../domain/errors.js';
import type { StoredTokens } from '../domain/procore-config.js';
import { ENVIRONMENT_LABELS, environmentKey, type ProcoreEnvironment } from './environments.js';
import { ProcoreError, procoreMessage } from './errors.js';
import { parseJsonLossless } from './json.js';

export { LOOPBACK_PORT, LOOPBACK_REDIRECT, OOB_REDIRECT } from './redirects.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Procore refused a code or refresh token (`invalid_grant`). */
export class GrantRefusedError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'GrantRefusedError';
  }
}

export function authorizeUrl(environment: ProcoreEnvironment, clientId: string, redirectUri: string, state: string): string {
  const url = new URL('/oauth/authorize', environment.loginUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('state', state);
  return url.toString();
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  created_at?: unknown;
}

function toStored(environment: ProcoreEnvironment, body: TokenResponse, now: number): StoredTokens {
  if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string') {
    throw new ProcoreError('Procore answered the token request without an access and a refresh token', 200, null);
  }
  const expiresIn = Number(body.expires_in);
  const createdAt = Number(body.created_at);
  const issuedMs = Number.isFinite(createdAt) && createdAt > 0 ? Math.min(createdAt * 1000, now) : now;
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: issuedMs + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 5400) * 1000,
    createdAt: issuedMs,
    environment: environmentKey(environment),
  };
}

async function tokenCall(environment: ProcoreEnvironment, form: Record<string, string>, timeoutMs: number): Promise<AxiosResponse<string>> {
  try {
    return await axios.post(new URL('/oauth/token', environment.loginUrl).toString(), new URLSearchParams(form).toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      responseType: 'text',
      transformResponse: [(raw: string) => raw],
      validateStatus: () => true,
      maxRedirects: 0,
      timeout: timeoutMs,
    });
  } catch (error) {
    throw new ProcoreError(
      `could not reach ${ENVIRONMENT_LABELS[environment.kind]} at ${environment.loginUrl} (${(error as Error).message}) — check the network and \`apdesk procore show\``,
      null,
      null,
    );
  }
}

function tokenFailure(environment: ProcoreEnvironment, response: AxiosResponse<string>, what: 'code' | 'refresh'): Error {
  let body: unknown = response.data;
  try {
    body = parseJsonLossless(response.data);
  } catch {
    // keep the text
  }
  const kind = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
  const requestId = (response.headers['x-request-id'] as string | undefined) ?? null;
  if (kind === 'invalid_grant') {
    return new GrantRefusedError(
      what === 'code'
        ? 'Procore refused the authorization code: it is wrong, has expired (codes last 10 minutes) or was already used — run `apdesk procore connect` again and use the new code'
        : 'Procore refused the refresh token: it was already used or revoked',
    );
  }
  if (kind === 'invalid_client') {
    return new UserError(
      `Procore does not accept this client id and secret on ${ENVIRONMENT_LABELS[environment.kind]} (credentials of one environment do not work on another) — check them with \`apdesk procore env\``,
    );
  }
  return new ProcoreError(
    `Procore's token endpoint answered ${response.status}: ${procoreMessage(body) ?? 'no reason given'}`,
    response.status,
    requestId,
    response.data,
  );
}

function parseTokenBody(response: AxiosResponse<string>): TokenResponse {
  try {
    return parseJsonLossless(response.data) as TokenResponse;
  } catch {
    throw new ProcoreError('Procore answered the token request with something that is not JSON', response.status, null);
  }
}

export async function exchangeCode(
  environment: ProcoreEnvironment,
  credentials: ClientCredentials,
  input: { code: string; redirectUri: string },
  options: { timeoutMs?: number; now?: number } = {},
): Promise<StoredTokens> {
  const response = await tokenCall(
    environment,
    {
      grant_type: 'authorization_code',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      code: input.code,
      redirect_uri: input.redirectUri,
    },
    options.timeoutMs ?? 30_000,
  );
  if (response.status < 200 || response.status >= 300) throw tokenFailure(environment, response, 'code');
  return toStored(environment, parseTokenBody(response), options.now ?? Date.now());
}

/**
 * Trades a refresh token for a new pair. The old refresh token is dead from the moment Procore
 * receives this call, whether or not the answer arrives: save the result before using it.
 */
export async function refreshTokens(
  environment: ProcoreEnvironment,
  credentials: ClientCredentials,
  refreshToken: string,
  options: { timeoutMs?: number; now?: number } = {},
): Promise<StoredTokens> {
  const response = await tokenCall(
    environment,
    {
      grant_type: 'refresh_token',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      refresh_token: refreshToken,
    },
    options.timeoutMs ?? 15_000,
  );
  if (response.status < 200 || response.status >= 300) throw tokenFailure(environment, response, 'refresh');
  return toStored(environment, parseTokenBody(response), options.now ?? Date.now());
}

/** Revokes the token (and with it its pair). Procore answers 200 even for an unknown token. */
export async function revokeToken(environment: ProcoreEnvironment, credentials: ClientCredentials, token: string): Promise<void> {
  let response: AxiosResponse<string>;
  try {
    response = await axios.post(
      new URL('/oauth/revoke', environment.loginUrl).toString(),
      new URLSearchParams({ token, client_id: credentials.clientId, client_secret: credentials.clientSecret }).toString(),
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        responseType: 'text',
        transformResponse: [(raw: string) => raw],
        validateStatus: () => true,
        maxRedirects: 0,
        timeout: 15_000,
      },
    );
  } catch (error) {
    throw new ProcoreError(`could not reach ${environment.loginUrl} to revoke the token (${(error as Error).message})`, null, null);
  }
  if (response.status >= 300) throw tokenFailure(environment, response, 'refresh');
}
