// The Connection pane: its reducer, its bindings through the shell's resolver, its view at 80×24
// (the Grant Access banner and the authorize URL whole on its own line, reconnect needed, app not
// installed, the licence prompt, the not-Sage message), and its handlers against a real desk with
// the sandbox: Grant Access by the sandbox's login form, Disconnect, the environment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { act } from 'react';
import { render } from 'ink-testing-library';
import { DEMO_COMPANY_ID, DEMO_USERS, sandboxStateDir } from '../../../source/sandbox/index.js';
import { setAppInstalled } from '../../../source/sandbox/control.js';
import { resolve } from '../../../source/tui/shell/bindings.js';
import {
  connectionPane,
  GRANT_BANNER,
  grantMode,
  initialConnectionState,
  reduceConnection,
  type ConnectionState,
} from '../../../source/tui/panes/connection/index.js';
import { runCli } from '../../helpers/cli.js';
import type { ProcoreUser } from '../../../source/domain/procore-config.js';
import { DEMO_VAULT, demoDesk, paneEnv, type DemoDesk } from './procore-env.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

const USER = { id: '3214321' as ProcoreUser['id'], login: 'ap.admin@demo.test', name: 'Avery Park' };
const loaded: ConnectionState = reduceConnection(initialConnectionState, {
  type: 'loaded',
  vaultName: 'Demo Construction',
  gate: null,
  environment: { kind: 'local', apiUrl: null, loginUrl: null },
  clientId: null,
  clientSecretStored: false,
  connection: { state: 'not-connected' },
});
const connected = reduceConnection(loaded, { type: 'loaded', vaultName: 'Demo Construction', gate: null, environment: loaded.environment, connection: { state: 'connected', user: USER, connectedAt: '2025-01-02T03:04:05.000Z' } });

async function frameOf(state: ConnectionState, width = 80, height = 24, vaultId: string | null = DEMO_VAULT): Promise<string> {
  let app!: ReturnType<typeof render>;
  await act(async () => {
    app = render(<connectionPane.View state={state} width={width} height={height} vaultId={vaultId} focused />);
  });
  const frame = app.lastFrame() ?? '';
  await act(async () => app.unmount());
  return frame;
}

describe('the reducer', () => {
  it('loads what the service says, and keeps a refusal until a call succeeds', () => {
    expect(loaded.loaded).toBe(true);
    expect(loaded.connection).toEqual({ state: 'not-connected' });
    const refused = reduceConnection(loaded, { type: 'refused', message: 'Procore refused' });
    expect(refused.refused).toBe('Procore refused');
    expect(reduceConnection(refused, { type: 'loaded', vaultName: 'Demo Construction', gate: null }).refused).toBe('Procore refused');
    expect(reduceConnection(refused, { type: 'access-ok' }).refused).toBeNull();
  });

  it('holds the running grant and ends it', () => {
    const running = reduceConnection(loaded, { type: 'grant-started', url: 'https://login.example/oauth', mode: 'oob' });
    expect(running.grant).toEqual({ url: 'https://login.example/oauth', mode: 'oob' });
    expect(reduceConnection(running, { type: 'grant-ended' }).grant).toBeNull();
  });

  it('forgets everything when there is no vault', () => {
    expect(reduceConnection(connected, { type: 'no-vault' })).toEqual({ ...initialConnectionState, loaded: true });
  });
});

describe('the bindings', () => {
  const scopes = ['pane:connection'] as const;
  it('refuse Disconnect when not connected, and ask first when connected', () => {
    expect(resolve(connectionPane.bindings, scopes, 'd', { state: loaded, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'not connected' });
    const asked = resolve(connectionPane.bindings, scopes, 'd', { state: connected, vaultId: DEMO_VAULT });
    expect(asked).toMatchObject({ kind: 'confirm', intent: { type: 'disconnect' } });
    expect(asked?.kind === 'confirm' && asked.question).toMatch(/Disconnect vault 'Demo Construction'/);
  });

  it('send Grant Access and the environment change, but not while a grant runs or without a vault', () => {
    expect(resolve(connectionPane.bindings, scopes, 'g', { state: loaded, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'grant' } });
    expect(resolve(connectionPane.bindings, scopes, 'e', { state: loaded, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'change-environment' } });
    const running = reduceConnection(loaded, { type: 'grant-started', url: 'u', mode: 'oob' });
    expect(resolve(connectionPane.bindings, scopes, 'g', { state: running, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'Grant Access is running' });
    expect(resolve(connectionPane.bindings, scopes, 'g', { state: loaded, vaultId: null })).toMatchObject({ kind: 'unavailable', why: 'no vault yet' });
    expect(resolve(connectionPane.bindings, scopes, 'escape', { state: running, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable' });
    const browser = reduceConnection(loaded, { type: 'grant-started', url: 'u', mode: 'loopback' });
    expect(resolve(connectionPane.bindings, scopes, 'escape', { state: browser, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'cancel-grant' } });
  });

  it('say why nothing works on a vault without the licence', () => {
    const gated = reduceConnection(initialConnectionState, { type: 'loaded', vaultName: 'X', gate: { kind: 'no-licence', message: 'A license is required for Procore.' } });
    expect(resolve(connectionPane.bindings, scopes, 'g', { state: gated, vaultId: 'x' })).toMatchObject({ kind: 'unavailable', why: 'the vault has no procore licence' });
  });
});

describe('the grant mode', () => {
  it('signs in to the local sandbox here, opens a browser only where one can be, and never over SSH', () => {
    expect(grantMode('local', {})).toBe('sandbox');
    expect(grantMode('production', { SSH_CONNECTION: '1 2 3 4', DISPLAY: ':0' })).toBe('oob');
    expect(grantMode('production', { DISPLAY: ':0' })).toBe('loopback');
    expect(grantMode('sandbox', {})).toBe(process.platform === 'linux' ? 'oob' : 'loopback');
  });
});

describe('the view at 80×24', () => {
  it('shows the environment and who is connected, every line within 80 columns and 24 rows', async () => {
    const frame = await frameOf(connected);
    expect(frame).toContain('the local sandbox');
    expect(frame).toContain('● connected as Avery Park <ap.admin@demo.test>');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(await frameOf(loaded)).toContain('○ not connected — press g to Grant Access');
  });

  it('shows the banner and the authorize URL whole, alone on its line, while Grant Access runs', async () => {
    const url = `https://login-sandbox.procore.com/oauth/authorize?response_type=code&client_id=${'a'.repeat(64)}&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob&state=${'b'.repeat(32)}`;
    const frame = await frameOf(reduceConnection(connected, { type: 'grant-started', url, mode: 'oob' }));
    expect(frame).toContain(GRANT_BANNER);
    const lines = frame.split('\n').map((line) => line.trimEnd());
    // Unwrapped and unprefixed: a terminal selection of that line copies exactly the URL.
    expect(lines).toContain(url);
    // The rows the terminal wraps it onto are counted: the page stays within 24 rows.
    const rows = lines.reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 80)), 0);
    expect(rows).toBeLessThanOrEqual(24);
    expect(frame).toMatch(/paste the code Procore shows/);
  });

  it('says reconnect needed with the reason and the key, and app not installed with what to do', async () => {
    const reconnect = reduceConnection(loaded, {
      type: 'loaded',
      vaultName: 'Demo Construction',
      gate: null,
      environment: loaded.environment,
      connection: { state: 'reconnect-needed', user: USER, since: '2025-01-02T03:04:05.000Z', reason: 'Procore refused the refresh token' },
    });
    const frame = await frameOf(reconnect);
    expect(frame).toContain('! RECONNECT NEEDED');
    expect(frame).toContain('Reconnect needed: Procore refused the refresh token');
    expect(frame).toContain('Press g to Grant Access again.');
    const refused = await frameOf(
      reduceConnection(connected, { type: 'refused', message: "Procore refused GET /rest/v1.0/projects even with a freshly refreshed token: apdesk may not be installed in this company (Procore's App Management)" }),
    );
    expect(refused).toContain('App not installed');
    expect(refused.replace(/\s+/g, ' ')).toContain('App Management');
    expect(refused.replace(/\s+/g, ' ')).toContain('then press t to check again');
  });

  it('shows only the licence prompt, or only the not-Sage message, on a vault that cannot have Procore', async () => {
    const noLicence = reduceConnection(initialConnectionState, {
      type: 'loaded',
      vaultName: 'Harbor',
      gate: { kind: 'no-licence', message: "A license is required for Procore. Vault 'Harbor' has none — an admin can grant it" },
    });
    const frame = await frameOf(noLicence, 80, 24, 'harbor');
    expect(frame.replace(/\s+/g, ' ')).toContain("A license is required for Procore. Vault 'Harbor' has none — an admin can grant it");
    expect(frame).not.toContain('Environment');
    const notSage = reduceConnection(initialConnectionState, {
      type: 'loaded',
      vaultName: 'Other',
      gate: { kind: 'not-sage', message: "vault 'Other' is bridged to another system: the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300" },
    });
    const other = await frameOf(notSage, 80, 24, 'other');
    expect(other.replace(/\s+/g, ' ').trim()).toBe("vault 'Other' is bridged to another system: the Procore configuration is only available for vaults bridged to Sage 100 or Sage 300");
  });
});

describe('the handlers on a real desk', () => {
  let demo: DemoDesk;
  beforeAll(async () => {
    demo = await demoDesk();
  });
  afterAll(async () => {
    await demo.sandbox.close();
  });

  const envFor = (script: Parameters<typeof paneEnv>[3] = [], vaultId: string | null = DEMO_VAULT) =>
    paneEnv(demo.desk, reduceConnection, initialConnectionState, script, vaultId);

  it('loads the demo vault: the local sandbox, not connected', async () => {
    const env = envFor();
    await connectionPane.load!(env, env.state);
    expect(env.state.environment?.kind).toBe('local');
    expect(env.state.connection).toEqual({ state: 'not-connected' });
  });

  it('Deny at "Authorization required" stores nothing and says how to connect', async () => {
    const env = envFor([
      { form: { email: DEMO_USERS[0]!.email, password: DEMO_USERS[0]!.password }, title: /^Authorize Procore Connection: sign in to the local sandbox/ },
      { confirm: false, asked: /^Authorization required: .+ would like to access your Procore account \(.+\)\. You will be asked only once\. Allow\?$/ },
    ]);
    await connectionPane.load!(env, env.state);
    await expect(connectionPane.handle({ type: 'grant' }, env, env.state)).rejects.toThrow(/access was not allowed at "Authorization required": nothing was stored — grant access again and choose Allow/);
    env.modals.done();
    expect(env.state.grant).toBeNull();
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.connection.state).toBe('not-connected');
  });

  it('Grant Access on the local sandbox by the email and password form, Allow once, ends connected', async () => {
    const env = envFor([
      { form: { email: DEMO_USERS[0]!.email, password: DEMO_USERS[0]!.password }, title: /local sandbox/ },
      { confirm: true, asked: /^Authorization required: / },
    ]);
    await connectionPane.load!(env, env.state);
    const seen: (string | null)[] = [];
    const dispatch = env.dispatch;
    env.dispatch = (action) => {
      dispatch(action);
      seen.push(env.state.grant?.url ?? null);
    };
    await connectionPane.handle({ type: 'grant' }, env, env.state);
    env.modals.done();
    // The password field is typed without echo.
    expect(env.modals.asked[0]!.fields!.find((field) => field.name === 'password')?.secret).toBe(true);
    // While it ran, the pane held the authorize URL.
    expect(seen.some((url) => url !== null && url.includes('/oauth/authorize'))).toBe(true);
    expect(env.state.grant).toBeNull();
    expect(env.state.connection).toMatchObject({ state: 'connected', user: { login: DEMO_USERS[0]!.email } });
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.connection.state).toBe('connected');
    expect(env.notices.at(-1)?.message).toMatch(/Connected to the local sandbox as/);
    // "This window will only display once": a second Grant Access asks for the login only.
    const again = envFor([{ form: { email: DEMO_USERS[0]!.email, password: DEMO_USERS[0]!.password } }]);
    await connectionPane.load!(again, again.state);
    await connectionPane.handle({ type: 'grant' }, again, again.state);
    again.modals.done();
    expect(again.state.connection).toMatchObject({ state: 'connected' });
  });

  it('a wrong sandbox password stores nothing and says why', async () => {
    const before = (await demo.desk.procore.view(DEMO_VAULT)).config.connection;
    const env = envFor([{ form: { email: DEMO_USERS[0]!.email, password: 'not-the-password' } }]);
    await connectionPane.load!(env, env.state);
    await expect(connectionPane.handle({ type: 'grant' }, env, env.state)).rejects.toThrow();
    expect(env.state.grant).toBeNull();
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.connection).toEqual(before);
  });

  it('shows the app-not-installed refusal the sync met, with what to do', async () => {
    await setAppInstalled(sandboxStateDir(demo.dir), DEMO_COMPANY_ID, false);
    try {
      await demo.desk.procore.configure({ vault: DEMO_VAULT, company: DEMO_COMPANY_ID });
      await runCli(['jobs', 'run', '--vault', DEMO_VAULT, 'procore-import', '--data-dir', demo.dir]);
      const env = envFor();
      await connectionPane.load!(env, env.state);
      expect(env.state.refused).toMatch(/App Management/);
    } finally {
      await setAppInstalled(sandboxStateDir(demo.dir), DEMO_COMPANY_ID, true);
    }
  });

  it('Disconnect ends not connected, and an Esc on the environment change changes nothing', async () => {
    const env = envFor([{ pick: () => null }]);
    await connectionPane.load!(env, env.state);
    await connectionPane.handle({ type: 'change-environment' }, env, env.state);
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.connection.state).toBe('connected');
    // The shell asks the binding's question before the intent reaches the handler.
    expect(resolve(connectionPane.bindings, ['pane:connection'], 'd', { state: env.state, vaultId: DEMO_VAULT })?.kind).toBe('confirm');
    await connectionPane.handle({ type: 'disconnect' }, env, env.state);
    env.modals.done();
    expect(env.state.connection).toEqual({ state: 'not-connected' });
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.connection.state).toBe('not-connected');
  });

  it('a custom environment asks for the URLs and the credentials, keeps the secret off the screen, and can go back to local', async () => {
    const env = envFor([
      { pick: (items) => items.find((item) => item.value === 'custom')!.value },
      { form: { apiUrl: 'https://api.example.test', loginUrl: 'https://login.example.test' } },
      { form: { clientId: 'custom-client-id-123', clientSecret: 'the-secret-value' } },
      { pick: (items) => items.find((item) => item.value === 'local')!.value },
    ]);
    await connectionPane.load!(env, env.state);
    await connectionPane.handle({ type: 'change-environment' }, env, env.state);
    expect(env.modals.asked[2]!.fields!.find((field) => field.name === 'clientSecret')?.secret).toBe(true);
    expect(env.state.environment).toEqual({ kind: 'custom', apiUrl: 'https://api.example.test', loginUrl: 'https://login.example.test' });
    expect(env.state.clientSecretStored).toBe(true);
    expect(JSON.stringify(env.state)).not.toContain('the-secret-value');
    expect(await frameOf(env.state)).not.toContain('the-secret-value');
    await connectionPane.handle({ type: 'change-environment' }, env, env.state);
    env.modals.done();
    expect(env.state.environment?.kind).toBe('local');
  });

  it('a vault without a vault id says so', async () => {
    const env = envFor([], null);
    await connectionPane.load!(env, env.state);
    expect(env.state.loaded).toBe(true);
    await expect(connectionPane.handle({ type: 'grant' }, env, env.state)).rejects.toThrow(/no vault yet/);
  });
});
