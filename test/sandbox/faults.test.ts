import { beforeEach, describe, expect, it } from 'vitest';
import { clearFaults, listFaults, setFault, setFileLinks } from '../../source/sandbox/control.js';
import { DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { api, call, connect, refresh, sandbox, type TestSandbox, type Tokens } from './helpers.js';

let box: TestSandbox;
let tokens: Tokens;
beforeEach(async () => {
  box = await sandbox();
  tokens = await connect(box);
});

const me = () => api(box, tokens.access_token, '/rest/v1.0/me', { company: null });

describe('fault switches', () => {
  it('expire-tokens: current access tokens stop working, their refresh tokens still do', async () => {
    const result = await setFault(box.stateDir, { kind: 'expire-tokens' }, { now: box.clock.now() });
    expect(result.tokensAffected).toBe(1);
    expect((await me()).json).toEqual({ errors: 'The access token expired' });
    const renewed = await refresh(box, tokens.refresh_token);
    expect(renewed.status).toBe(200);
    expect((await api(box, renewed.json.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);
  });

  it('revoke-tokens: every token is dead and refreshing fails', async () => {
    await setFault(box.stateDir, { kind: 'revoke-tokens' });
    expect((await me()).status).toBe(401);
    expect((await refresh(box, tokens.refresh_token)).json.error).toBe('invalid_grant');
  });

  it('rate-limit: the next N requests get 429 with Retry-After and X-Rate-Limit-Reset', async () => {
    await setFault(box.stateDir, { kind: 'rate-limit', count: 2, seconds: 7 });
    for (let n = 0; n < 2; n++) {
      const limited = await me();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(Number(limited.headers.get('x-rate-limit-reset'))).toBe(Math.ceil(box.clock.now() / 1000) + 7);
    }
    expect((await me()).status).toBe(200);
    expect(await listFaults(box.stateDir)).toEqual([]);
  });

  it('unavailable: 503 with Retry-After until cleared', async () => {
    await setFault(box.stateDir, { kind: 'unavailable', seconds: 3 });
    for (let n = 0; n < 3; n++) {
      const answer = await me();
      expect([answer.status, answer.headers.get('retry-after')]).toEqual([503, '3']);
    }
    expect(await clearFaults(box.stateDir)).toBe(1);
    expect((await me()).status).toBe(200);
  });

  it('slow: answers after the delay', async () => {
    await setFault(box.stateDir, { kind: 'slow', ms: 150, count: 1 });
    const started = performance.now();
    expect((await me()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('reset: the connection drops with no answer', async () => {
    await setFault(box.stateDir, { kind: 'reset', count: 1 });
    await expect(me()).rejects.toThrow();
    expect((await me()).status).toBe(200);
  });

  it('malformed-json: a 200 whose JSON body is cut short', async () => {
    await setFault(box.stateDir, { kind: 'malformed-json', count: 1 });
    const broken = await api(box, tokens.access_token, '/rest/v1.0/companies', { company: null });
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text)).toThrow();
    expect((await api(box, tokens.access_token, '/rest/v1.0/companies', { company: null })).json).toHaveLength(2);
  });

  it('expired-storage-urls: requisitions give links that have already expired, and file links redirect to such links', async () => {
    const path = `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.encryptedPdf}?project_id=1710001`;
    await setFault(box.stateDir, { kind: 'expired-storage-urls', count: 1 });
    const stale = (await api(box, tokens.access_token, path)).json.attachments[0].url;
    expect((await call(stale)).status).toBe(403);
    const fresh = (await api(box, tokens.access_token, path)).json.attachments[0].url;
    expect((await fetch(fresh)).status).toBe(200);

    // Links on the API host: the fault hits the redirect.
    await setFileLinks(box.stateDir, 'api');
    const url = (await api(box, tokens.access_token, path)).json.attachments[0].url;
    await setFault(box.stateDir, { kind: 'expired-storage-urls', count: 1 });
    const first = await call(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await call(first.headers.get('location')!)).status).toBe(403);
    const second = await call(url, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await fetch(second.headers.get('location')!)).status).toBe(200);
  });

  it('a fault can be limited to one path, and is consumed only there', async () => {
    await setFault(box.stateDir, { kind: 'unavailable', count: 1, path: '/rest/v1.0/companies' });
    expect((await me()).status).toBe(200);
    expect((await api(box, tokens.access_token, '/rest/v1.0/companies', { company: null })).status).toBe(503);
    expect((await api(box, tokens.access_token, '/rest/v1.0/companies', { company: null })).status).toBe(200);
  });

  it('is refused with a clear message when the fault or its numbers are wrong', async () => {
    await expect(setFault(box.stateDir, { kind: 'explode' as never })).rejects.toThrow(/unknown fault 'explode' — use one of expire-tokens/);
    await expect(setFault(box.stateDir, { kind: 'slow', ms: -5 })).rejects.toThrow(/--ms must be/);
  });

  it('the control API sets and clears the same switches over HTTP', async () => {
    const set = await call(`${box.controlUrl}/faults`, { json: { kind: 'unavailable', count: 1 } });
    expect(set.status).toBe(200);
    expect(set.json.fault).toMatchObject({ kind: 'unavailable', remaining: 1, seconds: 5 });
    expect((await call(`${box.controlUrl}/faults`, { json: { kind: 'nope' } })).status).toBe(400);
    expect((await call(`${box.controlUrl}/faults`, { method: 'DELETE' })).json).toEqual({ cleared: 1 });
    expect((await me()).status).toBe(200);
  });
});
