import { describe, expect, it } from 'vitest';
import { parseJsonLossless } from '../../source/procore/json.js';
import { encodeParams, parseLinkHeader } from '../../source/procore/http.js';
import { environmentKey, mayCarryToken, parseBaseUrl } from '../../source/procore/environments.js';
import { isPresigned } from '../../source/procore/files.js';
import { browserAvailable } from '../../source/procore/loopback.js';
import { procoreMessage } from '../../source/procore/errors.js';
import { readGrantReply } from '../../source/app/procore.js';
import { redact } from '../../source/log/log.js';

describe('lossless JSON', () => {
  it('keeps integers above 2^53 exact, as strings', () => {
    const parsed = parseJsonLossless('{"id": 9007199254740993, "small": 42, "neg": -9223372036854775807, "list": [12345678901234567890]}') as Record<string, unknown>;
    expect(parsed).toEqual({ id: '9007199254740993', small: 42, neg: '-9223372036854775807', list: ['12345678901234567890'] });
  });

  it('leaves strings, decimals and exponents alone', () => {
    const text = '{"note": "id 9007199254740993 \\" 18446744073709551616", "amount": "1087.80", "rate": 1.0, "big": 1e400, "x": 900719925474099.5}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    expect(parsed.note).toBe('id 9007199254740993 " 18446744073709551616');
    expect(parsed.amount).toBe('1087.80');
    expect(parsed.rate).toBe(1);
    expect(parsed.x).toBe(900719925474099.5);
  });

  it('keeps safe 16-digit integers as numbers', () => {
    expect(parseJsonLossless('[9007199254740991, 1000000000000000]')).toEqual([9007199254740991, 1000000000000000]);
  });

  it('still refuses malformed JSON', () => {
    expect(() => parseJsonLossless('{"id": 12')).toThrow();
  });
});

describe('paging and parameters', () => {
  it('reads every rel of a Link header', () => {
    const links = parseLinkHeader(
      '<https://api.procore.com/rest/v1.0/projects?page=1&per_page=5>; rel="first", <https://api.procore.com/rest/v1.0/projects?page=3&per_page=5>; rel="next", <https://api.procore.com/rest/v1.0/projects?page=9&per_page=5>; rel="last"',
    );
    expect(links.next).toBe('https://api.procore.com/rest/v1.0/projects?page=3&per_page=5');
    expect(links.last).toContain('page=9');
    expect(parseLinkHeader(undefined)).toEqual({});
    expect(parseLinkHeader('<x>; rel="prev"').next).toBeUndefined();
  });

  it("encodes Procore's filter syntax", () => {
    expect(decodeURIComponent(encodeParams({ project_id: '12', 'filters[id]': ['1', '2'], 'filters[status]': 'approved', skip: undefined }))).toBe(
      'project_id=12&filters[id][]=1&filters[id][]=2&filters[status]=approved',
    );
  });
});

describe('where the token may go', () => {
  const production = { kind: 'production' as const, apiUrl: 'https://api.procore.com', loginUrl: 'https://login.procore.com' };
  const local = { kind: 'local' as const, apiUrl: 'http://127.0.0.1:4100', loginUrl: 'http://127.0.0.1:4100' };
  const developer = { kind: 'sandbox' as const, apiUrl: 'https://sandbox.procore.com', loginUrl: 'https://login-sandbox.procore.com' };
  const custom = { kind: 'custom' as const, apiUrl: 'https://procore.internal.example', loginUrl: 'https://login.internal.example' };

  it.each([
    [production, 'https://api.procore.com/rest/v1.0/me', true],
    [production, 'https://us02.procore.com/fas/api/v5/files/1', true],
    [production, 'https://app.procore.com/fas/x', true],
    [production, 'https://prostore-apse2.s3.ap-southeast-2.amazonaws.com/x?X-Amz-Signature=1', false],
    [production, 'https://evilprocore.com/x', false],
    [production, 'http://us02.procore.com/x', false],
    [local, 'http://127.0.0.1:4100/fas/api/v5/files/1', true],
    [local, 'http://127.0.0.1:4101/bucket/1?X-Amz-Signature=1', false],
    [local, 'https://us02.procore.com/x', false],
    [local, 'http://localhost:4100/rest/v1.0/me', false],
    [developer, 'https://login-sandbox.procore.com/oauth/token', true],
    [developer, 'https://storage.procore.com/api/v5/files/1', true],
    [developer, 'https://procore.com.attacker.example/x', false],
    [developer, 'https://sandbox.procore.com:8443/x', true],
    [custom, 'https://login.internal.example/oauth/token', true],
    [custom, 'https://files.internal.example/x', false],
    [custom, 'https://api.procore.com/rest/v1.0/me', false],
    [production, 'not a url', false],
  ])('%o → %s: %s', (environment, url, expected) => {
    expect(mayCarryToken(environment, url)).toBe(expected);
  });

  it('knows a pre-signed link, which never gets the token even on a host that may', () => {
    expect(isPresigned('https://prostore.s3.amazonaws.com/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab')).toBe(true);
    expect(isPresigned('https://d1.cloudfront.net/x?Expires=1&Signature=ab&Key-Pair-Id=K')).toBe(true);
    expect(isPresigned('https://storage.googleapis.com/x?X-Goog-Signature=ab')).toBe(true);
    expect(isPresigned('https://us02.procore.com/fas/api/v5/files/1')).toBe(false);
    expect(isPresigned('https://us02.procore.com/fas/api/v5/files/1?version=2')).toBe(false);
    expect(isPresigned('::')).toBe(false);
  });

  it('keys local tokens by kind, since the sandbox port changes', () => {
    expect(environmentKey(local)).toBe('local');
    expect(environmentKey(production)).toBe('https://api.procore.com');
  });

  it('accepts https base URLs and plain http only on loopback', () => {
    expect(parseBaseUrl('https://api.example.com/', 'API URL')).toBe('https://api.example.com');
    expect(parseBaseUrl('http://localhost:8080', 'API URL')).toBe('http://localhost:8080');
    expect(() => parseBaseUrl('http://10.0.0.5', 'API URL')).toThrow(/unencrypted/);
    expect(() => parseBaseUrl('ftp://x', 'API URL')).toThrow(/https/);
    expect(() => parseBaseUrl('not a url', 'login URL')).toThrow("login URL 'not a url' is not a URL");
  });
});

describe('Grant Access replies', () => {
  it('takes a bare code, a query or a whole redirect URL', () => {
    expect(readGrantReply('  abc123XYZ \n', 's1')).toBe('abc123XYZ');
    expect(readGrantReply('code=abc123&state=s1', 's1')).toBe('abc123');
    expect(readGrantReply('http://localhost:53682/callback?code=abc123&state=s1', 's1')).toBe('abc123');
  });

  it('refuses a mismatched state, an error, an empty reply and junk, storing nothing', () => {
    expect(() => readGrantReply('code=abc123&state=other', 's1')).toThrow(/state does not match/);
    expect(() => readGrantReply('error=access_denied&error_description=User+said+no', 's1')).toThrow('User said no');
    expect(() => readGrantReply('', 's1')).toThrow(/no authorization code/);
    expect(() => readGrantReply('<html>', 's1')).toThrow(/does not look like/);
  });
});

describe('odds and ends', () => {
  it('knows when a browser can open', () => {
    expect(browserAvailable({ SSH_CONNECTION: '1 2 3 4', DISPLAY: ':0' }, 'linux')).toBe(false);
    expect(browserAvailable({}, 'linux')).toBe(false);
    expect(browserAvailable({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(browserAvailable({}, 'darwin')).toBe(true);
  });

  it("reads Procore's many error shapes", () => {
    expect(procoreMessage({ errors: 'Missing Procore-Company-Id header!' })).toBe('Missing Procore-Company-Id header!');
    expect(procoreMessage({ error: { code: 'BAD_REQUEST', message: 'bad date' } })).toBe('bad date');
    expect(procoreMessage({ error: 'invalid_grant', error_description: 'expired' })).toBe('expired');
    expect(procoreMessage({ errors: ['a', 'b'] })).toBe('a; b');
    expect(procoreMessage(null)).toBeNull();
  });

  it('redacts credentials from log context', () => {
    expect(redact({ access_token: 'x', nested: { refresh_token: 'y', ok: 1 }, header: 'Bearer abc.def', code: 'c' })).toEqual({
      access_token: '[redacted]',
      nested: { refresh_token: '[redacted]', ok: 1 },
      header: 'Bearer [redacted]',
      code: '[redacted]',
    });
  });
});
