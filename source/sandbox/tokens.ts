// Issued OAuth tokens. Only their SHA-256 hashes are kept, so state.json never holds a usable
// token; an access token and its refresh token form one pair that is revoked together.
import { createHash, randomBytes } from 'node:crypto';
import { jsonError, bearerToken, type SandboxRequest } from './http.js';
import { newId, type SandboxState, type SandboxUser, type TokenPair } from './state.js';

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
export const newSecret = () => randomBytes(32).toString('base64url');

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  pair: TokenPair;
}

export function issueTokens(state: SandboxState, grant: { userId: string; clientId: string; now: number; lifetimeSec: number }): IssuedTokens {
  pruneTokens(state, grant.now);
  const accessToken = newSecret();
  const refreshToken = newSecret();
  const pair: TokenPair = {
    id: newId(state),
    userId: grant.userId,
    clientId: grant.clientId,
    accessHash: hashSecret(accessToken),
    refreshHash: hashSecret(refreshToken),
    createdAt: grant.now,
    expiresAt: grant.now + grant.lifetimeSec * 1000,
    revoked: false,
  };
  state.tokens.push(pair);
  return { accessToken, refreshToken, pair };
}

/** Drops pairs that can never be used again: revoked, or expired with their refresh token spent. */
export function pruneTokens(state: SandboxState, now: number): void {
  state.tokens = state.tokens.filter((pair) => !pair.revoked && (pair.expiresAt > now || pair.refreshHash !== null));
}

export function tokenResponse(issued: IssuedTokens) {
  return {
    access_token: issued.accessToken,
    token_type: 'bearer',
    expires_in: Math.round((issued.pair.expiresAt - issued.pair.createdAt) / 1000),
    refresh_token: issued.refreshToken,
    created_at: Math.floor(issued.pair.createdAt / 1000),
  };
}

export function pairForAccessToken(state: SandboxState, token: string): TokenPair | undefined {
  const hash = hashSecret(token);
  return state.tokens.find((pair) => pair.accessHash === hash);
}

export interface Caller {
  user: SandboxUser;
  pair: TokenPair;
}

/** The caller behind the request's Bearer token, or a 401 in Procore's shape. */
export function authenticate(state: SandboxState, request: SandboxRequest, now: number): Caller {
  const token = bearerToken(request);
  const pair = token ? pairForAccessToken(state, token) : undefined;
  let problem: string | null = null;
  if (!token) problem = 'The access token is missing';
  else if (!pair) problem = 'The access token is invalid';
  else if (pair.revoked) problem = 'The access token was revoked';
  else if (pair.expiresAt <= now) problem = 'The access token expired';
  const user = pair && state.users.find((candidate) => candidate.id === pair.userId);
  if (problem || !pair || !user) {
    const description = problem ?? 'The access token is invalid';
    throw jsonError(401, description, {
      'www-authenticate': `Bearer realm="Procore Sandbox", error="invalid_token", error_description="${description}"`,
    });
  }
  return { user, pair };
}
