import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveRequisition, setFault } from '../../source/sandbox/control.js';
import { DEMO_REQUISITIONS, ensureSandbox } from '../../source/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import type { ChildProcess } from 'node:child_process';
import { exited, spawnHelper } from '../helpers/process.js';
import { api, call, connect, refresh, sandbox } from './helpers.js';

const TOWER = '1710001';

/** The first line a helper process prints on stdout. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let errors = '';
    child.stderr!.on('data', (chunk) => (errors += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`helper exited (${code}) before printing a line: ${errors}`)));
  });
}

describe('several servers on one stateDir', () => {
  it('agree on tokens, approvals, payments and faults', async () => {
    const a = await sandbox();
    const b = await sandbox({ stateDir: a.stateDir });
    expect(b.apiUrl).not.toBe(a.apiUrl);

    const tokens = await connect(a);
    expect((await api(b, tokens.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);

    const path = `/rest/v1.1/requisitions/${DEMO_REQUISITIONS.awaitingApproval}?project_id=${TOWER}`;
    expect((await api(a, tokens.access_token, path)).json.status).toBe('pending_owner_approval');
    const approved = await approveRequisition(a.stateDir, DEMO_REQUISITIONS.awaitingApproval, 'approved', { now: Date.parse('2026-11-26T12:00:00Z') });
    expect(approved.status).toBe('approved');
    for (const box of [a, b]) {
      const seen = (await api(box, tokens.access_token, path)).json;
      expect([seen.status, seen.updated_at]).toEqual(['approved', '2026-11-26T12:00:00Z']);
    }

    const payment = await api(b, tokens.access_token, '/rest/v1.0/contract_payments', {
      method: 'POST',
      json: { project_id: TOWER, contract_id: '786003', contract_payment: { date: '2026-12-01', amount: '100.00', origin_id: 'shared-1' } },
    });
    expect(payment.status).toBe(201);
    const listed = await api(a, tokens.access_token, `/rest/v1.0/contract_payments?project_id=${TOWER}&contract_id=786003`);
    expect(listed.json.map((p: any) => p.origin_id)).toEqual(['shared-1']);

    // A refresh on one server kills the refresh token on the other.
    const refreshed = await refresh(b, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    expect((await refresh(a, tokens.refresh_token)).json.error).toBe('invalid_grant');
    await setFault(a.stateDir, { kind: 'unavailable', count: 1 });
    expect((await api(b, refreshed.json.access_token, '/rest/v1.0/me', { company: null })).status).toBe(503);
    expect((await api(a, refreshed.json.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);
  });

  it('serialise their changes: parallel payments all land, and a duplicate origin_id wins only once', async () => {
    const a = await sandbox();
    const b = await sandbox({ stateDir: a.stateDir });
    const tokens = await connect(a);
    const pay = (box: typeof a, originId: string) =>
      api(box, tokens.access_token, '/rest/v1.0/contract_payments', {
        method: 'POST',
        json: { project_id: TOWER, contract_id: '786001', contract_payment: { date: '2026-12-01', amount: '1.00', origin_id: originId } },
      });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, n) => pay(n % 2 ? a : b, `parallel-${n}`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(16).fill(201));
    const twice = await Promise.all([pay(a, 'same'), pay(b, 'same')]);
    expect(twice.map((answer) => answer.status).sort()).toEqual([201, 422]);
    const listed = await api(b, tokens.access_token, `/rest/v1.0/contract_payments?project_id=${TOWER}&contract_id=786001`);
    expect(listed.json).toHaveLength(17);
    expect(new Set(listed.json.map((p: any) => p.id)).size).toBe(17);
  });

  it('approve and attach through the control API over HTTP', async () => {
    const box = await sandbox();
    const approved = await call(`${box.controlUrl}/requisitions/${DEMO_REQUISITIONS.awaitingApproval}/approve`, { json: { status: 'approved_as_noted' } });
    expect([approved.status, approved.json.status]).toEqual([200, 'approved_as_noted']);
    const attached = await call(`${box.controlUrl}/requisitions/${DEMO_REQUISITIONS.awaitingApproval}/attachments?filename=waiver.png`, {
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    });
    expect([attached.status, attached.json.contentType]).toEqual([201, 'image/png']);
    expect((await call(`${box.controlUrl}/requisitions/42/approve`, { json: {} })).status).toBe(404);
    const health = await call(`${box.controlUrl}/health`);
    expect(health.json).toMatchObject({ ok: true, stateDir: box.stateDir, apiUrl: box.apiUrl, storageUrl: box.storageUrl });
  });
});

describe('ensureSandbox', () => {
  it('starts a sandbox and advertises it; the next call finds it; close removes server.json', async () => {
    const dataDir = await tempDir();
    const first = await ensureSandbox(dataDir);
    expect(first.startedHere).toBe(true);
    const info = JSON.parse(await readFile(join(dataDir, 'sandbox', 'server.json'), 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, apiUrl: first.apiUrl, loginUrl: first.loginUrl, storageUrl: first.storageUrl, controlUrl: first.controlUrl });
    const second = await ensureSandbox(dataDir);
    expect([second.startedHere, second.apiUrl]).toEqual([false, first.apiUrl]);
    await second.close();
    expect((await call(`${first.controlUrl}/health`)).status).toBe(200);
    await first.close();
    expect(existsSync(join(dataDir, 'sandbox', 'server.json'))).toBe(false);
    const third = await ensureSandbox(dataDir, { seed: 'empty' });
    expect(third.startedHere).toBe(true);
    await third.close();
  });

  it('finds a sandbox another process runs, and starts its own once that one is gone', async () => {
    const dataDir = await tempDir();
    const child = spawnHelper('../sandbox/run-sandbox.ts', ['ensure', dataDir]);
    const theirs = JSON.parse(await firstLine(child));
    expect(theirs.startedHere).toBe(true);

    const found = await ensureSandbox(dataDir);
    expect([found.startedHere, found.apiUrl]).toEqual([false, theirs.apiUrl]);
    const tokens = await connect(found);
    expect(tokens.access_token).toBeTruthy();

    const done = exited(child);
    child.kill('SIGKILL'); // no clean close: server.json stays behind, naming a dead process
    await done;
    const own = await ensureSandbox(dataDir);
    expect(own.startedHere).toBe(true);
    // Same state: the token the other process's server issued works here.
    expect((await api(own, tokens.access_token, '/rest/v1.0/me', { company: null })).status).toBe(200);
    await own.close();
  });
});

describe('apdesk sandbox (standalone)', () => {
  it('prints its URLs, serves until SIGTERM, then closes and removes server.json', async () => {
    const dataDir = await tempDir();
    const child = spawnHelper('../sandbox/run-sandbox.ts', ['command', dataDir, '--json']);
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    const printed = JSON.parse(await firstLine(child));
    expect(printed).toMatchObject({ clientId: 'apdesk-demo', users: ['ap.admin@demo.test', 'pm.viewer@demo.test'] });
    expect(JSON.stringify(printed)).not.toContain('secret');
    expect((await call(`${printed.controlUrl}/health`)).json.pid).toBe(child.pid);
    expect(existsSync(join(dataDir, 'sandbox', 'server.json'))).toBe(true);

    const done = exited(child);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(out).toContain('stopped');
    expect(existsSync(join(dataDir, 'sandbox', 'server.json'))).toBe(false);
  });
});
