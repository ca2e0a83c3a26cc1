import { describe, expect, it } from 'vitest';
import { DEMO_APP, DEMO_USERS } from '../../source/sandbox/index.js';
import { setFault } from '../../source/sandbox/control.js';
import {
  ADMIN,
  LOOPBACK_REDIRECT,
  OOB,
  api,
  authorizationCode,
  authorizeUrl,
  call,
  connect,
  exchange,
  formFields,
  logIn,
  refresh,
  sandbox,
} from './helpers.js';

describe('the OAuth pages, driven by plain HTTP', () => {
  it('log in, allow once, and come back to the redirect URI with the code and the state', async () => {
    const box = await sandbox();
    const authorize = authorizeUrl(box, LOOPBACK_REDIRECT, 'x&y "<42>\'z');

    const loginPage = await call(authorize);
    expect(loginPage.status).toBe(200);
    expect(loginPage.text).toMatch(/<label for="email">Email<\/label>/);
    expect(loginPage.text).toMatch(/<label for="password">Password<\/label>/);
    expect(loginPage.text).toContain('>Log In</button>');
    expect(formFields(loginPage.text)).toEqual({ response_type: 'code', client_id: 'apdesk-demo', redirect_uri: LOOPBACK_REDIRECT, state: 'x&y "<42>\'z' });

    const wrong = await call(`${box.loginUrl}/oauth/login`, { form: { ...formFields(loginPage.text), email: ADMIN.email, password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Invalid email or password.');
    expect(wrong.text).toContain(`value="${ADMIN.email}"`);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const cookie = await logIn(box, authorize);
    const consent = await call(authorize, { headers: { cookie } });
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('Authorization required');
    expect(consent.text).toContain('value="allow">Allow</button>');

    const allowed = await call(`${box.loginUrl}/oauth/authorize`, { headers: { cookie }, form: { ...formFields(consent.text), decision: 'allow' } });
    expect(allowed.status).toBe(302);
    const back = new URL(allowed.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(LOOPBACK_REDIRECT);
    expect(back.searchParams.get('state')).toBe('x&y "<42>\'z');
    expect(back.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);

    // Allowed once: the next authorize redirects straight away, even after logging in again.
    const again = await call(authorize, { headers: { cookie: await logIn(box, authorize) } });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).not.toBe(back.searchParams.get('code'));
  });

  it('shows the code on a page for the out-of-band redirect, and Deny sends an error back', async () => {
    const box = await sandbox();
    const code = await authorizationCode(box, OOB);
    expect((await exchange(box, code, OOB)).status).toBe(200);

    const second = DEMO_USERS[1]!;
    const authorize = authorizeUrl(box, LOOPBACK_REDIRECT, 's2');
    const cookie = await logIn(box, authorize, second);
    const consent = await call(authorize, { headers: { cookie } });
    const denied = await call(`${box.loginUrl}/oauth/authorize`, { headers: { cookie }, form: { ...formFields(consent.text), decision: 'deny' } });
    const back = new URL(denied.headers.get('location')!);
    expect([back.searchParams.get('error'), back.searchParams.get('state')]).toEqual(['access_denied', 's2']);
  });

  it('refuses an unknown client or an unregistered redirect URI with an error page', async () => {
    const box = await sandbox();
    const unknown = await call(authorizeUrl(box, LOOPBACK_REDIRECT, 's', 'someone-else'));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(unknown.text).toContain('unknown client');
    const unregistered = await call(authorizeUrl(box, 'http://localhost:9999/elsewhere'));
    expect(unregistered.status).toBe(400);
    expect(unregistered.text).toContain('redirect uri');
  });
});

describe('tokens', () => {
  it('exchanges a code once for a bearer pair in Procore’s shape; the code is single-use', async () => {
    const box = await sandbox();
    const code = await authorizationCode(box);
    const first = await exchange(box, code);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.json).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 5400,
      refresh_token: expect.any(String),
      created_at: Math.floor(box.clock.now() / 1000),
    });
    const reused = await exchange(box, code);
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual({
      error: 'invalid_grant',
      error_description:
        'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    });
  });

  it('refuses a code after 10 minutes, with another redirect URI, or for a client with a wrong secret', async () => {
    const box = await sandbox();
    const late = await authorizationCode(box);
    box.clock.advance(601);
    expect((await exchange(box, late)).json.error).toBe('invalid_grant');

    const onTime = await authorizationCode(box);
    box.clock.advance(599);
    expect((await exchange(box, onTime)).status).toBe(200);

    const elsewhere = await authorizationCode(box);
    expect((await exchange(box, elsewhere, 'http://localhost')).json.error).toBe('invalid_grant');

    const code = await authorizationCode(box);
    const badClient = await call(`${box.loginUrl}/oauth/token`, {
      form: { grant_type: 'authorization_code', client_id: DEMO_APP.clientId, client_secret: 'wrong', code, redirect_uri: LOOPBACK_REDIRECT },
    });
    expect(badClient.status).toBe(401);
    expect(badClient.json.error).toBe('invalid_client');
    // The failed client call did not use the code up.
    expect((await exchange(box, code)).status).toBe(200);
  });

  it('takes a JSON body as well as a form', async () => {
    const box = await sandbox();
    const code = await authorizationCode(box);
    const answer = await call(`${box.loginUrl}/oauth/token`, {
      json: { grant_type: 'authorization_code', client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret, code, redirect_uri: LOOPBACK_REDIRECT },
    });
    expect(answer.status).toBe(200);
  });

  it('rotates refresh tokens: each is single-use, even when its response is never read', async () => {
    const box = await sandbox();
    const tokens = await connect(box);
    const rotated = await refresh(box, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    expect(rotated.json.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.json.access_token).not.toBe(tokens.access_token);
    expect((await refresh(box, tokens.refresh_token)).json.error).toBe('invalid_grant');

    // The answer to this refresh is lost on the way back (the connection drops)…
    await setFault(box.stateDir, { kind: 'reset', count: 1, path: '/oauth/token' });
    await expect(refresh(box, rotated.json.refresh_token)).rejects.toThrow();
    // …and the refresh token it spent is dead all the same: the user has to connect again.
    const after = await refresh(box, rotated.json.refresh_token);
    expect(after.status).toBe(400);
    expect(after.json.error).toBe('invalid_grant');
    expect((await api(box, rotated.json.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);
  });

  it('expires access tokens after their lifetime, with a 401 that says Bearer', async () => {
    const box = await sandbox({ accessTokenLifetimeSec: 60 });
    const tokens = await connect(box);
    expect(tokens.expires_in).toBe(60);
    expect((await api(box, tokens.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);
    box.clock.advance(61);
    const expired = await api(box, tokens.access_token, '/rest/v1.0/me', { company: null });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(expired.json).toEqual({ errors: 'The access token expired' });
    expect((await api(box, 'not-a-token', '/rest/v1.0/me', { company: null })).json).toEqual({ errors: 'The access token is invalid' });
    expect((await refresh(box, tokens.refresh_token)).status).toBe(200);
  });

  it('revokes both tokens of a pair; revoke answers 200 even for a token it does not know', async () => {
    const box = await sandbox();
    const tokens = await connect(box);
    const revoke = (token: string) =>
      call(`${box.loginUrl}/oauth/revoke`, { form: { token, client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret } });
    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect((await api(box, tokens.access_token, '/rest/v1.0/me', { company: null })).status).toBe(401);
    expect((await refresh(box, tokens.refresh_token)).json.error).toBe('invalid_grant');
    expect((await revoke('never-issued')).status).toBe(200);
  });

  it('describes a token at /oauth/token/info and its user at /rest/v1.0/me', async () => {
    const box = await sandbox();
    const tokens = await connect(box);
    box.clock.advance(100);
    const info = await call(`${box.loginUrl}/oauth/token/info`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.json).toEqual({
      resource_owner_id: Number(ADMIN.id),
      scopes: [],
      expires_in_seconds: 5300,
      application: { uid: 'apdesk-demo' },
      created_at: tokens.created_at,
    });
    const me = await api(box, tokens.access_token, '/rest/v1.0/me', { company: null });
    expect(me.json).toEqual({ id: Number(ADMIN.id), login: ADMIN.email, name: ADMIN.name });
    expect((await call(`${box.loginUrl}/oauth/token/info`)).status).toBe(401);
  });
});
