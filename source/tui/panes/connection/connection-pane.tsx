// The Connection pane: where the vault's Procore is (environment, app), Grant Access, who is
// connected, Disconnect, and what stands in the way (reconnect needed, app not installed).
// It drives the same services as `apdesk procore env / connect / disconnect`.
import type { ReactElement } from 'react';
import { Box, Text } from '../../ink.js';
import { UserError } from '../../../domain/errors.js';
import { ENVIRONMENT_KINDS, type EnvironmentKind, type ProcoreConnection } from '../../../domain/procore-config.js';
import { ENVIRONMENT_LABELS, KNOWN_ENVIRONMENTS } from '../../../procore/environments.js';
import { LOOPBACK_PORT, LOOPBACK_REDIRECT, OOB_REDIRECT } from '../../../procore/redirects.js';
import { browserAvailable, listenForRedirect } from '../../../procore/loopback.js';
import { localMinute } from '../../../text/time.js';
import { displayWidth } from '../../../text/width.js';
import type { PaneBinding, PaneEnv, PaneModule, PaneViewProps } from '../../shell/pane.js';
import type { Line } from '../line.js';
import { loadedPage, pageBlocked, pageStandIn, INSTALL_THE_APP, isAccessRefusal, LinesView, paragraphs, procoreGate, type ProcoreGate } from '../procore-common.js';

export const GRANT_BANNER = 'Authorize Procore Connection';

/** How the code comes back: pasted (out-of-band), caught on localhost (a browser here), or the sandbox's login typed here. */
export type GrantMode = 'oob' | 'loopback' | 'sandbox';

export interface ConnectionState {
  loaded: boolean;
  gate: ProcoreGate;
  vaultName: string | null;
  environment: { kind: EnvironmentKind; apiUrl: string | null; loginUrl: string | null } | null;
  clientId: string | null;
  clientSecretStored: boolean;
  connection: ProcoreConnection | null;
  /** Procore's "app not installed" refusal from the last failed call (or the sync's last run). */
  refused: string | null;
  /** Grant Access while it runs: the authorize URL shown on a line of its own. */
  grant: { url: string; mode: GrantMode } | null;
}

export type ConnectionAction =
  | { type: 'loaded'; vaultName: string; gate: ProcoreGate; environment?: ConnectionState['environment']; clientId?: string | null; clientSecretStored?: boolean; connection?: ProcoreConnection; refused?: string | null }
  | { type: 'no-vault' }
  | { type: 'grant-started'; url: string; mode: GrantMode }
  | { type: 'grant-ended' }
  | { type: 'refused'; message: string }
  | { type: 'access-ok' };

export type ConnectionIntent =
  | { type: 'change-environment' }
  | { type: 'grant' }
  | { type: 'disconnect' }
  | { type: 'check-access' }
  | { type: 'cancel-grant' };

export const initialConnectionState: ConnectionState = {
  loaded: false,
  gate: null,
  vaultName: null,
  environment: null,
  clientId: null,
  clientSecretStored: false,
  connection: null,
  refused: null,
  grant: null,
};

export function reduceConnection(state: ConnectionState, action: ConnectionAction): ConnectionState {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        ...loadedPage(action),
        environment: action.environment ?? null,
        clientId: action.clientId ?? null,
        clientSecretStored: action.clientSecretStored ?? false,
        connection: action.connection ?? null,
        refused: action.refused !== undefined ? action.refused : state.refused,
      };
    case 'no-vault':
      return { ...initialConnectionState, loaded: true };
    case 'grant-started':
      return { ...state, grant: { url: action.url, mode: action.mode } };
    case 'grant-ended':
      return { ...state, grant: null };
    case 'refused':
      return { ...state, refused: action.message };
    case 'access-ok':
      return { ...state, refused: null };
  }
}

type Ctx = Parameters<NonNullable<PaneBinding<ConnectionState, ConnectionIntent>['unavailable']>>[0];

/** Why the page cannot act at all right now, or null. */
function blocked({ state, vaultId }: Ctx): string | null {
  const page = pageBlocked({ state, vaultId });
  if (page) return page;
  if (state.grant) return 'Grant Access is running';
  return null;
}

const SCOPE = 'pane:connection' as const;

export const connectionBindings: readonly PaneBinding<ConnectionState, ConnectionIntent>[] = [
  {
    keys: ['g'],
    scope: SCOPE,
    label: 'grant access',
    description: 'Grant Access: sign in to Procore and connect the vault',
    footer: true,
    unavailable: (ctx) => blocked(ctx),
    intent: () => ({ type: 'grant' }),
  },
  {
    keys: ['e'],
    scope: SCOPE,
    label: 'environment',
    description: "Change where the vault's Procore is (production, sandbox, local, custom) and the app's client id and secret",
    footer: true,
    unavailable: (ctx) => blocked(ctx),
    intent: () => ({ type: 'change-environment' }),
  },
  {
    keys: ['d'],
    scope: SCOPE,
    label: 'disconnect',
    description: 'Disconnect: revoke the token at Procore and forget it',
    footer: true,
    unavailable: (ctx) => blocked(ctx) ?? (ctx.state.connection?.state === 'not-connected' ? 'not connected' : null),
    confirm: ({ state }) => `Disconnect vault '${state.vaultName ?? ''}' from Procore? The token is revoked; nothing imports until access is granted again.`,
    intent: () => ({ type: 'disconnect' }),
  },
  {
    keys: ['t'],
    scope: SCOPE,
    label: 'check access',
    description: 'Ask Procore whether the connected user can see the companies (after installing the app)',
    unavailable: (ctx) => blocked(ctx) ?? (ctx.state.connection?.state !== 'connected' ? 'not connected' : null),
    intent: () => ({ type: 'check-access' }),
  },
  {
    keys: ['escape'],
    scope: SCOPE,
    label: 'cancel',
    description: 'Cancel Grant Access while it waits for the browser',
    unavailable: ({ state }) => (state.grant?.mode === 'loopback' ? null : 'no browser sign-in is waiting'),
    intent: () => ({ type: 'cancel-grant' }),
  },
];

/** The browser sign-in waiting on localhost, so that Esc can end it (one at a time per process). */
let waitingBrowser: { cancel(): void } | null = null;

export async function loadConnection(env: PaneEnv<ConnectionAction>): Promise<void> {
  if (env.vaultId === null) return env.dispatch({ type: 'no-vault' });
  const vault = await env.desk.vaults.get(env.vaultId);
  const gate = procoreGate(vault);
  if (gate) return env.dispatch({ type: 'loaded', vaultName: vault.name, gate });
  const view = await env.desk.procore.view(vault.id);
  // A sync run Procore refused for want of the app says so here too, until a call succeeds.
  const runs = Object.values((await env.desk.imports.syncState(vault.id)).runs);
  const refusedRun = runs.find((run) => run?.error && isAccessRefusal(new Error(run.error)));
  env.dispatch({
    type: 'loaded',
    vaultName: vault.name,
    gate: null,
    environment: view.config.environment,
    clientId: view.config.clientId,
    clientSecretStored: view.clientSecretStored,
    connection: view.config.connection,
    ...(refusedRun?.error ? { refused: refusedRun.error } : {}),
  });
}

function requireVaultId(env: PaneEnv<ConnectionAction>): string {
  if (env.vaultId === null) throw new UserError('no vault yet: create one first (Vaults)');
  return env.vaultId;
}

async function changeEnvironment(env: PaneEnv<ConnectionAction>, state: ConnectionState): Promise<void> {
  const vault = requireVaultId(env);
  const current = state.environment?.kind ?? 'production';
  const kind = await env.modals.pick(
    'Procore environment',
    ENVIRONMENT_KINDS.map((candidate) => ({
      label: `${candidate === current ? '●' : '○'} ${ENVIRONMENT_LABELS[candidate]}`,
      value: candidate,
      detail: candidate === 'custom' ? 'your URLs' : candidate === 'local' ? 'the embedded sandbox, its demo app' : KNOWN_ENVIRONMENTS[candidate].apiUrl,
    })),
    { initial: ENVIRONMENT_KINDS.indexOf(current) },
  );
  if (kind === null) return;
  let urls: { apiUrl?: string; loginUrl?: string } = {};
  if (kind === 'custom') {
    const answer = await env.modals.form('Custom Procore', [
      { name: 'apiUrl', label: 'API URL', value: state.environment?.apiUrl ?? '', hint: 'e.g. https://api.procore.com' },
      { name: 'loginUrl', label: 'Login URL', value: state.environment?.loginUrl ?? '', hint: 'e.g. https://login.procore.com' },
    ]);
    if (answer === null) return;
    urls = { apiUrl: answer.apiUrl ?? '', loginUrl: answer.loginUrl ?? '' };
  }
  let credentials: { clientId?: string; clientSecret?: string } = {};
  // The local sandbox uses its demo app: nothing to ask.
  if (kind !== 'local') {
    const answer = await env.modals.form("Procore app's credentials", [
      { name: 'clientId', label: 'Client id', value: state.clientId ?? '' },
      {
        name: 'clientSecret',
        label: 'Client secret',
        secret: true,
        hint: state.clientSecretStored ? 'leave empty to keep the stored one' : 'stored in secrets.json, never shown',
      },
    ]);
    if (answer === null) return;
    const clientId = answer.clientId?.trim() ?? '';
    const clientSecret = answer.clientSecret?.trim() ?? '';
    if (!clientId) throw new UserError('no client id was given: type the client id of your Procore app; nothing was changed');
    const newClient = clientId !== state.clientId;
    if (!clientSecret && (newClient || !state.clientSecretStored)) {
      throw new UserError('no client secret was given: type the secret of the Procore app (or set PROCORE_CLIENT_SECRET); nothing was changed');
    }
    credentials = { clientId, ...(clientSecret ? { clientSecret } : {}) };
  }
  const moving = kind !== current || urls.apiUrl !== undefined || credentials.clientId !== undefined && credentials.clientId !== state.clientId;
  if (moving && state.connection?.state === 'connected') {
    const go = await env.modals.confirm(`Switch to ${ENVIRONMENT_LABELS[kind]}? The current tokens are forgotten: grant access again afterwards.`);
    if (!go) return;
  }
  const result = await env.desk.procore.setEnvironment({ vault, kind, ...urls, ...credentials });
  env.notify(`Vault '${result.vault.name}' uses ${ENVIRONMENT_LABELS[kind]}.${result.forgotTokens ? ' Its old tokens were forgotten: press g to grant access.' : ''}`);
  await loadConnection(env);
}

/** How this Grant Access gets its code back: the sandbox's login typed here, a browser on this machine, or a pasted code. */
export function grantMode(kind: EnvironmentKind, processEnv: NodeJS.ProcessEnv = process.env): GrantMode {
  if (kind === 'local') return 'sandbox';
  // A browser only where one can be (never over SSH), and then with the loopback redirect.
  return browserAvailable(processEnv) ? 'loopback' : 'oob';
}

async function grant(env: PaneEnv<ConnectionAction>, state: ConnectionState): Promise<void> {
  const vault = requireVaultId(env);
  const kind = state.environment?.kind ?? (await env.desk.procore.view(vault)).config.environment.kind;
  const mode = grantMode(kind);
  const pending = await env.desk.procore.beginGrant(vault, mode === 'loopback' ? LOOPBACK_REDIRECT : OOB_REDIRECT);
  env.dispatch({ type: 'grant-started', url: pending.url, mode });
  try {
    const reply = await obtainReply(env, pending.url, mode);
    if (reply === null) {
      env.notify('Grant Access cancelled; nothing was stored.');
      return;
    }
    const code = await env.desk.procore.readGrantReply(reply, pending.state);
    const user = await env.desk.procore.completeGrant(pending, code);
    env.notify(`Connected to ${ENVIRONMENT_LABELS[pending.environment.kind]} as ${user.name} <${user.login}>.`);
  } finally {
    env.dispatch({ type: 'grant-ended' });
    await pending.close();
  }
  await loadConnection(env);
}

async function obtainReply(env: PaneEnv<ConnectionAction>, url: string, mode: GrantMode): Promise<string | null> {
  if (mode === 'sandbox') {
    // The banner stays in the form's title: the form covers the pane while it is open.
    const login = await env.modals.form(`${GRANT_BANNER}: sign in to the local sandbox (Procore Log In)`, [
      { name: 'email', label: 'Email', hint: 'a sandbox user, e.g. the demo admin' },
      { name: 'password', label: 'Password', secret: true },
    ]);
    if (login === null) return null;
    // Procore's "Authorization required" page, shown once per user and app: Allow or Deny here.
    return env.desk.procore.sandboxSignIn(url, login.email?.trim() ?? '', login.password ?? '', (page) =>
      env.modals.confirm(`${page.title}: ${page.text} Allow?`),
    );
  }
  if (mode === 'loopback') {
    const listener = await listenForRedirect(LOOPBACK_PORT, '/callback', 5 * 60_000);
    const cancelled = new Promise<null>((resolve) => {
      waitingBrowser = { cancel: () => resolve(null) };
    });
    try {
      const { default: open } = await import('open');
      await open(url).catch(() => env.notify('Could not open a browser: open the URL shown in the pane.', 'error'));
      return await Promise.race([listener.reply, cancelled]);
    } finally {
      waitingBrowser = null;
      await listener.close();
    }
  }
  const answer = await env.modals.form(GRANT_BANNER, [
    { name: 'code', label: 'Code', hint: 'the code Procore shows after Allow, or the whole address it sent you to' },
  ]);
  return answer === null ? null : (answer.code ?? '');
}

async function disconnect(env: PaneEnv<ConnectionAction>): Promise<void> {
  const result = await env.desk.procore.disconnect(requireVaultId(env));
  if (result.problem) env.notify(result.problem, 'error');
  else env.notify(`Disconnected vault '${result.vault.name}' from Procore${result.revoked ? ' (the token is revoked)' : ''}.`);
  env.dispatch({ type: 'access-ok' });
  await loadConnection(env);
}

async function checkAccess(env: PaneEnv<ConnectionAction>): Promise<void> {
  try {
    const { companies } = await env.desk.procore.companies(requireVaultId(env));
    env.dispatch({ type: 'access-ok' });
    env.notify(`Procore answers: the connected user sees ${companies.length} compan${companies.length === 1 ? 'y' : 'ies'}.`);
  } catch (error) {
    if (isAccessRefusal(error)) env.dispatch({ type: 'refused', message: error.message });
    throw error;
  }
}

export async function handleConnection(intent: ConnectionIntent, env: PaneEnv<ConnectionAction>, state: ConnectionState): Promise<void> {
  switch (intent.type) {
    case 'change-environment':
      return changeEnvironment(env, state);
    case 'grant':
      return grant(env, state);
    case 'disconnect':
      return disconnect(env);
    case 'check-access':
      return checkAccess(env);
    case 'cancel-grant':
      waitingBrowser?.cancel();
      return;
  }
}

function connectionLine(connection: ProcoreConnection | null): Line {
  if (!connection || connection.state === 'not-connected') return [{ text: 'Connection   ' }, { text: '○ not connected', bold: true }, { text: ' — press g to Grant Access' }];
  if (connection.state === 'connected') {
    return [{ text: 'Connection   ' }, { text: `● connected as ${connection.user.name} <${connection.user.login}>`, bold: true }, { text: ` since ${localMinute(connection.connectedAt)}`, dim: true }];
  }
  return [{ text: 'Connection   ' }, { text: '! RECONNECT NEEDED', bold: true }, { text: ` since ${localMinute(connection.since)}` }];
}

function environmentText(state: ConnectionState): string {
  const environment = state.environment;
  if (!environment) return '';
  const where = environment.kind === 'custom' ? ` — ${environment.apiUrl}` : environment.kind === 'local' ? '' : ` — ${KNOWN_ENVIRONMENTS[environment.kind].apiUrl}`;
  return `${ENVIRONMENT_LABELS[environment.kind]}${where}`;
}

export function ConnectionView({ state, width, height, vaultId }: PaneViewProps<ConnectionState>): ReactElement {
  const standIn = pageStandIn({ state, vaultId, width, height });
  if (standIn) return standIn;

  if (state.grant) {
    // The authorize URL is printed whole on a line of its own, with nothing before it and no
    // border, and is NOT wrapped by Ink: a hard break would put newlines into a terminal selection
    // and break the URL when it is copied over SSH. A URL wider than the pane runs past the edge and
    // the terminal soft-wraps it, which terminals join again when the text is selected. Those extra
    // terminal rows are counted against the pane's height below, so the page stays within it.
    const urlRows = Math.max(1, Math.ceil(displayWidth(state.grant.url) / Math.max(1, width)));
    const before: Line[] = [
      [{ text: GRANT_BANNER, bold: true }],
      [],
      ...paragraphs(
        [
          state.grant.mode === 'sandbox'
            ? 'Sign in to the local sandbox in the form (or open this URL in a browser):'
            : state.grant.mode === 'loopback'
              ? `A browser is opening this URL; log in to Procore and click Allow (or open it on this machine, port ${LOOPBACK_PORT}). Esc cancels.`
              : 'Open this URL in any browser, log in to Procore and click Allow:',
        ],
        width,
      ),
    ];
    const after: Line[] =
      state.grant.mode === 'oob' ? [[], ...paragraphs(['Then paste the code Procore shows (or the whole address it sent you to) in the form.'], width)] : [];
    const room = Math.max(0, height - urlRows);
    const shownBefore = before.slice(0, room);
    const shownAfter = after.slice(0, Math.max(0, room - shownBefore.length));
    return (
      <Box flexDirection="column">
        <LinesView lines={shownBefore} width={width} height={shownBefore.length} />
        <Box width={displayWidth(state.grant.url)} flexShrink={0}>
          <Text>{state.grant.url}</Text>
        </Box>
        <LinesView lines={shownAfter} width={width} height={shownAfter.length} />
      </Box>
    );
  }

  const lines: Line[] = [
    [{ text: `Procore connection of ${state.vaultName ?? ''}`, bold: true }],
    [],
    [{ text: 'Environment  ' }, { text: environmentText(state) }],
    [{ text: 'App          ' }, { text: state.clientId ? `client id ${state.clientId}, secret ${state.clientSecretStored ? 'stored' : 'not stored'}` : state.environment?.kind === 'local' ? 'the sandbox demo app' : 'no client id yet — press e' }],
    connectionLine(state.connection),
  ];
  if (state.connection?.state === 'reconnect-needed') {
    lines.push([], ...paragraphs([`Reconnect needed: ${state.connection.reason}`, 'Press g to Grant Access again.'], width, { bold: true }));
  }
  if (state.refused) {
    lines.push([], [{ text: 'App not installed', bold: true }], ...paragraphs([state.refused, INSTALL_THE_APP], width));
  }
  return <LinesView lines={lines} width={width} height={height} />;
}

export const connectionPane: PaneModule<ConnectionState, ConnectionAction, ConnectionIntent> = {
  id: 'connection',
  title: 'Connection',
  initialState: initialConnectionState,
  reduce: reduceConnection,
  bindings: connectionBindings,
  handle: handleConnection,
  load: (env) => loadConnection(env),
  reloadOn: ['settings.changed'],
  View: ConnectionView,
};
