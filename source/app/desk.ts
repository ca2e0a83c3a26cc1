// Composition root: one open data dir and the services that work on it. Commands and the
// console get a Desk and call its services; nothing outside app/ touches the store, its files or
// the secrets. Services announce changes on `desk.events`.
//
//   desk.status     what the data dir holds (counts, the lock, problems)
//   desk.vaults     vaults, licences, queues        desk.users      users and roles
//   desk.invoices   reading invoices (pages, counts, the audit trail)
//   desk.documents  adding files to a queue         desk.workflow   validate … paid
//   desk.rules      routing and validation rules    desk.jobs       scheduled jobs
//   desk.accounting the accounting bridge           desk.procore    the Procore bridge (lazy: axios)
//   desk.payments   payments written back to Procore, as recorded on invoices
//   desk.demo       the demo vault
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { UserError } from '../domain/errors.js';
import type { JobKind } from '../domain/jobs.js';
import type { ValidationLevel } from '../domain/rules.js';
import { requireVault, rolesOf, type AccountingSystem, type Licence, type Role } from '../domain/vault.js';
import type { InvoiceEdit } from '../domain/workflow.js';
import type { SyncState } from '../domain/sync.js';
import { Store } from '../store/store.js';
import { acquireLease, currentLease } from '../store/lease.js';
import type { DeskContext } from './context.js';
import { DeskEvents } from './events.js';
import * as accounting from './accounting.js';
import * as demo from './demo.js';
import * as documents from './documents.js';
import * as imports from './imports.js';
import * as invoices from './invoices.js';
import * as jobs from './jobs.js';
import type * as ProcoreServices from './procore.js';
import type * as ManualImport from './manual-import.js';
import * as procorePayments from './procore-payments.js';
import { procoreView } from './procore-view.js';
import * as rules from './rules.js';
import * as summary from './summary.js';
import * as vaults from './vaults.js';
import * as workflow from './workflow.js';

export interface DeskOptions {
  dataDir?: string;
  /** Act as this apdesk user (an admin's --user); the OS user otherwise. */
  user?: string;
  command?: string;
  onProblem?: (message: string) => void;
  /** Environment variables (PROCORE_CLIENT_ID, APDESK_PROCORE_API_URL, …); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.APDESK_DATA_DIR?.trim() || './data';
}

/** The OS user running apdesk: who acts, unless an admin says otherwise. */
export function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** The Procore services load axios (~0.3 s): they are imported the first time one is called. */
const procoreModule = () => import('./procore.js');
const manualImportModule = () => import('./manual-import.js');

/** A service function with the desk context already given. */
type Bound<F> = F extends (ctx: DeskContext, ...rest: infer R) => infer Out ? (...rest: R) => Promise<Awaited<Out>> : never;

function services(ctx: DeskContext) {
  const lazyProcore = <K extends keyof typeof ProcoreServices>(name: K) =>
    (async (...args: unknown[]) => ((await procoreModule())[name] as (ctx: DeskContext, ...rest: unknown[]) => unknown)(ctx, ...args)) as Bound<(typeof ProcoreServices)[K]>;
  /** Runs an admin change, then announces it: the console redraws from the event. */
  const announcing =
    <A extends unknown[], R>(what: string, change: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await change(...args);
      ctx.events.emit('settings.changed', { what });
      return result;
    };
  return {
    dataDir: ctx.dataDir,
    user: ctx.user,
    /** The admin acting as `user`, when --user says so; null otherwise. */
    actingAdmin: ctx.actingAdmin,
    events: ctx.events,
    /** Problems found so far (damaged files recovered or moved aside), oldest first. */
    problems: (): readonly string[] => [...ctx.store.problems],

    status: {
      desk: () => summary.deskStatus(ctx),
      vaults: () => summary.vaultSummaries(ctx),
    },
    vaults: {
      list: async () => (await ctx.store.settings()).vaults,
      get: async (ref: string) => requireVault((await ctx.store.settings()).vaults, ref),
      summary: (ref: string) => summary.vaultSummary(ctx, ref),
      add: announcing('vaults', (input: { name: string; accounting: AccountingSystem }) => vaults.addVault(ctx, input)),
      setLicence: announcing('licences', (input: { vault: string; licence: Licence; granted: boolean }) => vaults.setLicence(ctx, input)),
      addQueue: announcing('queues', (input: { vault: string; name: string }) => vaults.addQueue(ctx, input)),
      /** The folder the folder-watch job adds files from (dir: null stops watching one); admin only. */
      setInbox: announcing('queues', (input: { vault: string; queue: string; dir: string | null }) => vaults.setQueueInbox(ctx, input)),
    },
    users: {
      list: async () => (await ctx.store.settings()).users,
      setRoles: announcing('users', (input: { name: string; roles: Role[] }) => vaults.setUserRoles(ctx, input)),
    },
    invoices: {
      /** An invoice by id, in whichever vault holds it; a UserError naming the id if none does. */
      get: (id: string) => workflow.requireInvoice(ctx, id),
      list: (query: invoices.InvoiceQuery) => invoices.listInvoices(ctx, query),
      /** Whole invoices for these rows, read a shard at a time and not kept (for streaming). */
      read: (rows: readonly { id: string; vaultId: string }[]) => invoices.readInvoices(ctx, rows),
      /** Every match, whole, in storage order, without reading the index or keeping any (for streaming). */
      stream: (query: invoices.InvoiceQuery) => invoices.streamInvoices(ctx, query),
      audit: (filter: { vault: string; user?: string; invoice?: string }) => workflow.auditTrail(ctx, filter),
    },
    documents: {
      /** Removes document folders a process killed mid-transaction left for invoices never recorded. */
      clearUnfinished: (vaultId: string) => ctx.store.clearUnfinishedDocuments(vaultId),
      add: (input: { vault: string; queue: string; paths: readonly string[]; allowDuplicate?: boolean }) => documents.addDocuments(ctx, input),
    },
    workflow: {
      validate: (ids: readonly string[], level?: ValidationLevel) => workflow.forEachInvoice(ctx, ids, (invoice) => workflow.validateInvoiceNow(ctx, invoice, level)),
      route: (ids: readonly string[]) => workflow.forEachInvoice(ctx, ids, (invoice) => workflow.routeInvoice(ctx, invoice)),
      approve: (id: string, lines?: readonly number[]) => workflow.approveInvoice(ctx, id, lines),
      reject: (id: string, reason: string, lines?: readonly number[]) => workflow.rejectInvoice(ctx, id, reason, lines),
      edit: (id: string, edit: InvoiceEdit) => workflow.editInvoice(ctx, id, edit),
      hold: (id: string, reason: string) => workflow.setHold(ctx, id, { reason }),
      release: (id: string) => workflow.setHold(ctx, id, null),
      export: (vault: string, ids?: readonly string[]) => workflow.exportApproved(ctx, vault, ids),
      reset: (id: string) => workflow.resetForEdit(ctx, id),
      backfill: (vault: string) => workflow.backfillChecks(ctx, vault),
    },
    rules: {
      list: (vault: string) => rules.listRules(ctx, vault),
      addRouting: announcing('rules', (vault: string, input: rules.RoutingRuleInput) => rules.addRoutingRule(ctx, vault, input)),
      addValidation: announcing('rules', (vault: string, input: rules.ValidationRuleInput) => rules.addValidationRule(ctx, vault, input)),
      remove: announcing('rules', (vault: string, idOrName: string) => rules.removeRule(ctx, vault, idOrName)),
      import: announcing('rules', (vault: string, fileText: string, options?: { replace?: boolean }) => rules.importRules(ctx, vault, fileText, options)),
      setOptions: announcing('rules', (vault: string, change: Partial<rules.RuleOptions>) => rules.setRuleOptions(ctx, vault, change)),
    },
    jobs: {
      list: async (vault?: string) => jobs.listJobs(ctx, vault),
      set: announcing('jobs', (input: { vault: string; kind: JobKind; enabled: boolean; everyMinutes?: number }) => jobs.setJob(ctx, input)),
    },
    accounting: {
      importFolder: announcing('accounting', (input: { vault: string; dir: string }) => accounting.importAccountingFolder(ctx, input)),
      summary: (vault: string) => accounting.accountingSummary(ctx, vault),
      /** The vault's bridge itself (its ledger, its export folder), kept for the life of the desk. */
      bridge: (vault: string) => accounting.openVaultBridge(ctx, vault),
    },
    procore: {
      /** Who may open the configuration, and what it holds (no secrets). */
      view: (vault: string) => procoreView(ctx, vault),
      /** A working connection (environment, tokens, HTTP client) of a connected vault; close it after use. */
      open: lazyProcore('openConnection'),
      setEnvironment: announcing('procore', lazyProcore('setEnvironment')),
      beginGrant: lazyProcore('beginGrant'),
      readGrantReply: async (reply: string, expectedState: string) => (await procoreModule()).readGrantReply(reply, expectedState),
      completeGrant: announcing('procore', lazyProcore('completeGrant')),
      sandboxSignIn: lazyProcore('sandboxSignIn'),
      disconnect: announcing('procore', lazyProcore('disconnect')),
      companies: lazyProcore('listCompanies'),
      configure: announcing('procore', lazyProcore('configure')),
      /** Requisitions to import by hand, across the company's projects, marked where they already are. */
      requisitions: async (query: ManualImport.RequisitionQuery) => (await manualImportModule()).requisitionChoices(ctx, query),
      /** Fills an invoice (new, or a queued document's) from a requisition, without its attachments. */
      importRequisition: async (input: ManualImport.ManualImportInput) => (await manualImportModule()).importRequisition(ctx, input),
    },
    imports: {
      /** Records a requisition as an invoice, exactly once per vault (see app/imports.ts). */
      record: (input: imports.RequisitionImport) => imports.recordImport(ctx, input),
      /** Several requisitions of one vault in one transaction, each exactly once; one's failure is its own. */
      recordMany: (inputs: readonly imports.RequisitionImport[]) => imports.recordImports(ctx, inputs),
      /** Where a requisition is already imported, in any vault; null when nowhere. */
      whereImported: (companyId: string, requisitionId: string) => imports.whereImported(ctx, companyId, requisitionId),
      /** The invoice a requisition became in this vault, from its index. */
      whereInVault: (vaultId: string, companyId: string, requisitionId: string) => ctx.store.invoiceForRequisition(vaultId, companyId, requisitionId),
      stagingFolder: (vaultId: string, requisitionId: string) => imports.stagingFolder(ctx, vaultId, requisitionId),
      removeStaging: (dir: string) => imports.removeStaging(dir),
      sweepStaging: (vaultId: string) => imports.sweepStaging(ctx, vaultId),
      syncState: (vault: string) => imports.readSyncState(ctx, vault),
      updateSyncState: <T>(vault: string, change: (state: SyncState, now: string) => T) => imports.updateSyncState(ctx, vault, change),
    },
    payments: {
      /** Records the Procore payment created (or found by its origin id) for a paid invoice. */
      recordCreated: (id: string, payment: procorePayments.CreatedPayment) => procorePayments.recordPaymentCreated(ctx, id, payment),
      /** Records Procore's refusal: the invoice waits for `retry` instead of being sent every run. */
      recordFailed: (id: string, error: string) => procorePayments.recordPaymentFailed(ctx, id, error),
      /** Asks for the invoice's payment to Procore again (clears a recorded refusal). */
      retry: (id: string) => procorePayments.retryPayment(ctx, id),
    },
    sync: {
      /** Who holds the sync lease (runs the loop), and whether that holder has gone; null when no one. */
      leaseHolder: () => currentLease(ctx.dataDir),
      /**
       * Takes the data dir's sync lease — one sync loop per data dir — or fails with a
       * LeaseHeldError naming the process that holds it. The holder renews it while it runs.
       */
      takeLease: (command: string, options: { ttlMs?: number } = {}) =>
        acquireLease(ctx.dataDir, { user: ctx.user, command, ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}) }),
    },
    demo: {
      /** Creates the demo vault, only in a data dir that holds nothing yet. */
      create: () => demo.createDemo(ctx),
      /** What the first `npm start` does: the demo in a new data dir, nothing in any other. */
      createIfNew: () => demo.createDemoIfNew(ctx),
      /** Whether createIfNew would create it (the data dir holds nothing yet). */
      wouldCreate: () => demo.demoWouldBeCreated(ctx),
      /** The sandbox login a demo uses (not a secret: it only opens the local sandbox). */
      login: demo.DEMO_LOGIN,
    },
  };
}

export type Desk = ReturnType<typeof services>;

export async function openDesk(options: DeskOptions = {}): Promise<Desk> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const osUser = currentUser();
  const asked = options.user?.trim();
  const user = asked || osUser;
  const events = new DeskEvents();
  const store = await Store.open(dataDir, {
    user,
    command: options.command ?? 'apdesk',
    onProblem: (message) => {
      options.onProblem?.(message);
      events.emit('problem', { message });
    },
  });
  let actingAdmin: string | null = null;
  if (user !== osUser) {
    // Anyone can type --user: it is honoured only for an admin, and the audit names both.
    const users = (await store.settings()).users;
    if (!users.length) {
      throw new UserError(
        `--user acts as another user, which only an admin may do, and this data dir has no users yet — run a command without --user first; whoever does (${osUser}) becomes its admin`,
      );
    }
    if (!rolesOf(users, osUser).includes('admin')) {
      throw new UserError(`--user ${user}: only an admin may act as another user, and ${osUser} is not one — leave out --user to act as ${osUser}`);
    }
    actingAdmin = osUser;
  }
  return services({ dataDir, user, actingAdmin, store, env: options.env ?? process.env, events, bridges: new Map() });
}
