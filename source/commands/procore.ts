// `apdesk procore …`: where a vault's Procore is, Grant Access, the company and the configuration
// page's settings. The Procore services load axios only when one of these runs.
import type { Desk } from '../app/desk.js';
import type { PendingGrant } from '../app/procore.js';
import { UserError, UsageError } from '../domain/errors.js';
import { type ProcoreConfig, BEHAVIOR_LABELS, parseBehavior, parseOnOff } from '../domain/procore-config.js';
import { checkEnvironmentInput, ENVIRONMENT_LABELS, KNOWN_ENVIRONMENTS, parseEnvironmentKind } from '../procore/environments.js';
import { LOOPBACK_PORT, LOOPBACK_REDIRECT, OOB_REDIRECT } from '../procore/redirects.js';
import { browserAvailable, listenForRedirect } from '../procore/loopback.js';
import { printJson, requiredVault, stringOption, VAULT_OPTION, type Command, type CommandContext, flagValue } from './command.js';
import { keyValues, oneLine, table } from './format.js';
import { withRemedy } from './remedy.js';
import { readLine, readSecret } from './prompt.js';


export const procoreEnvCommand: Command = {
  path: ['procore', 'env'],
  summary: "Set where a vault's Procore is and which app (client id and secret) apdesk uses",
  usage: 'apdesk procore env --vault VAULT --env production|sandbox|local|custom [--api-url URL --login-url URL] [--client-id ID]',
  details:
    'The client secret comes from PROCORE_CLIENT_SECRET, or is asked for (typed without echo, or one piped line).\n' +
    'It is stored in secrets.json (mode 0600) and never printed. The local environment is the embedded\n' +
    'sandbox and uses its demo app unless you give another. Changing the environment or the client id\n' +
    'forgets the tokens: tokens never work across environments.',
  options: {
    ...VAULT_OPTION,
    env: { type: 'string', value: 'ENV', description: 'production, sandbox, local or custom' },
    'api-url': { type: 'string', value: 'URL', description: 'with --env custom: the API base URL' },
    'login-url': { type: 'string', value: 'URL', description: 'with --env custom: the login (OAuth) base URL' },
    'client-id': { type: 'string', value: 'ID', description: "the Procore app's client id" },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const kindText = stringOption(ctx.values, 'env');
    if (!kindText) throw new UsageError(`say which environment with --env: ${this.usage}`);
    const kind = flagValue(() => parseEnvironmentKind(kindText));
    const desk = await ctx.desk();
    const { clientSecretStored: stored } = await desk.procore.view(vault);
    const clientId = stringOption(ctx.values, 'client-id');
    const apiUrl = stringOption(ctx.values, 'api-url');
    const loginUrl = stringOption(ctx.values, 'login-url');
    const input = {
      vault,
      kind,
      ...(apiUrl !== undefined ? { apiUrl } : {}),
      ...(loginUrl !== undefined ? { loginUrl } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
    };
    checkEnvironmentInput(input);
    let clientSecret = ctx.env.PROCORE_CLIENT_SECRET?.trim() || undefined;
    if (clientSecret === undefined && kind !== 'local' && (clientId !== undefined || !stored)) {
      const typed = await readSecret(ctx.stdin, ctx.note, `Client secret of the Procore app${clientId ? ` ${clientId}` : ''} (not shown): `);
      if (!typed?.trim()) {
        throw new UserError('no client secret was given: type it when asked, pipe it on stdin, or set PROCORE_CLIENT_SECRET; nothing was changed');
      }
      clientSecret = typed.trim();
    }
    const result = await desk.procore.setEnvironment({ ...input, ...(clientSecret !== undefined ? { clientSecret } : {}) });
    if (ctx.json) {
      return printJson(ctx, { vault: result.vault.id, environment: result.config.environment, clientId: result.config.clientId, clientSecretStored: clientSecret !== undefined || Boolean(stored), forgotTokens: result.forgotTokens });
    }
    ctx.out(
      `Vault '${result.vault.name}' uses ${ENVIRONMENT_LABELS[kind]}${kind === 'custom' ? ` (${result.config.environment.apiUrl})` : ''}.` +
        (result.forgotTokens ? ' Its old tokens were forgotten: connect again.' : '') +
        `\nNext: apdesk procore connect --vault ${result.vault.id}`,
    );
  },
};

type GrantMode = 'oob' | 'loopback' | 'sandbox';

async function obtainReply(
  ctx: CommandContext,
  desk: Desk,
  grant: PendingGrant,
  mode: GrantMode,
  options: { email?: string; password?: string; openBrowser: boolean },
): Promise<string> {
  if (mode === 'sandbox') {
    return desk.procore.sandboxSignIn(grant.url, options.email!, options.password!);
  }
  if (mode === 'loopback') {
    const listener = await listenForRedirect(LOOPBACK_PORT, '/callback', 5 * 60_000);
    try {
      ctx.note(
        options.openBrowser
          ? 'Opening your browser to grant apdesk access. If it does not open, visit:'
          : `Open this URL in a browser on this machine (or one forwarding port ${LOOPBACK_PORT}), log in to Procore and click Allow:`,
      );
      ctx.out(grant.url);
      if (options.openBrowser) {
        const { default: open } = await import('open');
        await open(grant.url).catch(() => ctx.note('(could not open a browser; use the URL above)'));
      }
      return await listener.reply;
    } finally {
      await listener.close();
    }
  }
  ctx.note('Open this URL in any browser, log in to Procore and click Allow:');
  ctx.out(grant.url);
  ctx.note('Then paste the code Procore shows (or the whole address it sent you to) and press Enter:');
  const line = await readLine(ctx.stdin);
  if (line === null) throw new UserError('no authorization code was given (end of input); nothing was stored');
  return line;
}

export const procoreConnectCommand: Command = {
  path: ['procore', 'connect'],
  summary: 'Grant Access: sign in to Procore and connect a vault',
  usage: 'apdesk procore connect --vault VAULT [--no-browser] [--redirect oob|loopback] [--email EMAIL --password PASSWORD]',
  details:
    'Prints the authorize URL on its own line. Where a browser can open (not over SSH, not without a display)\n' +
    'it opens it and waits for the redirect on localhost; otherwise (or with --no-browser) you paste back\n' +
    'the code Procore shows. Against the local sandbox, --email and --password complete the login pages\n' +
    'without a browser. A wrong code, a mismatched state or a code used twice stores nothing.',
  options: {
    ...VAULT_OPTION,
    'no-browser': { type: 'boolean', description: 'do not open a browser (paste the code, unless --redirect loopback)' },
    redirect: { type: 'string', value: 'KIND', description: `oob (paste the code) or loopback (http://localhost:${LOOPBACK_PORT}/callback)` },
    email: { type: 'string', value: 'EMAIL', description: 'local sandbox only: log in as this user' },
    password: { type: 'string', value: 'PASSWORD', description: 'local sandbox only: with --email' },
  },
  json: true,
  async run(ctx) {
    const vaultRef = requiredVault(ctx, this.usage);
    const desk = await ctx.desk();
    const { vault, config } = await desk.procore.view(vaultRef);
    const email = stringOption(ctx.values, 'email');
    const password = stringOption(ctx.values, 'password');
    if ((email === undefined) !== (password === undefined)) throw new UsageError('--email and --password go together');
    if (email !== undefined && config.environment.kind !== 'local') {
      throw new UsageError(`--email and --password only work against the local sandbox; vault '${vault.name}' uses ${ENVIRONMENT_LABELS[config.environment.kind]} — sign in through the browser or paste the code`);
    }
    const redirect = stringOption(ctx.values, 'redirect');
    if (redirect !== undefined && redirect !== 'oob' && redirect !== 'loopback') throw new UsageError(`--redirect takes oob or loopback, not '${redirect}'`);
    const openBrowser = !ctx.values['no-browser'] && browserAvailable(ctx.env);
    const mode: GrantMode = email !== undefined ? 'sandbox' : (redirect ?? (openBrowser ? 'loopback' : 'oob'));
    const grant = await desk.procore.beginGrant(vault.id, mode === 'loopback' ? LOOPBACK_REDIRECT : OOB_REDIRECT);
    try {
      const reply = await obtainReply(ctx, desk, grant, mode, { ...(email ? { email } : {}), ...(password ? { password } : {}), openBrowser });
      const code = await desk.procore.readGrantReply(reply, grant.state);
      const user = await desk.procore.completeGrant(grant, code);
      if (ctx.json) return printJson(ctx, { vault: vault.id, environment: grant.environment.kind, user });
      ctx.out(`Connected vault '${vault.name}' to ${ENVIRONMENT_LABELS[grant.environment.kind]} as ${oneLine(user.name)} <${oneLine(user.login)}>.`);
      if (!config.companyId) ctx.out(`Next: pick the company — apdesk procore companies --vault ${vault.id}`);
    } finally {
      await grant.close();
    }
  },
};

export const procoreCompaniesCommand: Command = {
  path: ['procore', 'companies'],
  summary: 'List the Procore companies the connected user can see',
  usage: 'apdesk procore companies --vault VAULT [--json]',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const { vault, companies } = await (await ctx.desk()).procore.companies(requiredVault(ctx, this.usage));
    if (ctx.json) return printJson(ctx, companies);
    if (!companies.length) return ctx.out('The connected user sees no companies: check that apdesk is installed in the company (App Management).');
    ctx.out(
      table(
        ['ID', 'COMPANY', 'ACTIVE', 'TIED TO VAULT'],
        companies.map((company) => [company.id, oneLine(company.name), company.isActive ? 'yes' : 'no', company.vault ?? '-']),
      ) + `\nChoose one: apdesk procore configure --vault ${vault.id} --company ID`,
    );
  },
};

export const procoreConfigureCommand: Command = {
  path: ['procore', 'configure'],
  summary: "Set a vault's Procore company, import behaviour, queue and options",
  usage:
    'apdesk procore configure --vault VAULT [--company ID] [--behavior auto-queue|auto-route|manual] [--queue NAME] [--allow-edit on|off] [--create-payments on|off]',
  details: [
    'Behaviours:',
    ...Object.entries(BEHAVIOR_LABELS).map(([key, label]) => `  ${key.padEnd(10)} ${label}${key === 'auto-queue' ? ' (the default)' : ''}`),
    'One company belongs to one vault. Automated import needs the cloud-sync licence and the sync running.',
    'Create payments in Procore needs the Job Poll Invoice Check Backfiller job enabled (apdesk jobs enable).',
  ].join('\n'),
  options: {
    ...VAULT_OPTION,
    company: { type: 'string', value: 'ID', description: 'the Procore company (id or name), see `apdesk procore companies`' },
    behavior: { type: 'string', value: 'BEHAVIOUR', description: 'auto-queue, auto-route or manual' },
    queue: { type: 'string', value: 'NAME', description: 'the queue imported invoices go to' },
    'allow-edit': { type: 'string', value: 'on|off', description: 'let processors edit imported Procore invoices' },
    'create-payments': { type: 'string', value: 'on|off', description: 'write payments back to Procore once paid' },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const text = (name: string) => stringOption(ctx.values, name);
    const behavior = text('behavior');
    const allowEdit = text('allow-edit');
    const createPayments = text('create-payments');
    const company = text('company');
    const queue = text('queue');
    const outcome = await (await ctx.desk()).procore.configure({
      vault,
      ...(company !== undefined ? { company } : {}),
      ...(behavior !== undefined ? { behavior: flagValue(() => parseBehavior(behavior)) } : {}),
      ...(queue !== undefined ? { queue } : {}),
      ...(allowEdit !== undefined ? { allowEdit: flagValue(() => parseOnOff(allowEdit, 'allow-edit')) } : {}),
      ...(createPayments !== undefined ? { createPayments: flagValue(() => parseOnOff(createPayments, 'create-payments')) } : {}),
    });
    for (const warning of outcome.warnings) ctx.note(`apdesk: warning: ${withRemedy(warning)}`);
    if (ctx.json) return printJson(ctx, { vault: outcome.vault.id, ...publicConfig(outcome.config), warnings: outcome.warnings.map(withRemedy) });
    ctx.out(`Saved the Procore configuration of vault '${outcome.vault.name}'.`);
  },
};

function publicConfig(config: ProcoreConfig) {
  const { connection, ...rest } = config;
  return { ...rest, connection };
}

export const procoreShowCommand: Command = {
  path: ['procore', 'show'],
  summary: "Show a vault's Procore configuration and connection (never a token)",
  usage: 'apdesk procore show --vault VAULT [--json]',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const desk = await ctx.desk();
    const view = await desk.procore.view(requiredVault(ctx, this.usage));
    const { vault, config } = view;
    const sync = await desk.imports.syncState(vault.id);
    const queue = vault.queues.find((q) => q.id === config.queueId);
    const summary = {
      vault: vault.id,
      ...publicConfig(config),
      clientSecretStored: view.clientSecretStored,
      tokenExpiresAt: view.tokenExpiresAt,
      projectsVisible: sync.projectsVisible,
      projectsListedAt: sync.projectsListedAt,
    };
    if (ctx.json) return printJson(ctx, summary);
    const env = config.environment;
    const connection = config.connection;
    ctx.out(
      keyValues([
        ['vault', `${vault.name} (${vault.id})`],
        ['environment', `${ENVIRONMENT_LABELS[env.kind]}${env.kind === 'custom' ? ` — ${env.apiUrl}, ${env.loginUrl}` : env.kind === 'local' ? '' : ` — ${KNOWN_ENVIRONMENTS[env.kind].apiUrl}`}`],
        ['client id', config.clientId ?? (env.kind === 'local' ? 'the sandbox demo app' : 'not set')],
        ['client secret', summary.clientSecretStored ? 'stored' : env.kind === 'local' ? 'the sandbox demo app' : 'not stored'],
        [
          'connection',
          connection.state === 'connected'
            ? `connected as ${oneLine(connection.user.name)} <${oneLine(connection.user.login)}> since ${connection.connectedAt}`
            : connection.state === 'reconnect-needed'
              ? `RECONNECT NEEDED since ${connection.since}: ${connection.reason} — apdesk procore connect --vault ${vault.id}`
              : `not connected — apdesk procore connect --vault ${vault.id}`,
        ],
        ['token expires', summary.tokenExpiresAt ?? '-'],
        ['company', config.companyId ? `${oneLine(config.companyName)} (${config.companyId})` : 'not selected'],
        [
          'projects visible',
          sync.projectsVisible !== null
            ? `${sync.projectsVisible} as of ${sync.projectsListedAt} (a user who is not a company admin sees only the projects they belong to: invoices of the others are never imported)`
            : 'not listed yet (the sync lists them; apdesk procore requisitions shows them now)',
        ],
        ['import behaviour', BEHAVIOR_LABELS[config.behavior]],
        ['queue', queue?.name ?? 'not selected'],
        ['allow edit', config.allowEdit ? 'on: processors may edit imported Procore invoices' : 'off'],
        ['create payments', config.createPayments ? 'on: paid invoices get a payment in Procore' : 'off'],
      ]),
    );
  },
};

export const procoreDisconnectCommand: Command = {
  path: ['procore', 'disconnect'],
  summary: 'Revoke the token at Procore and forget it',
  usage: 'apdesk procore disconnect --vault VAULT',
  options: VAULT_OPTION,
  json: true,
  async run(ctx) {
    const result = await (await ctx.desk()).procore.disconnect(requiredVault(ctx, this.usage));
    if (result.problem) ctx.note(`apdesk: warning: ${result.problem}`);
    if (ctx.json) return printJson(ctx, { vault: result.vault.id, revoked: result.revoked });
    ctx.out(`Disconnected vault '${result.vault.name}' from Procore${result.revoked ? ' (the token is revoked)' : ''}.`);
  },
};

const cents = (value: number | null) => (value === null ? '-' : (value / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

export const procoreRequisitionsCommand: Command = {
  path: ['procore', 'requisitions'],
  summary: "List the company's subcontractor invoices that can be imported by hand",
  usage: 'apdesk procore requisitions --vault VAULT [--status approved|all|STATUS] [--project P] [--search TEXT] [--json]',
  details:
    'Across the projects the connected user can see (or one), those in the status asked for (approved by\n' +
    'default), each marked when it is already imported (and where) or synced by another integration.\n' +
    'Import one with apdesk procore import --vault VAULT --requisition ID.',
  options: {
    ...VAULT_OPTION,
    status: { type: 'string', value: 'STATUS', description: 'a Procore status, or all (default approved)' },
    project: { type: 'string', value: 'P', description: 'only this project (id, number or name)' },
    search: { type: 'string', value: 'TEXT', description: 'words to find in the vendor, numbers, contract or project' },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const status = stringOption(ctx.values, 'status');
    const project = stringOption(ctx.values, 'project');
    const search = stringOption(ctx.values, 'search');
    const found = await (await ctx.desk()).procore.requisitions({
      vault,
      ...(status !== undefined ? { status } : {}),
      ...(project !== undefined ? { project } : {}),
      ...(search !== undefined ? { search } : {}),
    });
    if (ctx.json) return printJson(ctx, { vault: found.vault.id, projectsVisible: found.projectsVisible, requisitions: found.choices });
    if (!found.choices.length) {
      ctx.out(`No ${status ?? 'approved'} requisitions found in ${found.projectsVisible} visible project${found.projectsVisible === 1 ? '' : 's'}.`);
    } else {
      ctx.out(
        table(
          ['REQUISITION', 'PROJECT', 'VENDOR', 'INVOICE #', 'DUE', 'STATUS', 'FILES', 'IN APDESK'],
          found.choices.map((choice) => [
            choice.id,
            oneLine(choice.projectName ?? choice.projectId),
            oneLine(choice.vendorName ?? '-'),
            oneLine(choice.invoiceNumber ?? (choice.number ? `#${choice.number}` : '-')),
            cents(choice.amountDue),
            choice.status ?? '-',
            String(choice.attachments),
            choice.imported ? `imported: ${choice.imported.invoiceId} in ${choice.imported.vaultName}` : choice.syncedElsewhere ? 'synced elsewhere' : '-',
          ]),
        ),
      );
    }
    ctx.out(`${found.projectsVisible} project${found.projectsVisible === 1 ? '' : 's'} visible to the connected user (one who is not a company admin sees only the projects they belong to).`);
  },
};

export const procoreImportCommand: Command = {
  path: ['procore', 'import'],
  summary: 'Fill an invoice from a Procore requisition by hand (header and lines, without attachments)',
  usage: 'apdesk procore import --vault VAULT --requisition ID [--document DOC_ID | --queue QUEUE] [--project P] [--json]',
  details:
    'Works with the sync loop stopped and without the cloud-sync licence. With --document it fills that\n' +
    "queued document's invoice instead of a new one: for an invoice signed through DocuSign, add the signed\n" +
    'document to a queue, then fill it from its requisition. A requisition already imported is shown where\n' +
    'it is, and nothing changes.',
  options: {
    ...VAULT_OPTION,
    requisition: { type: 'string', value: 'ID', description: 'the Procore requisition (subcontractor invoice) id', required: true },
    document: { type: 'string', value: 'DOC_ID', description: 'fill this queued document instead of a new invoice' },
    queue: { type: 'string', value: 'QUEUE', description: "a new invoice's queue (default: the configured Procore queue)" },
    project: { type: 'string', value: 'P', description: 'the project to look in first (id, number or name)' },
  },
  json: true,
  async run(ctx) {
    const vault = requiredVault(ctx, this.usage);
    const document = stringOption(ctx.values, 'document');
    const queue = stringOption(ctx.values, 'queue');
    const project = stringOption(ctx.values, 'project');
    if (document !== undefined && queue !== undefined) throw new UsageError('give --document or --queue, not both: a document is already in its queue');
    const outcome = await (await ctx.desk()).procore.importRequisition({
      vault,
      requisition: stringOption(ctx.values, 'requisition')!,
      ...(document !== undefined ? { document } : {}),
      ...(queue !== undefined ? { queue } : {}),
      ...(project !== undefined ? { project } : {}),
    });
    if (outcome.state === 'imported') {
      if (ctx.json) return printJson(ctx, { state: 'imported', invoice: outcome.invoice });
      const invoice = outcome.invoice;
      const errors = (invoice.validation?.issues ?? []).filter((issue) => issue.level === 'error');
      ctx.out(
        `Filled ${invoice.id} from Procore requisition ${stringOption(ctx.values, 'requisition')}: ${invoice.lines.length} line${invoice.lines.length === 1 ? '' : 's'}, total ${cents(invoice.header.total)}.` +
          (errors.length ? `\nIt does not validate yet: ${errors.map((issue) => issue.message).join(' | ')}` : '\nIt validates; route it with apdesk invoices route ' + invoice.id) +
          (invoice.attachments.length ? '' : '\nIt has no document: the requisition\'s files are not imported by hand — add one with apdesk queue add-document, or import with --document.'),
      );
      return;
    }
    const where = outcome.state === 'elsewhere' ? ` in vault '${outcome.vaultName}'` : '';
    if (ctx.json) return printJson(ctx, outcome);
    throw new UserError(`requisition ${stringOption(ctx.values, 'requisition')} is already imported as ${outcome.invoiceId}${where} (${outcome.status}); nothing was changed`);
  },
};
