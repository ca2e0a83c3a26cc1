// One axios instance per Procore connection, and the rules every call follows: the Bearer token
// (refreshed before expiry, and once on a 401), Procore-Company-Id, pacing by the rate-limit
// headers, backoff with jitter on 429/503 honouring Retry-After, retries for idempotent requests
// only, Link: rel="next" paging, ids read losslessly, x-request-id logged with every error.
import axios, { type AxiosInstance, type AxiosResponse, type Method } from 'axios';
import type { Logger } from '../log/log.js';
import { ENVIRONMENT_LABELS, mayCarryToken, type ProcoreEnvironment } from './environments.js';
import { AccessRefusedError, ProcoreError, procoreMessage } from './errors.js';
import { parseJsonLossless, stringifyLossless } from './json.js';
import type { AccessTokens } from './tokens.js';

export interface ProcoreHttpOptions {
  environment: ProcoreEnvironment;
  tokens: AccessTokens;
  logger: Logger;
  /** Sent as Procore-Company-Id on every call but /me and /companies. */
  companyId?: string | null;
  timeoutMs?: number;
  /** Attempts for an idempotent request, the first included. */
  maxAttempts?: number;
  /** The longest single wait apdesk accepts before giving up on a rate limit. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Told each time a rate limit makes the client wait (the sync loop shows it). */
  onRateLimitPause?: (waitMs: number) => void;
}

export interface ProcoreResponse<T> {
  data: T;
  status: number;
  headers: Record<string, string>;
  requestId: string | null;
}

interface RequestOptions {
  params?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  body?: unknown;
  /** Safe to send twice. GETs are; a POST is only when the caller made it so (e.g. by origin_id). */
  idempotent?: boolean;
  headers?: Record<string, string>;
}

const NO_COMPANY_HEADER = [/^\/rest\/v1\.0\/me$/, /^\/rest\/v1\.0\/companies$/];
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ECONNREFUSED', 'EAI_AGAIN', 'ERR_BAD_RESPONSE']);

/** Parses `Link: <url>; rel="next", <url>; rel="last"` into a map of rel → url. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (!match) continue;
    const rel = /rel="?([^";]+)"?/.exec(match[2] ?? '');
    if (rel?.[1]) for (const name of rel[1].split(/\s+/)) links[name] = match[1]!;
  }
  return links;
}

/** Procore's filter syntax: arrays as `filters[id][]=1&filters[id][]=2`. */
export function encodeParams(params: RequestOptions['params'] = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) search.append(`${key}[]`, String(item));
    else search.append(key, String(value));
  }
  return search.toString();
}

function headerMap(response: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** Procore's rate limit as one of its answers stated it. */
export interface RateLimitSeen {
  limit: number | null;
  remaining: number;
  resetAt: string;
}

export class ProcoreHttp {
  readonly axios: AxiosInstance;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly maxAttempts: number;
  private readonly maxWaitMs: number;
  /** The most recent rate-limit reading: pacing waits when the window is spent. */
  private rate: { remaining: number; resetAt: number } | null = null;
  private lastRate: RateLimitSeen | null = null;
  /** Requests sent (retries included): tests and benchmarks read it. */
  requests = 0;
  /**
   * Set once Procore refused a token it had just issued: from then on a 401 is that same refusal
   * (the app is not installed, or the user has no access), and no refresh token is spent on it.
   */
  private refusedFreshToken = false;

  constructor(private readonly options: ProcoreHttpOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 120_000;
    this.axios = axios.create({
      baseURL: options.environment.apiUrl,
      timeout: options.timeoutMs ?? 30_000,
      responseType: 'text',
      transformResponse: [(raw: string) => raw],
      validateStatus: () => true,
      // A redirect could carry the token to another host; API calls never need one.
      maxRedirects: 0,
      headers: { accept: 'application/json', 'user-agent': 'apdesk' },
    });
  }

  get companyId(): string | null {
    return this.options.companyId ?? null;
  }

  async get<T>(path: string, params?: RequestOptions['params']): Promise<ProcoreResponse<T>> {
    return this.request<T>('GET', path, { ...(params ? { params } : {}), idempotent: true });
  }

  async post<T>(path: string, body: unknown, options: { idempotent?: boolean } = {}): Promise<ProcoreResponse<T>> {
    return this.request<T>('POST', path, { body, idempotent: options.idempotent ?? false });
  }

  /** Every item of a paged list, following Link: rel="next" (never computing pages itself). */
  async list<T>(path: string, params: RequestOptions['params'] = {}): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = `${path}${path.includes('?') ? '&' : '?'}${encodeParams({ per_page: 100, ...params })}`;
    for (let page = 1; next; page++) {
      if (page > 10_000) throw new ProcoreError(`Procore kept sending pages of ${path}; stopped after 10,000`, null, null);
      const response: ProcoreResponse<unknown> = await this.request<unknown>('GET', next, { idempotent: true });
      if (!Array.isArray(response.data)) {
        throw new ProcoreError(`Procore answered ${path} with something that is not a list`, response.status, response.requestId);
      }
      items.push(...(response.data as T[]));
      const link = parseLinkHeader(response.headers.link).next;
      if (link && !mayCarryToken(this.options.environment, new URL(link, this.options.environment.apiUrl).toString())) {
        throw new ProcoreError(`Procore's next-page link points at another host (${new URL(link).host}); refusing to send the token there`, null, response.requestId);
      }
      next = link ?? null;
    }
    return items;
  }

  private needsCompany(path: string): boolean {
    const bare = new URL(path, this.options.environment.apiUrl).pathname;
    return !NO_COMPANY_HEADER.some((pattern) => pattern.test(bare));
  }

  /** Whoever wants to know about rate-limit waits (set by the sync loop on an open connection). */
  onRateLimitPause: ((waitMs: number) => void) | null = null;

  private onPause(waitMs: number): void {
    try {
      (this.onRateLimitPause ?? this.options.onRateLimitPause)?.(Math.round(waitMs));
    } catch {
      /* the listener's own problem */
    }
  }

  private async pace(): Promise<void> {
    if (!this.rate || this.rate.remaining > 0) return;
    const wait = this.rate.resetAt - this.now();
    if (wait > 0) {
      this.options.logger.log('info', 'procore rate limit spent; pacing', { waitMs: wait });
      this.onPause(wait);
      await this.sleep(Math.min(wait + Math.random() * 250, this.maxWaitMs));
    }
    this.rate = null;
  }

  private readRate(headers: Record<string, string>): void {
    const remaining = Number(headers['x-rate-limit-remaining']);
    const reset = Number(headers['x-rate-limit-reset']);
    const limit = Number(headers['x-rate-limit-limit']);
    if (Number.isFinite(remaining) && Number.isFinite(reset)) {
      this.rate = { remaining, resetAt: reset * 1000 };
      this.lastRate = { limit: Number.isFinite(limit) ? limit : null, remaining, resetAt: new Date(reset * 1000).toISOString() };
    }
  }

  /** Procore's rate limit as its last answer told it (limit, what is left, when it resets), or null before any. */
  get rateLimit(): RateLimitSeen | null {
    return this.lastRate;
  }

  /** How long to wait before retrying a 429/503 (Retry-After, else the reset time, else backoff). */
  private backoff(headers: Record<string, string>, attempt: number): number {
    const retryAfter = headers['retry-after'];
    let wait: number | null = null;
    if (retryAfter !== undefined) {
      const seconds = Number(retryAfter);
      wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - this.now();
    } else if (headers['x-rate-limit-reset'] !== undefined) {
      wait = Number(headers['x-rate-limit-reset']) * 1000 - this.now();
    }
    if (wait === null || !Number.isFinite(wait) || wait < 0) wait = 500 * 2 ** (attempt - 1);
    return wait + Math.random() * Math.min(1000, wait * 0.25 + 100);
  }

  private fail(response: AxiosResponse<string>, headers: Record<string, string>, method: string, path: string): ProcoreError {
    const requestId = headers['x-request-id'] ?? null;
    let body: unknown = response.data;
    try {
      body = parseJsonLossless(response.data);
    } catch {
      // keep the raw text
    }
    const reason = procoreMessage(body);
    this.options.logger.log('error', 'procore request failed', { method, path, status: response.status, requestId, body: String(response.data).slice(0, 2000) });
    const where = `${method} ${new URL(path, this.options.environment.apiUrl).pathname}`;
    const hint: Record<number, string> = {
      400: 'the request was refused as malformed',
      401: 'the token was refused',
      403: 'the connected user lacks a permission, the tool is off in this project, or the app is not installed in this company',
      404: 'it does not exist or the connected user cannot see it',
      409: 'it conflicts with an existing record',
      422: 'Procore refused it as invalid',
      429: "Procore's rate limit is still spent — try again later",
      503: 'Procore is overloaded — try again later',
    };
    return new ProcoreError(
      `Procore answered ${response.status} to ${where}: ${reason ?? hint[response.status] ?? 'no reason given'}${reason && hint[response.status] ? ` (${hint[response.status]})` : ''}`,
      response.status,
      requestId,
      typeof response.data === 'string' ? response.data.slice(0, 2000) : null,
    );
  }

  private async request<T>(method: Method, path: string, options: RequestOptions): Promise<ProcoreResponse<T>> {
    const url = options.params ? `${path}${path.includes('?') ? '&' : '?'}${encodeParams(options.params)}` : path;
    const attempts = options.idempotent ? this.maxAttempts : 1;
    let refreshed = false;
    let token = await this.options.tokens.accessToken();
    for (let attempt = 1; ; attempt++) {
      await this.pace();
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...options.headers };
      if (this.companyId && this.needsCompany(url)) headers['procore-company-id'] = this.companyId;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      let response: AxiosResponse<string>;
      this.requests += 1;
      try {
        response = await this.axios.request<string>({
          method,
          url,
          headers,
          ...(options.body !== undefined ? { data: stringifyLossless(options.body) } : {}),
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ERROR';
        this.options.logger.log('warn', 'procore request did not complete', { method, path: url, attempt, code });
        if (attempt < attempts && TRANSIENT_CODES.has(code)) {
          await this.sleep(Math.min(500 * 2 ** (attempt - 1) + Math.random() * 250, this.maxWaitMs));
          continue;
        }
        throw new ProcoreError(
          `could not reach ${ENVIRONMENT_LABELS[this.options.environment.kind]} at ${this.options.environment.apiUrl} (${code}: ${(error as Error).message})${options.idempotent ? '' : '; the request was not retried because it is not safe to send twice'}`,
          null,
          null,
        );
      }
      const responseHeaders = headerMap(response);
      this.readRate(responseHeaders);
      const requestId = responseHeaders['x-request-id'] ?? null;

      if (response.status === 401 && !refreshed && !this.refusedFreshToken) {
        refreshed = true;
        token = await this.options.tokens.refreshAfter(token);
        attempt -= 1;
        continue;
      }
      if (response.status === 401) {
        this.refusedFreshToken = true;
        this.options.logger.log('warn', 'procore refused a fresh token; not refreshing again', { path: url, requestId });
        throw new AccessRefusedError(`${method} ${new URL(url, this.options.environment.apiUrl).pathname}`, requestId);
      }
      if ((response.status === 429 || response.status === 503) && attempt < attempts) {
        const wait = this.backoff(responseHeaders, attempt);
        if (wait > this.maxWaitMs) throw this.fail(response, responseHeaders, method, url);
        this.options.logger.log('warn', `procore answered ${response.status}; backing off`, { path: url, waitMs: Math.round(wait), requestId });
        if (response.status === 429) this.onPause(wait);
        await this.sleep(wait);
        // That wait was the server's own instruction; do not pace again on the same reading.
        this.rate = null;
        continue;
      }
      if (response.status >= 500 && response.status !== 503 && attempt < attempts) {
        await this.sleep(500 * 2 ** (attempt - 1) + Math.random() * 250);
        continue;
      }
      if (response.status < 200 || response.status >= 300) throw this.fail(response, responseHeaders, method, url);
      let data: T;
      try {
        data = (response.data === '' ? null : parseJsonLossless(response.data)) as T;
      } catch {
        this.options.logger.log('warn', 'procore sent malformed JSON', { path: url, requestId, body: response.data.slice(0, 500) });
        if (attempt < attempts) {
          await this.sleep(250 * attempt);
          continue;
        }
        throw new ProcoreError(`Procore answered ${method} ${path} with a body that is not valid JSON`, response.status, requestId);
      }
      return { data, status: response.status, headers: responseHeaders, requestId };
    }
  }
}
