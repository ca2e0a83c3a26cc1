// `apdesk sandbox …`: run the local Procore sandbox of a data dir (<data dir>/sandbox) and drive
// it — add, approve and change invoices, attach files, install the app, switch faults, see its state. The driving
// commands change the sandbox's state on disk, so they work whether or not a server is running.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError, UserError } from '../domain/errors.js';
import {
  FAULT_NAMES,
  addRequisition,
  approveRequisition,
  attachFile,
  clearFaults,
  listFaults,
  sandboxStatus,
  setAppInstalled,
  setFault,
  setTokenLifetime,
  updateRequisition,
  type FaultName,
  type RequisitionChanges,
} from '../sandbox/control.js';
import { FAULT_HELP } from '../sandbox/faults.js';
import { isLive, readServerInfo } from '../sandbox/server-info.js';
import { ITEM_CODINGS, REQUISITION_STATUSES, SandboxStore, type Fault, type ItemCoding, type RequisitionStatus } from '../sandbox/state.js';
import { printJson, stringOption, type Command, type CommandContext } from './command.js';
import { stopSignal } from './signals.js';
import { keyValues, oneLine, table } from './format.js';

async function stateDirOf(ctx: CommandContext): Promise<string> {
  // The server and its demo seed load only for the commands that use them, not for every apdesk start.
  const { sandboxStateDir } = await import('../sandbox/index.js');
  return sandboxStateDir((await ctx.desk()).dataDir);
}

function portOption(ctx: CommandContext, name: string): number {
  const text = stringOption(ctx.values, name);
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${name} takes a port number from 0 to 65535, not '${text}'`);
  return Number(text);
}

function wholeOption(ctx: CommandContext, name: string): number | undefined {
  const text = stringOption(ctx.values, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--${name} takes a whole number above 0, not '${text}'`);
  return Number(text);
}

function requisitionOption(ctx: CommandContext, usage: string): string {
  const id = stringOption(ctx.values, 'requisition')?.trim();
  if (!id) throw new UsageError(`say which requisition with --requisition ID: ${usage}`);
  if (!/^\d+$/.test(id)) throw new UsageError(`--requisition takes a Procore requisition id (digits), not '${id}'`);
  return id;
}

export const sandboxCommand: Command = {
  path: ['sandbox'],
  summary: 'Run the local Procore sandbox of this data dir until stopped',
  usage: 'apdesk sandbox [--port N] [--storage-port N] [--seed demo|empty] [--json]',
  details:
    'Serves OAuth, the REST API and file downloads on 127.0.0.1, from the state in <data dir>/sandbox\n' +
    '(created on first use from the seed: `demo` has two companies and 37 subcontractor invoices).\n' +
    'Other apdesk processes on this data dir find it through <data dir>/sandbox/server.json.\n' +
    'Stop it with Ctrl+C (or SIGTERM).',
  options: {
    port: { type: 'string', value: 'N', description: 'API and login port (default: any free port)' },
    'storage-port': { type: 'string', value: 'N', description: 'file storage port (default: any free port)' },
    seed: { type: 'string', value: 'SEED', description: 'demo (default) or empty; only for a new sandbox' },
  },
  json: true,
  async run(ctx) {
    const seed = stringOption(ctx.values, 'seed') ?? 'demo';
    if (seed !== 'demo' && seed !== 'empty') throw new UsageError(`--seed is demo or empty, not '${seed}'`);
    const port = portOption(ctx, 'port');
    const storagePort = portOption(ctx, 'storage-port');
    const stateDir = await stateDirOf(ctx);
    const existing = new SandboxStore(stateDir);
    if (stringOption(ctx.values, 'seed') !== undefined && (await existing.exists()) && (await existing.read()).seed !== seed) {
      ctx.note(`apdesk: note: the sandbox in ${stateDir} already exists; --seed applies only to a new one (delete that folder to start over)`);
    }
    const other = await readServerInfo(stateDir);
    if (other && (await isLive(stateDir, other))) {
      ctx.note(`apdesk: note: another sandbox (process ${other.pid}, ${other.apiUrl}) already serves this data dir; both share its state`);
    }
    const { DEMO_APP, DEMO_USERS, startSandbox } = await import('../sandbox/index.js');
    const sandbox = await startSandbox({ stateDir, seed, port, storagePort, advertise: true });
    const stop = stopSignal();
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    const urls = { apiUrl: sandbox.apiUrl, loginUrl: sandbox.loginUrl, storageUrl: sandbox.storageUrl, controlUrl: sandbox.controlUrl };
    if (ctx.json) {
      ctx.out(JSON.stringify({ ...urls, stateDir, pid: process.pid, clientId: DEMO_APP.clientId, users: DEMO_USERS.map((user) => user.email) }));
    } else {
      ctx.out(
        [
          `Procore sandbox running (state in ${stateDir}).`,
          keyValues([
            ['API', `${sandbox.apiUrl}  (REST under /rest/v1.0 and /rest/v1.1)`],
            ['Login', `${sandbox.loginUrl}/oauth/authorize`],
            ['Storage', sandbox.storageUrl],
            ['Control', sandbox.controlUrl],
            ['Client id', DEMO_APP.clientId],
            ['Demo users', `${DEMO_USERS.map((user) => user.email).join(', ')} (password: ${DEMO_USERS[0]!.password})`],
          ]),
          'Stop with Ctrl+C.',
        ].join('\n'),
      );
    }
    await stopped;
    stop.dispose();
    await sandbox.close();
    ctx.note('Sandbox stopped.');
  },
};

export const sandboxApproveCommand: Command = {
  path: ['sandbox', 'approve'],
  summary: 'Approve a subcontractor invoice in the sandbox, as a Procore reviewer would',
  usage: 'apdesk sandbox approve --requisition ID [--as-noted] [--json]',
  options: {
    requisition: { type: 'string', value: 'ID', description: 'the Procore requisition id (see `apdesk sandbox status`)' },
    'as-noted': { type: 'boolean', description: "set 'approved_as_noted' instead of 'approved'" },
  },
  json: true,
  async run(ctx) {
    const id = requisitionOption(ctx, this.usage);
    const status = ctx.values['as-noted'] === true ? 'approved_as_noted' : 'approved';
    const approved = await approveRequisition(await stateDirOf(ctx), id, status);
    if (ctx.json) return printJson(ctx, approved);
    ctx.out(
      `Requisition ${approved.id} (${approved.commitmentNumber} #${approved.number}, ${oneLine(approved.vendorName)}, ${approved.amount}) is now ${approved.status}` +
        (approved.attachments ? '.' : ' — it has no attachment, so an automated import will flag it.'),
    );
  },
};

export const sandboxAttachCommand: Command = {
  path: ['sandbox', 'attach'],
  summary: "Add files to a sandbox invoice's attachments",
  usage: 'apdesk sandbox attach --requisition ID FILE... [--json]',
  options: {
    requisition: { type: 'string', value: 'ID', description: 'the Procore requisition id' },
  },
  positionals: { min: 1, max: Infinity, names: 'FILE...' },
  json: true,
  async run(ctx) {
    const id = requisitionOption(ctx, this.usage);
    const stateDir = await stateDirOf(ctx);
    // Read every file first, so one unreadable file means none is attached.
    const files: { filename: string; bytes: Buffer }[] = [];
    for (const path of ctx.positionals) {
      try {
        files.push({ filename: basename(path), bytes: await readFile(path) });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new UserError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
      }
      if (!files[files.length - 1]!.bytes.length) throw new UserError(`${path} is empty — attach a file with content`);
    }
    const stored = [];
    for (const file of files) stored.push(await attachFile(stateDir, id, file));
    if (ctx.json) return printJson(ctx, stored);
    ctx.out(stored.map((file) => `Attached ${file.filename} (${file.contentType}, ${file.size} bytes) to requisition ${id} as file ${file.id}.`).join('\n'));
  },
};

const CODING_HELP =
  'How its items name their cost code: wbs (cost_code_id and a WBS code with typed segments) or\n' +
  "cost-code-id (cost_code_id alone, no WBS code: the importer looks the code up in the project's cost codes).";

const codingOption = { type: 'string', value: 'CODING', description: 'wbs or cost-code-id: how its items name their cost code', choices: ITEM_CODINGS } as const;

export const sandboxRequisitionCommand: Command = {
  path: ['sandbox', 'requisition'],
  summary: 'Change a sandbox invoice as Procore or another integration would: its status, origin id, ERP status, item coding',
  usage: 'apdesk sandbox requisition --id ID [--status STATUS] [--origin-id TEXT] [--erp-status TEXT] [--coding wbs|cost-code-id] [--json]',
  details:
    'An origin id says another integration already synced the invoice to an accounting system; an ERP\n' +
    "status is its state there. Give '' to clear either.\n" +
    CODING_HELP +
    "\nThe invoice's updated_at moves forward when anything changed, as an importer polling Procore would see it.",
  options: {
    id: { type: 'string', value: 'ID', description: 'the Procore requisition id (see `apdesk sandbox status`)' },
    status: { type: 'string', value: 'STATUS', description: 'the new status', choices: REQUISITION_STATUSES },
    'origin-id': { type: 'string', value: 'TEXT', description: "another integration's id for it ('' clears it)" },
    'erp-status': { type: 'string', value: 'TEXT', description: "its status in the accounting system, e.g. synced ('' clears it)" },
    coding: codingOption,
  },
  json: true,
  async run(ctx) {
    const id = stringOption(ctx.values, 'id')?.trim();
    if (!id) throw new UsageError(`say which requisition with --id ID: ${this.usage}`);
    if (!/^\d+$/.test(id)) throw new UsageError(`--id takes a Procore requisition id (digits), not '${id}'`);
    const status = stringOption(ctx.values, 'status') as RequisitionStatus | undefined;
    const originId = stringOption(ctx.values, 'origin-id');
    const erpStatus = stringOption(ctx.values, 'erp-status');
    const itemCoding = stringOption(ctx.values, 'coding') as ItemCoding | undefined;
    if (status === undefined && originId === undefined && erpStatus === undefined && itemCoding === undefined) {
      throw new UsageError(`say what to change with --status, --origin-id, --erp-status or --coding: ${this.usage}`);
    }
    const changes: RequisitionChanges = {
      ...(status !== undefined ? { status } : {}),
      ...(originId !== undefined ? { originId } : {}),
      ...(erpStatus !== undefined ? { erpStatus } : {}),
      ...(itemCoding !== undefined ? { itemCoding } : {}),
    };
    const changed = await updateRequisition(await stateDirOf(ctx), id, changes);
    if (ctx.json) return printJson(ctx, changed);
    ctx.out(
      `Requisition ${changed.id} (${changed.commitmentNumber} #${changed.number}, ${oneLine(changed.vendorName)}) is ${changed.status}, ` +
        `origin id ${changed.originId === null ? 'none' : `'${oneLine(changed.originId)}'`}, ERP status ${changed.erpStatus === null ? 'none' : `'${oneLine(changed.erpStatus)}'`}` +
        `${changed.itemCoding === 'wbs' ? '' : ', items naming their cost code by cost_code_id alone'}; updated at ${changed.updatedAt}.`,
    );
  },
};

export const sandboxRequisitionAddCommand: Command = {
  path: ['sandbox', 'requisition', 'add'],
  summary: "Add a subcontractor invoice to a sandbox commitment, the next in its sequence",
  usage: 'apdesk sandbox requisition add --commitment ID [--status STATUS] [--invoice-number TEXT] [--coding wbs|cost-code-id] [--json]',
  details:
    "Each line bills 10% of what is left on the commitment's line. It has no attachment: add one with\n" +
    '`apdesk sandbox attach`, or an automated import waits for it.\n' +
    CODING_HELP,
  options: {
    commitment: { type: 'string', value: 'ID', description: 'the Procore commitment id (see `apdesk sandbox status --json`)' },
    status: { type: 'string', value: 'STATUS', description: 'its status (default under_review)', choices: REQUISITION_STATUSES },
    'invoice-number': { type: 'string', value: 'TEXT', description: "the subcontractor's invoice number (default <commitment>-<number>)" },
    coding: codingOption,
  },
  json: true,
  async run(ctx) {
    const commitmentId = stringOption(ctx.values, 'commitment')?.trim();
    if (!commitmentId) throw new UsageError(`say which commitment with --commitment ID: ${this.usage}`);
    if (!/^\d+$/.test(commitmentId)) throw new UsageError(`--commitment takes a Procore commitment id (digits), not '${commitmentId}'`);
    const status = stringOption(ctx.values, 'status') as RequisitionStatus | undefined;
    const invoiceNumber = stringOption(ctx.values, 'invoice-number');
    const itemCoding = stringOption(ctx.values, 'coding') as ItemCoding | undefined;
    const added = await addRequisition(await stateDirOf(ctx), {
      commitmentId,
      ...(status !== undefined ? { status } : {}),
      ...(invoiceNumber !== undefined ? { invoiceNumber: invoiceNumber.trim() || null } : {}),
      ...(itemCoding !== undefined ? { itemCoding } : {}),
    });
    if (ctx.json) return printJson(ctx, added);
    ctx.out(
      `Added requisition ${added.id} (${added.commitmentNumber} #${added.number}, ${oneLine(added.vendorName)}, ${added.amount}), ${added.status}` +
        `${added.itemCoding === 'wbs' ? '' : ', items naming their cost code by cost_code_id alone'}; it has no attachment yet — \`apdesk sandbox attach --requisition ${added.id} FILE\`.`,
    );
  },
};

export const sandboxAppInstalledCommand: Command = {
  path: ['sandbox', 'app-installed'],
  summary: "Install or uninstall apdesk in a sandbox company (Procore's App Management)",
  usage: 'apdesk sandbox app-installed --company ID on|off',
  details: 'Uninstalled, every call naming that company is refused with 401, as Procore refuses an app that is not installed.',
  options: {
    company: { type: 'string', value: 'ID', description: 'the Procore company id (see `apdesk sandbox status`)' },
  },
  positionals: { min: 1, max: 1, names: 'on|off' },
  async run(ctx) {
    const company = stringOption(ctx.values, 'company')?.trim();
    if (!company) throw new UsageError(`say which company with --company ID: ${this.usage}`);
    if (!/^\d+$/.test(company)) throw new UsageError(`--company takes a Procore company id (digits), not '${company}'`);
    const word = ctx.positionals[0]!.trim().toLowerCase();
    if (word !== 'on' && word !== 'off') throw new UsageError(`say on or off, not '${ctx.positionals[0]}': ${this.usage}`);
    await setAppInstalled(await stateDirOf(ctx), company, word === 'on');
    ctx.out(word === 'on' ? `apdesk is installed in company ${company}.` : `apdesk is not installed in company ${company} now: its calls get 401 until \`apdesk sandbox app-installed --company ${company} on\`.`);
  },
};

export const sandboxFaultCommand: Command = {
  path: ['sandbox', 'fault'],
  summary: 'Make the sandbox misbehave on the next requests, to see apdesk recover',
  usage: 'apdesk sandbox fault NAME [--count N] [--seconds N | --ms N] [--path PREFIX] [--json]',
  details: ['Faults:', ...FAULT_NAMES.map((name) => `  ${name.padEnd(20)} ${FAULT_HELP[name]}`), 'Without --count a fault lasts until `apdesk sandbox faults clear`.'].join('\n'),
  options: {
    count: { type: 'string', value: 'N', description: 'only the next N requests' },
    seconds: { type: 'string', value: 'N', description: 'Retry-After for rate-limit and unavailable' },
    ms: { type: 'string', value: 'N', description: 'the delay for slow' },
    path: { type: 'string', value: 'PREFIX', description: 'only requests whose path starts with this, e.g. /oauth/token' },
  },
  positionals: { min: 1, max: 1, names: 'NAME' },
  json: true,
  async run(ctx) {
    const kind = ctx.positionals[0]! as FaultName;
    if (!FAULT_NAMES.includes(kind)) throw new UsageError(`unknown fault '${kind}' — use one of ${FAULT_NAMES.join(', ')}`);
    const count = wholeOption(ctx, 'count');
    const seconds = wholeOption(ctx, 'seconds');
    const ms = wholeOption(ctx, 'ms');
    if (seconds !== undefined && kind !== 'rate-limit' && kind !== 'unavailable') throw new UsageError('--seconds goes with rate-limit or unavailable');
    if (ms !== undefined && kind !== 'slow') throw new UsageError('--ms goes with slow');
    const path = stringOption(ctx.values, 'path');
    const result = await setFault(await stateDirOf(ctx), {
      kind,
      ...(count !== undefined ? { count } : {}),
      ...(seconds !== undefined ? { seconds } : {}),
      ...(ms !== undefined ? { ms } : {}),
      ...(path !== undefined ? { path } : {}),
    });
    if (ctx.json) return printJson(ctx, result);
    if (!result.fault) {
      return ctx.out(`${kind === 'expire-tokens' ? 'Expired' : 'Revoked'} ${result.tokensAffected} token${result.tokensAffected === 1 ? '' : 's'}.`);
    }
    ctx.out(`Fault set: ${describeFault(result.fault)}.`);
  },
};

function describeFault(fault: Fault): string {
  const detail = fault.kind === 'slow' ? ` ${fault.ms} ms` : fault.seconds !== undefined ? ` (Retry-After ${fault.seconds} s)` : '';
  const scope = fault.path ? ` on ${fault.path}…` : '';
  const reach = fault.remaining === null ? 'until cleared' : `for the next ${fault.remaining} request${fault.remaining === 1 ? '' : 's'}`;
  return `${fault.kind}${detail}${scope} ${reach}`;
}

export const sandboxFaultsCommand: Command = {
  path: ['sandbox', 'faults'],
  summary: 'List the fault switches that are on',
  usage: 'apdesk sandbox faults [--json]',
  json: true,
  async run(ctx) {
    const faults = await listFaults(await stateDirOf(ctx));
    if (ctx.json) return printJson(ctx, faults);
    ctx.out(faults.length ? faults.map(describeFault).join('\n') : 'No faults are set.');
  },
};

export const sandboxFaultsClearCommand: Command = {
  path: ['sandbox', 'faults', 'clear'],
  summary: 'Switch every sandbox fault off',
  usage: 'apdesk sandbox faults clear',
  async run(ctx) {
    const cleared = await clearFaults(await stateDirOf(ctx));
    ctx.out(cleared ? `Cleared ${cleared} fault${cleared === 1 ? '' : 's'}.` : 'No faults were set.');
  },
};

export const sandboxTokenLifetimeCommand: Command = {
  path: ['sandbox', 'token-lifetime'],
  summary: 'Set how long new sandbox access tokens last (Procore: 5400 s)',
  usage: 'apdesk sandbox token-lifetime SECONDS',
  positionals: { min: 1, max: 1, names: 'SECONDS' },
  async run(ctx) {
    const text = ctx.positionals[0]!;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`SECONDS is a whole number above 0, not '${text}'`);
    await setTokenLifetime(await stateDirOf(ctx), Number(text));
    ctx.out(`Access tokens issued from now on last ${text} s.`);
  },
};

export const sandboxStatusCommand: Command = {
  path: ['sandbox', 'status'],
  summary: "Show the sandbox: its server, invoices by status, faults and payments",
  usage: 'apdesk sandbox status [--json]',
  json: true,
  async run(ctx) {
    const status = await sandboxStatus(await stateDirOf(ctx));
    if (ctx.json) return printJson(ctx, status);
    const server = status.server
      ? `${status.server.apiUrl} (process ${status.server.pid}${status.server.live ? '' : ', not answering'})`
      : 'not running (start it with `apdesk sandbox`)';
    const { spike, hourly } = status.rateLimits;
    ctx.out(
      [
        keyValues([
          ['state', `${status.stateDir} (seed ${status.seed})`],
          ['server', server],
          ['companies', status.companies.map((company) => `${oneLine(company.name)} (${company.id})`).join(', ')],
          ['tokens', `${status.activeTokens} active; new ones last ${status.accessTokenLifetimeSec} s`],
          ['rate limits', `${spike.limit} per ${spike.windowSec} s, ${hourly.limit} per ${hourly.windowSec} s`],
          ['payments', String(status.payments)],
          ['faults', status.faults.length ? status.faults.map(describeFault).join('; ') : 'none'],
        ]),
        '',
        table(REQUISITION_STATUSES.map((name) => name.toUpperCase()), [REQUISITION_STATUSES.map((name) => String(status.requisitionsByStatus[name]))]),
        '',
        table(
          ['REQUISITION', 'JOB', 'COMMITMENT', 'VENDOR', '#', 'INVOICE', 'STATUS', 'AMOUNT', 'FILES', 'ELSEWHERE'],
          status.requisitions.map((r) => [
            r.id,
            r.projectNumber,
            r.commitmentNumber,
            oneLine(r.vendorCode),
            String(r.number),
            oneLine(r.invoiceNumber),
            r.status,
            r.amount,
            `${r.attachments}${r.electronicSignature ? ' +DocuSign' : ''}`,
            [r.originId !== null ? `origin ${oneLine(r.originId)}` : null, r.erpStatus !== null ? `ERP ${oneLine(r.erpStatus)}` : null].filter(Boolean).join(', '),
          ]),
        ),
      ].join('\n'),
    );
  },
};

/** Every sandbox command, for the command table. */
export const SANDBOX_COMMANDS: readonly Command[] = [
  sandboxCommand,
  sandboxStatusCommand,
  sandboxApproveCommand,
  sandboxAttachCommand,
  sandboxRequisitionCommand,
  sandboxRequisitionAddCommand,
  sandboxAppInstalledCommand,
  sandboxFaultCommand,
  sandboxFaultsCommand,
  sandboxFaultsClearCommand,
  sandboxTokenLifetimeCommand,
];
