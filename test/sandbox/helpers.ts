// Driving a sandbox over plain HTTP the way a program (not a browser) would: the OAuth pages by
// their forms, the API with a Bearer token. Each sandbox gets a temp stateDir and a clock the
// test moves instead of sleeping.
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { DEMO_APP, DEMO_USERS, startSandbox, type RunningSandbox, type SandboxOptions } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';

export const LOOPBACK_REDIRECT = 'http://localhost:53682/callback';
export const OOB = 'urn:ietf:wg:oauth:2.0:oob';
export const ADMIN = DEMO_USERS[0]!;

export interface Clock {
  now(): number;
  advance(seconds: number): void;
}

export function testClock(start = Date.parse('2026-11-26T12:00:00Z')): Clock {
  let at = start;
  return { now: () => at, advance: (seconds) => (at += seconds * 1000) };
}

export interface TestSandbox extends RunningSandbox {
  stateDir: string;
  clock: Clock;
}

const running: RunningSandbox[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

export async function sandbox(options: Partial<SandboxOptions> & { clock?: never } = {}, clock = testClock()): Promise<TestSandbox> {
  const stateDir = options.stateDir ?? join(await tempDir('apdesk-sandbox-'), 'sandbox');
  const started = await startSandbox({ ...options, stateDir, clock: clock.now });
  running.push(started);
  return { ...started, stateDir, clock };
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function call(
  url: string,
  init: { method?: string; headers?: Record<string, string>; form?: Record<string, string>; json?: unknown; body?: Uint8Array | string } = {},
): Promise<Answer> {
  const headers = { ...init.headers };
  let body: string | Uint8Array | undefined = init.body;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof init.json === 'string' ? init.json : JSON.stringify(init.json);
  }
  const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body);
  const response = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body: payload, redirect: 'manual' });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function authorizeUrl(box: RunningSandbox, redirectUri = LOOPBACK_REDIRECT, state = 'st-123', clientId: string = DEMO_APP.clientId): string {
  const url = new URL('/oauth/authorize', box.loginUrl);
  url.search = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state }).toString();
  return url.toString();
}

/** The hidden and named inputs of the page's form, as a program filling it in would read them. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields[match[1]!] = match[2]!
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return fields;
}

export function sessionCookie(answer: Answer): string {
  const cookie = answer.headers.get('set-cookie');
  expect(cookie).toBeTruthy();
  return cookie!.split(';')[0]!;
}

/** Logs in through the login page and returns the session cookie. */
export async function logIn(box: RunningSandbox, authorize: string, user = ADMIN): Promise<string> {
  const loginPage = await call(authorize);
  expect(loginPage.status).toBe(200);
  const loggedIn = await call(new URL('/oauth/login', box.loginUrl).toString(), {
    form: { ...formFields(loginPage.text), email: user.email, password: user.password },
  });
  expect(loggedIn.status).toBe(303);
  return sessionCookie(loggedIn);
}

/** The whole authorize step: log in, allow if asked, and return the code from the redirect. */
export async function authorizationCode(box: RunningSandbox, redirectUri = LOOPBACK_REDIRECT, user = ADMIN): Promise<string> {
  const authorize = authorizeUrl(box, redirectUri);
  const cookie = await logIn(box, authorize, user);
  let page = await call(authorize, { headers: { cookie } });
  if (page.status === 200 && page.text.includes('Authorization required')) {
    page = await call(new URL('/oauth/authorize', box.loginUrl).toString(), {
      headers: { cookie },
      form: { ...formFields(page.text), decision: 'allow' },
    });
  }
  if (redirectUri === OOB) return /id="code">([^<]+)</.exec(page.text)![1]!;
  expect(page.status).toBe(302);
  return new URL(page.headers.get('location')!).searchParams.get('code')!;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  created_at: number;
  token_type: string;
}

export async function exchange(box: RunningSandbox, code: string, redirectUri = LOOPBACK_REDIRECT): Promise<Answer> {
  return call(new URL('/oauth/token', box.loginUrl).toString(), {
    form: { grant_type: 'authorization_code', client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret, code, redirect_uri: redirectUri },
  });
}

export async function refresh(box: RunningSandbox, refreshToken: string): Promise<Answer> {
  return call(new URL('/oauth/token', box.loginUrl).toString(), {
    form: { grant_type: 'refresh_token', client_id: DEMO_APP.clientId, client_secret: DEMO_APP.clientSecret, refresh_token: refreshToken },
  });
}

/** A fresh token pair for the demo admin (or `user`). */
export async function connect(box: RunningSandbox, user = ADMIN): Promise<Tokens> {
  const answer = await exchange(box, await authorizationCode(box, LOOPBACK_REDIRECT, user));
  expect(answer.status).toBe(200);
  return answer.json as Tokens;
}

/** GET (or another method) on the API with the token and, unless `company` is null, the company header. */
export function api(
  box: RunningSandbox,
  token: string,
  path: string,
  options: { company?: string | null; method?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
  if (options.company !== null) headers['procore-company-id'] = options.company ?? '9007199254740993';
  return call(new URL(path, box.apiUrl).toString(), {
    headers,
    ...(options.method ? { method: options.method } : {}),
    ...(options.json !== undefined ? { json: options.json } : {}),
  });
}
