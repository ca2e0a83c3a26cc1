// The Procore client against the sandbox on 127.0.0.1: Grant Access both ways, token rotation
// across processes, expiry mid-listing, rate limits, faults, the storage redirect, big ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import axios from 'axios';
import { openDesk, type Desk } from '../../source/app/desk.js';
import type { Connection } from '../../source/app/procore.js';
import { silentLogger } from '../../source/log/log.js';
import { signInToSandbox } from '../../source/sandbox/login-driver.js';
import { ensureSandbox, DEMO_USERS, DEMO_REQUISITIONS, sandboxStateDir, type RunningSandbox } from '../../source/sandbox/index.js';
import { addRequisitions, clearFaults, readState, setFault, setRateLimits } from '../../source/sandbox/control.js';
import { commitment as commitmentOf, companies, projects, requisition, requisitions, vendor as vendorOf } from '../../source/procore/resources.js';
import { mapRequisition } from '../../source/domain/procore-mapping.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { downloadFile } from '../../source/procore/files.js';
import { expectOk, runCli, startCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';

const ADMIN = DEMO_USERS[0]!;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function ok(args: string[], dir: string): Promise<string> {
  return (await expectOk([...args, '--data-dir', dir], { warnings: 'allow' })).stdout;
}

/** A data dir with a Sage 300 vault 'demo' on the local sandbox, and that sandbox running. */
async function localVault(): Promise<{ dir: string; sandbox: RunningSandbox & { startedHere: boolean } }> {
  const dir = await tempDir();
  await ok(['vault', 'add', 'Demo', '--accounting', 'sage300'], dir);
  await ok(['license', 'grant', '--vault', 'demo', 'procore'], dir);
  await ok(['license', 'grant', '--vault', 'demo', 'cloud-sync'], dir);
  await ok(['queue', 'add', '--vault', 'demo', 'Procore Invoices'], dir);
  await ok(['procore', 'env', '--vault', 'demo', '--env', 'local'], dir);
  const sandbox = await ensureSandbox(dir);
  return { dir, sandbox };
}

/** Stores and settings as a user sees them (the sandbox's own state and the log are not the store). */
async function storeSnapshot(dir: string) {
  const all = await snapshot(dir);
  return Object.fromEntries(Object.entries(all).filter(([path]) => !path.startsWith('sandbox') && !path.startsWith('logs')));
}

describe('Grant Access', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    ({ dir, sandbox } = await localVault());
  });
  afterAll(async () => sandbox.close());

  it('connects with the out-of-band redirect: URL printed, code pasted', async () => {
    const run = startCli(['procore', 'connect', '--vault', 'demo', '--no-browser', '--data-dir', dir]);
    const url = await run.waitForOutput(/\/oauth\/authorize\?/);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('urn:ietf:wg:oauth:2.0:oob');
    const code = await signInToSandbox(url, ADMIN.email, ADMIN.password);
    run.stdin.write(`${code}\n`);
    const result = await run.result;
    expect(result.stderr).not.toMatch(/^apdesk: (?!warning)/m);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Connected vault 'Demo' to the local sandbox as ${ADMIN.name} <${ADMIN.email}>`);
    const secrets = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'));
    const tokens = secrets.vaults.demo.tokens;
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    expect(result.stdout + result.stderr).not.toContain(tokens.accessToken);
    expect(result.stdout + result.stderr).not.toContain(tokens.refreshToken);
    const shown = await ok(['procore', 'show', '--vault', 'demo', '--json'], dir);
    expect(shown).not.toContain(tokens.accessToken);
    expect(JSON.parse(shown).connection).toMatchObject({ state: 'connected', user: { login: ADMIN.email } });
  });

  it('connects with the loopback redirect: the browser is sent to localhost with code and state', async () => {
    const run = startCli(['procore', 'connect', '--vault', 'demo', '--redirect', 'loopback', '--no-browser', '--data-dir', dir]);
    const url = await run.waitForOutput(/\/oauth\/authorize\?/);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe('http://localhost:53682/callback');
    const query = await signInToSandbox(url, ADMIN.email, ADMIN.password);
    expect(query).toMatch(/code=.*state=|state=.*code=/);
    // What the browser does with the redirect.
    const page = await axios.get(`http://127.0.0.1:53682/callback?${query}`, { responseType: 'text' });
    expect(page.data).toContain('You can close this window');
    const result = await run.result;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Connected vault');
  });

  it('--email and --password complete the sandbox login pages without a browser', async () => {
    const out = await ok(['procore', 'connect', '--vault', 'demo', '--email', ADMIN.email, '--password', ADMIN.password], dir);
    expect(out).toContain(`as ${ADMIN.name}`);
  });

  it.each([
    ['a wrong code', async () => 'not-a-real-code-123', /Procore refused the authorization code/],
    ['a mismatched state', async () => 'code=abcdef123456&state=someone-elses', /state does not match/],
    ['an empty reply', async () => '', /no authorization code was given/],
  ])('with %s, says so and stores nothing', async (_, reply, message) => {
    const before = await storeSnapshot(dir);
    const run = startCli(['procore', 'connect', '--vault', 'demo', '--no-browser', '--data-dir', dir]);
    await run.waitForOutput(/\/oauth\/authorize\?/);
    run.stdin.write(`${await reply()}\n`);
    const result = await run.result;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n').filter((line) => line.startsWith('apdesk:'))).toHaveLength(1);
    expect(await storeSnapshot(dir)).toEqual(before);
  });

  it('refuses a code used twice, keeping the connection it made the first time', async () => {
    const first = startCli(['procore', 'connect', '--vault', 'demo', '--no-browser', '--data-dir', dir]);
    const url = await first.waitForOutput(/\/oauth\/authorize\?/);
    const code = await signInToSandbox(url, ADMIN.email, ADMIN.password);
    first.stdin.write(`${code}\n`);
    expect((await first.result).code).toBe(0);
    const before = await storeSnapshot(dir);
    const second = startCli(['procore', 'connect', '--vault', 'demo', '--no-browser', '--data-dir', dir]);
    await second.waitForOutput(/\/oauth\/authorize\?/);
    second.stdin.write(`${code}\n`);
    const result = await second.result;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already used/);
    expect(await storeSnapshot(dir)).toEqual(before);
  });

  it('refuses a wrong sandbox password and --email outside the local sandbox', async () => {
    const wrong = await runCli(['procore', 'connect', '--vault', 'demo', '--email', ADMIN.email, '--password', 'nope', '--data-dir', dir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      'apdesk: the sandbox did not accept ap.admin@demo.test with that password (Invalid email or password.) — check the email and the password, and run it again\n',
    );
  });
});

describe('the connection', () => {
  let dir: string;
  let sandbox: RunningSandbox;
  let desk: Desk;
  let connection: Connection;
  const waits: number[] = [];

  beforeAll(async () => {
    ({ dir, sandbox } = await localVault());
    await ok(['procore', 'connect', '--vault', 'demo', '--email', ADMIN.email, '--password', ADMIN.password], dir);
    desk = await openDesk({ dataDir: dir, user: 'root' });
    connection = await desk.procore.open('demo', { logger: silentLogger });
  });
  afterAll(async () => {
    await connection.close();
    await sandbox.close();
  });

  function client(companyId: string | null, sleep = async (ms: number) => void waits.push(ms)) {
    return new ProcoreHttp({ environment: connection.environment, tokens: connection.tokens, logger: silentLogger, companyId, sleep });
  }

  it('keeps a company id above 2^53 exact', async () => {
    const found = await companies(connection.http);
    expect(found.map((company) => company.id)).toContain('9007199254740993');
  });

  it('pages across 250 items and survives the token expiring in the middle', async () => {
    const state = await readState(sandboxStateDir(dir));
    const commitment = state.commitments[0]!;
    const project = state.projects.find((p) => p.id === commitment.projectId)!;
    const before = (await requisitions(client(project.companyId), project.id)).length;
    await addRequisitions(sandboxStateDir(dir), Array.from({ length: 250 }, () => ({ commitmentId: commitment.id, status: 'approved' as const })));
    const http = client(project.companyId);
    let pages = 0;
    http.axios.interceptors.response.use(async (response) => {
      if (String(response.config.url).includes('/requisitions') && ++pages === 1) {
        await setFault(sandboxStateDir(dir), { kind: 'expire-tokens' });
      }
      return response;
    });
    const refreshesBefore = connection.tokens.refreshes;
    const listed = await requisitions(http, project.id);
    expect(listed).toHaveLength(before + 250);
    expect(new Set(listed.map((r) => String(r.id))).size).toBe(before + 250);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(connection.tokens.refreshes - refreshesBefore).toBe(1);
    const approved = await requisitions(client(project.companyId), project.id, { status: 'approved' });
    expect(approved.every((r) => r.status === 'approved')).toBe(true);
  });

  it('backs off on 429 and 503 for as long as Retry-After says, then succeeds', async () => {
    waits.length = 0;
    await setFault(sandboxStateDir(dir), { kind: 'rate-limit', count: 2, seconds: 3 });
    const found = await companies(client(null));
    expect(found.length).toBeGreaterThan(0);
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(3000);
    waits.length = 0;
    await setFault(sandboxStateDir(dir), { kind: 'unavailable', count: 1, seconds: 2 });
    await companies(client(null));
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
    expect(waits[0]).toBeLessThan(3100);
  });

  it('paces by the rate-limit headers instead of running into 429s', async () => {
    await setRateLimits(sandboxStateDir(dir), { spike: { limit: 3, windowSec: 2 } });
    try {
      const slept: number[] = [];
      const http = client(null, async (ms) => {
        slept.push(ms);
        await new Promise((resolve) => setTimeout(resolve, ms));
      });
      // The first call may land in a window earlier tests already spent; it reads the headers.
      await http.get('/rest/v1.0/companies');
      slept.length = 0;
      const sent = http.requests;
      for (let i = 0; i < 6; i++) await http.get('/rest/v1.0/companies');
      expect(slept.length).toBeGreaterThanOrEqual(1);
      // Six calls, six requests: pacing kept every one of them clear of a 429 and its retry.
      expect(http.requests - sent).toBe(6);
    } finally {
      await setRateLimits(sandboxStateDir(dir), { spike: { limit: 1000, windowSec: 10 } });
    }
  });

  it('does not retry a POST that is not safe to send twice', async () => {
    const state = await readState(sandboxStateDir(dir));
    const commitment = state.commitments[0]!;
    await setFault(sandboxStateDir(dir), { kind: 'unavailable', count: 1, seconds: 1, path: '/rest/v1.0/contract_payments' });
    const http = client(state.projects.find((p) => p.id === commitment.projectId)!.companyId);
    await expect(
      http.post('/rest/v1.0/contract_payments', { project_id: commitment.projectId, contract_id: commitment.id, contract_payment: { amount: '1.00', date: '2026-11-26' } }),
    ).rejects.toThrow(/answered 503/);
    expect(http.requests).toBe(1);
    await clearFaults(sandboxStateDir(dir));
  });

  it('retries a reset connection and a malformed body on a GET', async () => {
    await setFault(sandboxStateDir(dir), { kind: 'reset', count: 1 });
    expect((await companies(client(null))).length).toBeGreaterThan(0);
    await setFault(sandboxStateDir(dir), { kind: 'malformed-json', count: 1 });
    const http = client(null);
    expect((await companies(http)).length).toBeGreaterThan(0);
    expect(http.requests).toBe(2);
  });

  it('downloads an attachment from its pre-signed storage link without sending the token there', async () => {
    const state = await readState(sandboxStateDir(dir));
    const req = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.threeAttachments)!;
    const project = state.projects.find((p) => p.id === req.projectId)!;
    const shown = await requisition(client(project.companyId), project.id, req.id);
    const attachments = shown.attachments as { url: string; filename: string }[];
    expect(attachments.length).toBeGreaterThanOrEqual(2);
    const target = join(dir, 'download.bin');
    const result = await downloadFile(attachments[0]!.url, target, { environment: connection.environment, tokens: connection.tokens, logger: silentLogger });
    expect(result.hops.map((hop) => [hop.host, hop.withToken, hop.status])).toEqual([[new URL(sandbox.storageUrl).host, false, 200]]);
    const bytes = await readFile(target);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(result.bytes).toBe(bytes.length);
  });

  it('gives up a download past its size cap, leaving no file', async () => {
    const state = await readState(sandboxStateDir(dir));
    const req = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.threeAttachments)!;
    const project = state.projects.find((p) => p.id === req.projectId)!;
    const shown = await requisition(client(project.companyId), project.id, req.id);
    const url = (shown.attachments as { url: string }[])[0]!.url;
    const target = join(dir, 'capped.bin');
    await expect(downloadFile(url, target, { environment: connection.environment, tokens: connection.tokens, logger: silentLogger, maxBytes: 100 })).rejects.toThrow(
      /over the .* MB limit|MB, over/,
    );
    await expect(stat(target)).rejects.toThrow();
  });

  it("reads a requisition, its commitment, vendor and project as typed records that map to an invoice", async () => {
    const state = await readState(sandboxStateDir(dir));
    const req = state.requisitions.find((r) => r.id === DEMO_REQUISITIONS.bigId)!;
    const stored = state.projects.find((p) => p.id === req.projectId)!;
    const http = client(stored.companyId);
    const read = await requisition(http, stored.id, req.id);
    const commitment = await commitmentOf(http, stored.id, read.commitmentId!);
    const vendor = await vendorOf(http, stored.companyId, commitment.vendor!.id!);
    const project = (await projects(http, stored.companyId)).find((p) => p.id === stored.id)!;
    expect(read.id).toBe(req.id);
    expect(vendor.originCode).toBeTruthy();
    const mapped = mapRequisition({ requisition: read, commitment, vendor, project });
    expect(mapped.procore).toMatchObject({ companyId: stored.companyId, requisitionId: req.id });
    expect(mapped.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(mapped.header.total);
    expect(mapped.warnings).toEqual([]);
  });

  it('needs Procore-Company-Id where Procore does, and sends it', async () => {
    const state = await readState(sandboxStateDir(dir));
    await expect(projects(client(null), state.projects[0]!.companyId)).rejects.toThrow(/Procore-Company-Id/);
    expect((await projects(client(state.projects[0]!.companyId), state.projects[0]!.companyId)).length).toBeGreaterThan(0);
  });
});

describe('token rotation across processes', () => {
  it('two processes refreshing at once: one refresh reaches Procore, both end with the new pair', async () => {
    const { dir, sandbox } = await localVault();
    try {
      await ok(['procore', 'connect', '--vault', 'demo', '--email', ADMIN.email, '--password', ADMIN.password], dir);
      const stale = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.demo.tokens;
      const children = [0, 1].map(() =>
        spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/refresh-race.ts', import.meta.url)), dir, 'demo', stale.accessToken], {
          cwd: ROOT,
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      const outputs = children.map((child) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.stderr.on('data', (chunk) => (err += chunk));
        const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready\n') && resolve()));
        const done = new Promise<{ token: string; refreshes: number }>((resolve, reject) =>
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.split('\n')[1]!)) : reject(new Error(`exit ${code}: ${err}`)))),
        );
        return { ready, done };
      });
      await Promise.all(outputs.map((o) => o.ready));
      for (const child of children) child.stdin.write('go\n');
      const results = await Promise.all(outputs.map((o) => o.done));
      expect(results[0]!.token).toBe(results[1]!.token);
      expect(results[0]!.token).not.toBe(stale.accessToken);
      expect(results[0]!.refreshes + results[1]!.refreshes).toBe(1);
      const now = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.demo.tokens;
      expect(now.accessToken).toBe(results[0]!.token);
      // The old refresh token is dead at Procore.
      const replay = await axios.post(`${sandbox.loginUrl}/oauth/token`, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stale.refreshToken, client_id: 'apdesk-demo', client_secret: (await import('../../source/sandbox/index.js')).DEMO_APP.clientSecret }).toString(), { validateStatus: () => true });
      expect(replay.data.error).toBe('invalid_grant');
    } finally {
      await sandbox.close();
    }
  });

  it('a refused refresh token puts the vault in "reconnect needed" with a message, not a crash', async () => {
    const { dir, sandbox } = await localVault();
    try {
      await ok(['procore', 'connect', '--vault', 'demo', '--email', ADMIN.email, '--password', ADMIN.password], dir);
      await setFault(sandboxStateDir(dir), { kind: 'revoke-tokens' });
      const result = await runCli(['procore', 'companies', '--vault', 'demo', '--data-dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/must be granted again \(.*\) — run `apdesk procore connect --vault demo`/);
      const show = await ok(['procore', 'show', '--vault', 'demo'], dir);
      expect(show).toMatch(/RECONNECT NEEDED/);
      expect(await ok(['status'], dir)).toMatch(/Demo\s+Sage 300 \(no data\)\s+RECONNECT NEEDED/);
      const again = await runCli(['procore', 'companies', '--vault', 'demo', '--data-dir', dir]);
      expect(again.stderr).toMatch(/must be granted again/);
      expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.demo.tokens).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });
});
