// A 401 that follows a fresh refresh is Procore saying "no access" (the app is not installed in
// the company, or the user has none): it is said so, and no further refresh token is spent on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProcoreHttp } from '../../source/procore/http.js';
import { AccessRefusedError } from '../../source/procore/errors.js';
import type { AccessTokens } from '../../source/procore/tokens.js';
import { silentLogger } from '../../source/log/log.js';

let server: Server;
let apiUrl: string;
const seen: string[] = [];

beforeAll(async () => {
  // A Procore that accepts every token for /me and refuses them all for the company's projects.
  server = createServer((request, response) => {
    seen.push(`${request.url} ${request.headers.authorization}`);
    const refused = request.url?.startsWith('/rest/v1.0/projects');
    response.writeHead(refused ? 401 : 200, { 'content-type': 'application/json', 'x-request-id': `req-${seen.length}` });
    response.end(refused ? '{"errors":"401 Unauthorized"}' : '{"id":1,"login":"ap@demo.test","name":"AP"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Tokens that hand out a new access token at each refresh, and count the refreshes. */
function countingTokens(): AccessTokens & { refreshes: number } {
  let current = 'token-0';
  const tokens = {
    refreshes: 0,
    accessToken: async () => current,
    refreshAfter: async () => {
      tokens.refreshes += 1;
      current = `token-${tokens.refreshes}`;
      return current;
    },
  };
  return tokens;
}

describe('a token refused right after a refresh', () => {
  it('is said to be a missing installation or access, and is refreshed once at most', async () => {
    const tokens = countingTokens();
    const http = new ProcoreHttp({ environment: { kind: 'custom', apiUrl, loginUrl: apiUrl }, tokens, logger: silentLogger, companyId: '42', maxAttempts: 3 });
    const first = await http.get('/rest/v1.0/projects').catch((error: Error) => error);
    expect(first).toBeInstanceOf(AccessRefusedError);
    expect((first as Error).message).toMatch(/^Procore refused GET \/rest\/v1\.0\/projects even with a freshly refreshed token: apdesk may not be installed in this company \(Procore's App Management\), or the connected user has no access to it/);
    expect((first as Error).message).toMatch(/Procore request id req-\d+/);
    expect(tokens.refreshes).toBe(1);
    // The next refusal spends no refresh token.
    await expect(http.get('/rest/v1.0/projects')).rejects.toBeInstanceOf(AccessRefusedError);
    expect(tokens.refreshes).toBe(1);
    // What the token may do still works.
    expect((await http.get<{ login: string }>('/rest/v1.0/me')).data.login).toBe('ap@demo.test');
    expect(seen.filter((line) => line.startsWith('/rest/v1.0/projects')).map((line) => line.split(' ').pop())).toEqual(['token-0', 'token-1', 'token-1']);
  });
});
