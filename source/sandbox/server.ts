// The two listeners of a sandbox on 127.0.0.1: the API (OAuth pages and tokens, REST, file
// links, the control API) and the "object storage" that attachment links point at. Every API
// answer passes through one place that applies faults, rate limits and request ids.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { UserError } from '../domain/errors.js';
import type { SandboxContext } from './context.js';
import { handleControl, type ControlEndpoint } from './control-http.js';
import { takeFaults, type AppliedFaults } from './faults.js';
import { HttpError, bearerToken, jsonResponse, readBody, type SandboxRequest, type SandboxResponse } from './http.js';
import { authorize, decide, login, revoke, token, tokenInfo } from './oauth.js';
import { RATE_LIMITED_MESSAGE, RateLimiter, rateHeaders } from './rate-limit.js';
import { handleRest } from './rest.js';
import { FILE_PATH_PREFIX, fileRedirect, serveStorage } from './storage.js';
import { authenticate, hashSecret } from './tokens.js';

export interface Listeners {
  api: Server;
  storage: Server;
  apiUrl: string;
  storageUrl: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new UserError(`port ${port} on 127.0.0.1 is in use — pick another (--port), or 0 for any free port`));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

async function toRequest(message: IncomingMessage, base: string): Promise<SandboxRequest> {
  const url = new URL(message.url ?? '/', base);
  return {
    method: (message.method ?? 'GET').toUpperCase(),
    url,
    path: url.pathname,
    query: url.searchParams,
    headers: message.headers,
    body: await readBody(message),
    remoteAddress: message.socket.remoteAddress ?? '',
    base,
  };
}

function send(response: ServerResponse, answer: SandboxResponse, head: boolean): void {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : Buffer.from(answer.body);
  response.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
  response.end(head ? undefined : body);
}

function failure(error: unknown): SandboxResponse {
  if (error instanceof HttpError) return error.response;
  // A UserError here is the state, not the request: its lock is busy or its folder is gone.
  if (error instanceof UserError) return jsonResponse(503, { errors: error.message });
  process.stderr.write(`apdesk sandbox: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
  return jsonResponse(500, { errors: 'Internal Server Error' });
}

/** Starts both listeners for `context`; fills in its URLs. */
export async function startListeners(
  context: SandboxContext,
  ports: { api: number; storage: number },
  endpoint: () => ControlEndpoint,
): Promise<Listeners> {
  const limiter = new RateLimiter();
  const routeApi = async (request: SandboxRequest, faults: AppliedFaults): Promise<SandboxResponse> => {
    const route = `${request.method} ${request.path}`;
    switch (route) {
      case 'GET /oauth/authorize':
        return authorize(context, request);
      case 'POST /oauth/authorize':
        return decide(context, request);
      case 'POST /oauth/login':
        return login(context, request);
      case 'POST /oauth/token':
        return token(context, request);
      case 'POST /oauth/revoke':
        return revoke(context, request);
      case 'GET /oauth/token/info':
        return tokenInfo(context, request);
    }
    if (request.path.startsWith('/rest/')) return handleRest(context, request, { expiredLinks: faults.expiredStorageUrls });
    if (request.path.startsWith(FILE_PATH_PREFIX) && request.method === 'GET') {
      const state = await context.store.read();
      authenticate(state, request, context.now());
      const redirect = fileRedirect(context, state, request.path.slice(FILE_PATH_PREFIX.length), faults.expiredStorageUrls);
      if (redirect) return redirect;
    }
    return jsonResponse(404, { errors: 'Not Found' });
  };

  /** Who a request counts against: the token's user and app, else the address it came from. */
  const callerOf = async (request: SandboxRequest): Promise<string> => {
    const bearer = bearerToken(request);
    if (bearer) {
      const hash = hashSecret(bearer);
      const pair = (await context.store.read()).tokens.find((candidate) => candidate.accessHash === hash);
      if (pair) return `${pair.userId} ${pair.clientId}`;
    }
    return `address ${request.remoteAddress}`;
  };

  const api = createServer((message, response) => {
    void (async () => {
      const requestId = randomUUID();
      let answer: SandboxResponse;
      let faults: AppliedFaults | null = null;
      let rate: Record<string, string> | null = null;
      let head = false;
      let asked: SandboxRequest | null = null;
      try {
        const request = await toRequest(message, context.apiUrl);
        asked = request;
        head = request.method === 'HEAD';
        if (request.path === '/_sandbox' || request.path.startsWith('/_sandbox/')) {
          answer = await handleControl(context, request, endpoint());
        } else {
          const counted = request.path.startsWith('/rest/') || request.path.startsWith('/fas/');
          faults = await takeFaults(context, request.path);
          if (faults.delayMs) await sleep(faults.delayMs);
          const blocking = faults.blocking;
          if (blocking?.kind === 'rate-limit') {
            const seconds = blocking.seconds ?? 10;
            const limits = (await context.store.read()).settings.rateLimits;
            rate = rateHeaders(limits.spike.limit, 0, context.now() + seconds * 1000);
            answer = jsonResponse(429, { errors: RATE_LIMITED_MESSAGE }, { 'retry-after': String(seconds) });
          } else if (blocking?.kind === 'unavailable') {
            answer = jsonResponse(503, { errors: 'Service Unavailable: please retry later' }, { 'retry-after': String(blocking.seconds ?? 5) });
          } else if (counted) {
            const verdict = limiter.take(await callerOf(request), context.now(), (await context.store.read()).settings.rateLimits);
            rate = verdict.headers;
            answer = verdict.allowed
              ? await routeApi(request, faults)
              : jsonResponse(429, { errors: RATE_LIMITED_MESSAGE }, { 'retry-after': String(verdict.retryAfterSec) });
          } else {
            answer = await routeApi(request, faults);
          }
        }
      } catch (error) {
        answer = failure(error);
      }
      if (faults?.reset) {
        // The work is done (a token rotated, a payment stored); only the answer is lost.
        message.socket.destroy();
        return;
      }
      answer.headers['x-request-id'] = requestId;
      if (rate) Object.assign(answer.headers, rate);
      if (faults?.malformedJson && answer.headers['content-type']?.startsWith('application/json')) {
        const text = typeof answer.body === 'string' ? answer.body : Buffer.from(answer.body).toString('utf8');
        answer = { ...answer, status: 200, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) };
      }
      if (asked) context.onServed?.({ method: asked.method, path: asked.path, query: asked.query, status: answer.status });
      send(response, answer, head);
    })().catch((error) => {
      response.destroy(error as Error);
    });
  });

  const storage = createServer((message, response) => {
    void (async () => {
      const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
      let answer: SandboxResponse;
      let head = false;
      try {
        const request = await toRequest(message, context.storageUrl);
        head = request.method === 'HEAD';
        answer = await serveStorage(context, request, requestId);
      } catch (error) {
        answer = failure(error);
      }
      answer.headers['x-amz-request-id'] = requestId;
      send(response, answer, head);
    })().catch((error) => {
      response.destroy(error as Error);
    });
  });

  const apiPort = await listen(api, ports.api);
  let storagePort: number;
  try {
    storagePort = await listen(storage, ports.storage);
  } catch (error) {
    await closeServer(api);
    throw error instanceof UserError ? new UserError(error.message.replace('(--port)', '(--storage-port)')) : error;
  }
  context.apiUrl = `http://127.0.0.1:${apiPort}`;
  context.storageUrl = `http://127.0.0.1:${storagePort}`;
  return { api, storage, apiUrl: context.apiUrl, storageUrl: context.storageUrl };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
