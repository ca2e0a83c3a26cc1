// Procore's OAuth 2.0 authorization-code flow as the sandbox serves it: the login and consent
// pages, codes (single-use, 10 minutes), rotating single-use refresh tokens, revoke and token info.
import { timingSafeEqual } from 'node:crypto';
import type { SandboxContext } from './context.js';
import { int } from './json.js';
import {
  HttpError,
  cookies,
  formBody,
  htmlResponse,
  jsonResponse,
  redirect,
  type SandboxRequest,
  type SandboxResponse,
} from './http.js';
import { codePage, consentPage, deniedPage, errorPage, loginPage, type AuthorizeParams } from './pages.js';
import type { OAuthApp, SandboxState } from './state.js';
import { authenticate, hashSecret, issueTokens, newSecret, tokenResponse } from './tokens.js';
import { DEMO_USERS } from './demo-seed.js';

export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
const SESSION_COOKIE = 'procore_sandbox_session';
const SESSION_LIFETIME_MS = 12 * 3600 * 1000;

const INVALID_GRANT =
  'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.';
const INVALID_CLIENT =
  'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';

const oauthError = (status: number, error: string, description: string) =>
  new HttpError(jsonResponse(status, { error, error_description: description }, { 'cache-control': 'no-store', pragma: 'no-cache' }));

function authorizeParams(fields: Record<string, string | undefined>): AuthorizeParams {
  return {
    response_type: fields.response_type ?? '',
    client_id: fields.client_id ?? '',
    redirect_uri: fields.redirect_uri ?? '',
    state: fields.state ?? '',
  };
}

/** The app and redirect URI of an authorize request, or the HTML error page Procore shows for them. */
function checkAuthorizeParams(state: SandboxState, params: AuthorizeParams): OAuthApp {
  const app = state.apps.find((candidate) => candidate.clientId === params.client_id);
  if (!app) {
    throw new HttpError(htmlResponse(400, errorPage('An error has occurred', 'Client authentication failed due to unknown client (check client_id).')));
  }
  if (!app.redirectUris.includes(params.redirect_uri)) {
    throw new HttpError(htmlResponse(400, errorPage('An error has occurred', 'The redirect uri included is not valid (it must match a registered redirect URI exactly).')));
  }
  if (params.response_type !== 'code') {
    throw new HttpError(htmlResponse(400, errorPage('An error has occurred', 'The authorization server does not support this response type (use response_type=code).')));
  }
  return app;
}

function sessionUser(context: SandboxContext, state: SandboxState, request: SandboxRequest) {
  const token = cookies(request)[SESSION_COOKIE];
  if (!token) return undefined;
  const hash = hashSecret(token);
  const session = state.sessions.find((candidate) => candidate.hash === hash && candidate.createdAt + SESSION_LIFETIME_MS > context.now());
  return session && state.users.find((user) => user.id === session.userId);
}

const loginHint = `Demo users: ${DEMO_USERS.map((user) => user.email).join(', ')} (password ${DEMO_USERS[0]!.password})`;

/** Issues a code and sends the browser back to the app (or shows the code, for the out-of-band redirect). */
async function grantCode(context: SandboxContext, params: AuthorizeParams, userId: string, consent: boolean): Promise<SandboxResponse> {
  const code = newSecret();
  await context.store.update((state) => {
    const now = context.now();
    const lifetime = state.settings.codeLifetimeSec * 1000;
    state.codes = state.codes.filter((candidate) => candidate.createdAt + lifetime > now);
    state.codes.push({ hash: hashSecret(code), clientId: params.client_id, userId, redirectUri: params.redirect_uri, createdAt: now });
    if (consent && !state.consents.some((c) => c.userId === userId && c.clientId === params.client_id)) {
      state.consents.push({ userId, clientId: params.client_id, at: new Date(now).toISOString() });
    }
  });
  if (params.redirect_uri === OOB_REDIRECT) return htmlResponse(200, codePage(code));
  return redirect(withQuery(params.redirect_uri, { code, ...(params.state ? { state: params.state } : {}) }));
}

function withQuery(uri: string, fields: Record<string, string>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(fields)) url.searchParams.set(key, value);
  return url.toString();
}

/** GET /oauth/authorize */
export async function authorize(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const state = await context.store.read();
  const params = authorizeParams(Object.fromEntries(request.query));
  checkAuthorizeParams(state, params);
  const user = sessionUser(context, state, request);
  if (!user) return htmlResponse(200, loginPage(params, { hint: loginHint }));
  const allowed = state.consents.some((consent) => consent.userId === user.id && consent.clientId === params.client_id);
  if (!allowed) return htmlResponse(200, consentPage(params, state.apps.find((app) => app.clientId === params.client_id)!.name, user));
  return grantCode(context, params, user.id, false);
}

/** POST /oauth/login: the login form. A wrong password shows the form again with an error. */
export async function login(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const fields = formBody(request);
  const params = authorizeParams(fields);
  const state = await context.store.read();
  checkAuthorizeParams(state, params);
  const email = (fields.email ?? '').trim();
  const user = state.users.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
  if (!user || !sameSecret(user.password, fields.password ?? '')) {
    return htmlResponse(401, loginPage(params, { error: 'Invalid email or password.', email, hint: loginHint }));
  }
  const session = newSecret();
  await context.store.update((draft) => {
    const now = context.now();
    draft.sessions = draft.sessions.filter((candidate) => candidate.createdAt + SESSION_LIFETIME_MS > now);
    draft.sessions.push({ hash: hashSecret(session), userId: user.id, createdAt: now });
  });
  const back = new URL('/oauth/authorize', request.base);
  for (const [key, value] of Object.entries(params)) if (value) back.searchParams.set(key, value);
  return redirect(back.toString(), 303, { 'set-cookie': `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax` });
}

/** POST /oauth/authorize: the Allow / Deny buttons. */
export async function decide(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const fields = formBody(request);
  const params = authorizeParams(fields);
  const state = await context.store.read();
  checkAuthorizeParams(state, params);
  const user = sessionUser(context, state, request);
  if (!user) return htmlResponse(200, loginPage(params, { hint: loginHint }));
  if (fields.decision !== 'allow') {
    if (params.redirect_uri === OOB_REDIRECT) return htmlResponse(200, deniedPage());
    return redirect(withQuery(params.redirect_uri, {
      error: 'access_denied',
      error_description: 'The resource owner or authorization server denied the request.',
      ...(params.state ? { state: params.state } : {}),
    }));
  }
  return grantCode(context, params, user.id, true);
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client from the body (client_id/client_secret) or HTTP Basic, or a 401 invalid_client. */
function authenticateClient(state: SandboxState, request: SandboxRequest, fields: Record<string, string>): OAuthApp {
  let clientId = fields.client_id;
  let secret = fields.client_secret;
  const basic = /^Basic\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    clientId = decodeURIComponent(id ?? '');
    secret = decodeURIComponent(rest.join(':'));
  }
  const app = state.apps.find((candidate) => candidate.clientId === clientId);
  if (!app || secret === undefined || !sameSecret(app.clientSecret, secret)) throw oauthError(401, 'invalid_client', INVALID_CLIENT);
  return app;
}

/** POST /oauth/token */
export async function token(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const fields = formBody(request);
  const app = authenticateClient(await context.store.read(), request, fields);
  const grantType = fields.grant_type ?? '';
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    throw oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
  }
  const presented = grantType === 'authorization_code' ? fields.code : fields.refresh_token;
  if (!presented) throw oauthError(400, 'invalid_request', `The request is missing a required parameter: ${grantType === 'authorization_code' ? 'code' : 'refresh_token'}.`);
  const hash = hashSecret(presented);
  // Both grants consume what they are given inside the transaction, before the answer is sent:
  // a lost response leaves a used code or a dead refresh token, as at Procore.
  const issued = await context.store.update((state) => {
    const now = context.now();
    const lifetimeSec = context.accessTokenLifetimeSec ?? state.settings.accessTokenLifetimeSec;
    if (grantType === 'authorization_code') {
      const code = state.codes.find((candidate) => candidate.hash === hash);
      if (!code) return null;
      state.codes = state.codes.filter((candidate) => candidate !== code);
      const fresh = code.createdAt + state.settings.codeLifetimeSec * 1000 > now;
      if (!fresh || code.clientId !== app.clientId || code.redirectUri !== (fields.redirect_uri ?? '')) return null;
      return issueTokens(state, { userId: code.userId, clientId: app.clientId, now, lifetimeSec });
    }
    const pair = state.tokens.find((candidate) => candidate.refreshHash === hash);
    if (!pair) return null;
    pair.refreshHash = null;
    if (pair.revoked || pair.clientId !== app.clientId) return null;
    return issueTokens(state, { userId: pair.userId, clientId: pair.clientId, now, lifetimeSec });
  });
  if (!issued) throw oauthError(400, 'invalid_grant', INVALID_GRANT);
  return jsonResponse(200, tokenResponse(issued), { 'cache-control': 'no-store', pragma: 'no-cache' });
}

/** POST /oauth/revoke: revokes the pair the token belongs to; 200 whatever the token. */
export async function revoke(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const fields = formBody(request);
  authenticateClient(await context.store.read(), request, fields);
  const hash = hashSecret(fields.token ?? '');
  const state = await context.store.read();
  if (state.tokens.some((pair) => pair.accessHash === hash || pair.refreshHash === hash)) {
    await context.store.update((draft) => {
      for (const pair of draft.tokens) {
        if (pair.accessHash === hash || pair.refreshHash === hash) {
          pair.revoked = true;
          pair.refreshHash = null;
        }
      }
    });
  }
  return jsonResponse(200, {});
}

/** GET /oauth/token/info */
export async function tokenInfo(context: SandboxContext, request: SandboxRequest): Promise<SandboxResponse> {
  const state = await context.store.read();
  const { pair } = authenticate(state, request, context.now());
  return jsonResponse(200, {
    resource_owner_id: int(pair.userId),
    scopes: [],
    expires_in_seconds: Math.max(0, Math.floor((pair.expiresAt - context.now()) / 1000)),
    application: { uid: pair.clientId },
    created_at: Math.floor(pair.createdAt / 1000),
  });
}
