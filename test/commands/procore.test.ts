// The Procore configuration page's rules, as a user meets them on the command line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureSandbox, DEMO_USERS, type RunningSandbox } from '../../source/sandbox/index.js';
import { expectOk, runCli } from '../helpers/cli.js';
import { snapshot, tempDir } from '../helpers/temp.js';

const ADMIN = DEMO_USERS[0]!;
let dir: string;
let sandbox: RunningSandbox;

async function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runCli([...args, '--data-dir', dir], options);
}

async function ok(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return expectOk([...args, '--data-dir', dir], { ...options, warnings: 'allow' });
}

beforeAll(async () => {
  dir = await tempDir();
  for (const [name, accounting] of [['Harbor', 'sage300'], ['Quarry', 'sage100'], ['Books', 'other'], ['Bare', 'sage300']]) {
    await ok(['vault', 'add', name!, '--accounting', accounting!]);
  }
  // Books (bridged to Other) cannot hold the procore licence at all.
  for (const vault of ['harbor', 'quarry']) await ok(['license', 'grant', '--vault', vault, 'procore']);
  await ok(['license', 'grant', '--vault', 'harbor', 'cloud-sync']);
  await ok(['queue', 'add', '--vault', 'harbor', 'Procore Invoices']);
  await ok(['queue', 'add', '--vault', 'quarry', 'Inbox']);
  sandbox = await ensureSandbox(dir);
  for (const vault of ['harbor', 'quarry']) {
    await ok(['procore', 'env', '--vault', vault, '--env', 'local']);
    await ok(['procore', 'connect', '--vault', vault, '--email', ADMIN.email, '--password', ADMIN.password]);
  }
});
afterAll(async () => sandbox.close());

describe('procore configure', () => {
  it('saves company, behaviour, queue and flags, defaulting to automated import into a queue', async () => {
    await ok(['procore', 'configure', '--vault', 'harbor', '--company', '9007199254740993', '--queue', 'Procore Invoices', '--allow-edit', 'on']);
    const shown = JSON.parse((await ok(['procore', 'show', '--vault', 'harbor', '--json'])).stdout);
    expect(shown).toMatchObject({
      companyId: '9007199254740993',
      companyName: 'Harbor Builders (Procore)',
      behavior: 'auto-queue',
      queueId: 'procore-invoices',
      allowEdit: true,
      createPayments: false,
      connection: { state: 'connected' },
    });
    const text = (await ok(['procore', 'show', '--vault', 'harbor'])).stdout;
    expect(text).toContain('Automated Import into Queue');
    expect(text).toContain('Harbor Builders (Procore) (9007199254740993)');
  });

  it('lists the companies the user can see and which vault has each', async () => {
    const companies = JSON.parse((await ok(['procore', 'companies', '--vault', 'quarry', '--json'])).stdout);
    expect(companies).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: '9007199254740993', vault: 'harbor' }), expect.objectContaining({ id: '4126', vault: null })]),
    );
  });

  it('saves an automated behaviour without cloud-sync, warning that nothing will import', async () => {
    const result = await ok(['procore', 'configure', '--vault', 'quarry', '--company', '4126', '--behavior', 'auto-route', '--queue', 'Inbox']);
    expect(result.stderr).toMatch(/warning: .*cloud-sync licence .*nothing will import until the licence is granted/);
    expect(result.stdout).toContain("Saved the Procore configuration of vault 'Quarry'");
  });

  const refusals: [string, string[], RegExp][] = [
    ['a vault bridged to another accounting system', ['procore', 'configure', '--vault', 'books', '--behavior', 'manual'], /bridged to Other: the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300/],
    ['a vault without the licence', ['procore', 'configure', '--vault', 'bare', '--behavior', 'manual'], /A license is required for Procore\. .*apdesk license grant --vault bare procore/],
    ['a company tied to another vault', ['procore', 'configure', '--vault', 'quarry', '--company', '9007199254740993'], /already tied to vault 'Harbor'/],
    ['a company the user cannot see', ['procore', 'configure', '--vault', 'harbor', '--company', '123'], /not one the connected user can see — choose from: .*Quarry Road Contractors/],
    ['a queue that does not exist', ['procore', 'configure', '--vault', 'harbor', '--queue', 'Nope'], /has no queue 'Nope' — its queues: Procore Invoices/],
    ['payments without the check backfiller', ['procore', 'configure', '--vault', 'harbor', '--create-payments', 'on'], /requires the Job Poll Invoice Check Backfiller job .*\(`apdesk jobs enable --vault harbor check-backfiller`\)/],
    ['a bad behaviour', ['procore', 'configure', '--vault', 'harbor', '--behavior', 'auto'], /import behaviour 'auto' is not one of: auto-queue, auto-route, manual/],
    ['a bad on/off', ['procore', 'configure', '--vault', 'harbor', '--allow-edit', 'maybe'], /--allow-edit takes on or off/],
    ['a non-admin', ['procore', 'configure', '--vault', 'harbor', '--behavior', 'manual', '--user', 'lee'], /user 'lee' may not configure Procore/],
    ['env custom without URLs', ['procore', 'env', '--vault', 'harbor', '--env', 'custom'], /--env custom needs --api-url URL and --login-url URL/],
    ['env with an unknown environment', ['procore', 'env', '--vault', 'harbor', '--env', 'staging'], /environment 'staging' is not one of: production, sandbox, local, custom/],
    ['connect --email outside the local sandbox', ['procore', 'connect', '--vault', 'bare', '--email', 'a@b.c', '--password', 'x'], /A license is required for Procore/],
    ['companies of an unconnected vault', ['procore', 'companies', '--vault', 'books'], /only available for vaults bridged to Sage 100 or Sage 300/],
  ];

  it.each(refusals)('refuses %s with its message and changes nothing', async (_, args, message) => {
    const before = await snapshot(dir);
    const result = await cli(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/^apdesk: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    const after = await snapshot(dir);
    const changed = Object.keys(after).filter((path) => after[path] !== before[path] && !path.startsWith('sandbox') && !path.startsWith('logs'));
    expect(changed).toEqual([]);
  });

  it('turns payments on once the check backfiller is enabled, and keeps the job while they are on', async () => {
    await ok(['jobs', 'enable', '--vault', 'harbor', 'check-backfiller', '--every', '2h']);
    await ok(['procore', 'configure', '--vault', 'harbor', '--create-payments', 'on']);
    const disable = await cli(['jobs', 'disable', '--vault', 'harbor', 'check-backfiller']);
    expect(disable.code).toBe(1);
    expect(disable.stderr).toMatch(/turn payments off first/);
    const jobs = JSON.parse((await ok(['jobs', 'list', '--json'])).stdout);
    expect(jobs).toEqual([expect.objectContaining({ vaultId: 'harbor', kind: 'check-backfiller', enabled: true, everyMinutes: 120 })]);
  });
});

describe('procore env and secrets', () => {
  it('stores a piped client secret 0600 and never prints it; a new environment forgets the tokens', async () => {
    const secret = 'very-secret-value-123';
    const result = await ok(['procore', 'env', '--vault', 'quarry', '--env', 'sandbox', '--client-id', 'my-app'], { stdin: `${secret}\n` });
    expect(result.stdout).toContain('Its old tokens were forgotten');
    expect(result.stdout + result.stderr).not.toContain(secret);
    const secrets = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'));
    expect(secrets.vaults.quarry.clientSecret).toBe(secret);
    expect(secrets.vaults.quarry.tokens).toBeUndefined();
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
    const shown = await ok(['procore', 'show', '--vault', 'quarry', '--json']);
    expect(shown.stdout).not.toContain(secret);
    expect(JSON.parse(shown.stdout)).toMatchObject({ clientId: 'my-app', clientSecretStored: true, connection: { state: 'not-connected' }, companyId: null });
  });

  it('takes the secret from PROCORE_CLIENT_SECRET', async () => {
    await ok(['procore', 'env', '--vault', 'quarry', '--env', 'custom', '--api-url', 'https://api.example.com', '--login-url', 'https://login.example.com', '--client-id', 'x'], {
      env: { PROCORE_CLIENT_SECRET: 'from-the-environment' },
    });
    expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.quarry.clientSecret).toBe('from-the-environment');
  });

  it('refuses to go on without a secret, changing nothing', async () => {
    const before = await snapshot(dir);
    const result = await cli(['procore', 'env', '--vault', 'quarry', '--env', 'production', '--client-id', 'other'], { stdin: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no client secret was given/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('disconnect revokes the token at Procore and forgets it', async () => {
    const tokens = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.harbor.tokens;
    const result = await ok(['procore', 'disconnect', '--vault', 'harbor']);
    expect(result.stdout).toContain('the token is revoked');
    expect(JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')).vaults.harbor.tokens).toBeUndefined();
    const info = await fetch(`${sandbox.loginUrl}/oauth/token/info`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(info.status).toBe(401);
    const companies = await cli(['procore', 'companies', '--vault', 'harbor']);
    expect(companies.stderr).toMatch(/not connected to Procore — Grant Access first \(`apdesk procore connect --vault harbor`\)/);
  });
});
