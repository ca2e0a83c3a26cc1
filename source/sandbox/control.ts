// Driving the sandbox from outside, without HTTP: approve and change invoices, attach files, add
// requisitions or a whole bulk company, flip fault switches, change lifetimes and limits, read
// payments. Each call changes stateDir/state.json under its lock, so running sandbox servers (in
// any process) see it at once.
import { UserError } from '../domain/errors.js';
import { formatMoney, type Cents } from '../domain/money.js';
import { requisitionTotals } from './resources.js';
import { isLive, readServerInfo, type ServerInfo } from './server-info.js';
import {
  FAULT_KINDS,
  FILE_LINKS,
  ITEM_CODINGS,
  REQUISITION_STATUSES,
  SandboxStore,
  filePath,
  filesDir,
  newId,
  writeFileAtomic,
  type Fault,
  type FaultKind,
  type FileLinks,
  type ItemCoding,
  type RateWindow,
  type Requisition,
  type RequisitionItem,
  type RequisitionStatus,
  type SandboxState,
  type StoredFile,
} from './state.js';
import { mkdir } from 'node:fs/promises';

export { seedCompany, type BulkCompanySpec, type SeededCompany } from './bulk-seed.js';

export type FaultName = FaultKind | 'expire-tokens' | 'revoke-tokens';
export const FAULT_NAMES: readonly FaultName[] = ['expire-tokens', 'revoke-tokens', ...FAULT_KINDS];

export interface FaultRequest {
  kind: FaultName;
  /** How many requests it hits; omitted = until cleared. Ignored by expire-tokens and revoke-tokens, which act at once. */
  count?: number;
  /** Retry-After seconds for rate-limit and unavailable. */
  seconds?: number;
  /** Delay for slow. */
  ms?: number;
  /** Only requests whose path starts with this, e.g. /oauth/token or /rest/v1.0/contract_payments. */
  path?: string;
}

export interface FaultResult {
  kind: FaultName;
  /** The switch now set, or null for the faults that act at once. */
  fault: Fault | null;
  /** How many token pairs expire-tokens or revoke-tokens changed. */
  tokensAffected: number;
}

export interface ControlOptions {
  /** The time to record (ms since the epoch); tests pass it instead of waiting. */
  now?: number;
}

export interface RequisitionSummary {
  id: string;
  companyId: string;
  projectId: string;
  projectNumber: string;
  commitmentId: string;
  commitmentNumber: string;
  vendorCode: string | null;
  vendorName: string;
  number: number;
  invoiceNumber: string | null;
  status: RequisitionStatus;
  billingDate: string;
  updatedAt: string;
  /** Current payment due + retainage held this period: the AP invoice amount. */
  amount: string;
  attachments: number;
  electronicSignature: boolean;
  /** Set when another integration synced it to an accounting system. */
  originId: string | null;
  erpStatus: string | null;
  /** How its items name their cost code (see ItemCoding). */
  itemCoding: ItemCoding;
}

export interface PaymentSummary {
  id: string;
  projectId: string;
  contractId: string;
  requisitionId: string | null;
  date: string;
  amount: string;
  paymentMethod: string | null;
  checkNumber: string | null;
  paymentNumber: number | null;
  invoiceNumber: string | null;
  originId: string | null;
  notes: string | null;
  createdAt: string;
}

export interface SandboxStatus {
  stateDir: string;
  seed: 'demo' | 'empty';
  createdAt: string;
  companies: { id: string; name: string }[];
  requisitionsByStatus: Record<RequisitionStatus, number>;
  requisitions: RequisitionSummary[];
  payments: number;
  faults: Fault[];
  activeTokens: number;
  accessTokenLifetimeSec: number;
  rateLimits: { spike: RateWindow; hourly: RateWindow };
  server: (ServerInfo & { live: boolean }) | null;
}

/** A requisition, commitment or file the sandbox does not have; the control API answers 404. */
export class SandboxNotFoundError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxNotFoundError';
  }
}

const store = (stateDir: string) => new SandboxStore(stateDir, `apdesk sandbox control (pid ${process.pid})`);
const stamp = (options?: ControlOptions) => options?.now ?? Date.now();

function findRequisition(state: SandboxState, id: string): Requisition {
  const requisition = state.requisitions.find((candidate) => candidate.id === String(id).trim());
  if (!requisition) throw new SandboxNotFoundError(`no requisition ${id} in the sandbox — \`apdesk sandbox status\` lists them`);
  return requisition;
}

/**
 * A later updated_at than the one stored, so a client polling on updated_at always sees the change:
 * `now` to the second (as Procore writes its times), or a second after the last change if that is later.
 */
function touch(requisition: Requisition, now: number): void {
  const after = Date.parse(requisition.updatedAt) + 1000;
  requisition.updatedAt = new Date(Math.max(Math.floor(now / 1000) * 1000, after)).toISOString().replace('.000Z', 'Z');
}

export function summarize(state: SandboxState, requisition: Requisition): RequisitionSummary {
  const project = state.projects.find((candidate) => candidate.id === requisition.projectId);
  const commitment = state.commitments.find((candidate) => candidate.id === requisition.commitmentId);
  const vendor = commitment && state.vendors.find((candidate) => candidate.id === commitment.vendorId);
  return {
    id: requisition.id,
    companyId: project?.companyId ?? '',
    projectId: requisition.projectId,
    projectNumber: project?.projectNumber ?? '',
    commitmentId: requisition.commitmentId,
    commitmentNumber: commitment?.number ?? '',
    vendorCode: vendor?.originCode ?? null,
    vendorName: vendor?.name ?? '',
    number: requisition.number,
    invoiceNumber: requisition.invoiceNumber,
    status: requisition.status,
    billingDate: requisition.billingDate,
    updatedAt: requisition.updatedAt,
    amount: formatMoney(requisitionTotals(requisition).grossThisPeriod as Cents),
    attachments: requisition.attachmentIds.length,
    electronicSignature: requisition.electronicSignatureId !== null,
    originId: requisition.originId,
    erpStatus: requisition.erpStatus ?? null,
    itemCoding: requisition.itemCoding ?? 'wbs',
  };
}

function checkItemCoding(coding: ItemCoding | undefined): void {
  if (coding !== undefined && !ITEM_CODINGS.includes(coding)) {
    throw new UserError(`unknown item coding '${String(coding)}' — use ${ITEM_CODINGS.join(' or ')}`);
  }
}

/** Sets how a requisition's items name their cost code; `wbs` is kept as absent, as in older states. */
function setItemCoding(requisition: Requisition, coding: ItemCoding): void {
  if (coding === 'wbs') delete requisition.itemCoding;
  else requisition.itemCoding = coding;
}

export async function setRequisitionStatus(
  stateDir: string,
  requisitionId: string,
  status: RequisitionStatus,
  options?: ControlOptions,
): Promise<RequisitionSummary> {
  if (!REQUISITION_STATUSES.includes(status)) {
    throw new UserError(`unknown requisition status '${status}' — use one of ${REQUISITION_STATUSES.join(', ')}`);
  }
  return store(stateDir).update((state) => {
    const requisition = findRequisition(state, requisitionId);
    requisition.status = status;
    if (status !== 'draft' && !requisition.submittedAt) requisition.submittedAt = requisition.billingDate;
    touch(requisition, stamp(options));
    return summarize(state, requisition);
  });
}

export interface RequisitionChanges {
  status?: RequisitionStatus;
  /** Another integration's id for it (Procore's origin_id); null or '' clears it. */
  originId?: string | null;
  /** Its status in an accounting system (Procore's erp_status); null or '' clears it. */
  erpStatus?: string | null;
  /** How its items name their cost code from now on. */
  itemCoding?: ItemCoding;
}

/** Text for origin_id or erp_status: trimmed, '' as null, refused when too long or on several lines. */
function fieldText(value: string | null | undefined, what: string, max: number): string | null {
  const text = (value ?? '').trim();
  if (text.length > max) throw new UserError(`${what} is ${text.length} characters long; keep it to ${max}`);
  if (/[\r\n]/.test(text)) throw new UserError(`${what} must be one line`);
  return text || null;
}

/**
 * Changes a requisition's status, origin id, ERP status or item coding, as Procore (or another
 * integration) would. Its updated_at moves forward when anything changed, so an importer polling on updated_at
 * sees it; a change to what it already is leaves it alone.
 */
export function updateRequisition(stateDir: string, requisitionId: string, changes: RequisitionChanges, options?: ControlOptions): Promise<RequisitionSummary> {
  if (changes.status !== undefined && !REQUISITION_STATUSES.includes(changes.status)) {
    return Promise.reject(new UserError(`unknown requisition status '${changes.status}' — use one of ${REQUISITION_STATUSES.join(', ')}`));
  }
  let originId: string | null | undefined;
  let erpStatus: string | null | undefined;
  try {
    checkItemCoding(changes.itemCoding);
    originId = changes.originId === undefined ? undefined : fieldText(changes.originId, 'the origin id', 255);
    erpStatus = changes.erpStatus === undefined ? undefined : fieldText(changes.erpStatus, 'the ERP status', 100);
  } catch (error) {
    return Promise.reject(error);
  }
  return store(stateDir).update((state) => {
    const requisition = findRequisition(state, requisitionId);
    let changed = false;
    if (changes.status !== undefined && changes.status !== requisition.status) {
      requisition.status = changes.status;
      if (changes.status !== 'draft' && !requisition.submittedAt) requisition.submittedAt = requisition.billingDate;
      changed = true;
    }
    if (originId !== undefined && originId !== requisition.originId) {
      requisition.originId = originId;
      changed = true;
    }
    if (erpStatus !== undefined && erpStatus !== (requisition.erpStatus ?? null)) {
      if (erpStatus === null) delete requisition.erpStatus;
      else requisition.erpStatus = erpStatus;
      changed = true;
    }
    if (changes.itemCoding !== undefined && changes.itemCoding !== (requisition.itemCoding ?? 'wbs')) {
      setItemCoding(requisition, changes.itemCoding);
      changed = true;
    }
    if (changed) touch(requisition, stamp(options));
    return summarize(state, requisition);
  });
}

/** Approves a requisition as a Procore reviewer would; its updated_at moves forward. */
export function approveRequisition(
  stateDir: string,
  requisitionId: string,
  status: 'approved' | 'approved_as_noted' = 'approved',
  options?: ControlOptions,
): Promise<RequisitionSummary> {
  if (status !== 'approved' && status !== 'approved_as_noted') {
    return Promise.reject(new UserError(`approve sets 'approved' or 'approved_as_noted', not '${String(status)}'`));
  }
  return setRequisitionStatus(stateDir, requisitionId, status, options);
}

const FILE_TYPES: [RegExp, string][] = [
  [/\.pdf$/i, 'application/pdf'],
  [/\.jpe?g$/i, 'image/jpeg'],
  [/\.png$/i, 'image/png'],
];

/** The content type from the bytes (PDF, JPEG, PNG), else from the name. */
export function contentTypeOf(filename: string, bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return FILE_TYPES.find(([pattern]) => pattern.test(filename))?.[1] ?? 'application/octet-stream';
}

export interface AttachOptions extends ControlOptions {
  /**
   * Whether the requisition's updated_at moves forward (default true). Whether adding an
   * attachment in real Procore changes a requisition's updated_at is not known; false lets a test
   * see what an importer does if it does not (it should re-check the invoices waiting for files).
   */
  touchUpdatedAt?: boolean;
}

/** Adds a file to a requisition's attachments, as a subcontractor uploading to Procore would. */
export async function attachFile(
  stateDir: string,
  requisitionId: string,
  file: { filename: string; bytes: Uint8Array; contentType?: string },
  options?: AttachOptions,
): Promise<StoredFile> {
  const filename = file.filename.trim().replace(/[/\\]/g, '_');
  if (!filename) throw new UserError('the attachment needs a file name');
  if (!file.bytes.length) throw new UserError(`${filename} is empty — attach a file with content`);
  const sandbox = store(stateDir);
  findRequisition(await sandbox.read(), requisitionId);
  return sandbox.update(async (state) => {
    const requisition = findRequisition(state, requisitionId);
    const stored: StoredFile = {
      id: newId(state),
      filename,
      contentType: file.contentType ?? contentTypeOf(filename, file.bytes),
      size: file.bytes.length,
      createdAt: new Date(stamp(options)).toISOString(),
    };
    await mkdir(filesDir(stateDir), { recursive: true });
    await writeFileAtomic(filePath(stateDir, stored.id), file.bytes);
    state.files.push(stored);
    requisition.attachmentIds.push(stored.id);
    if (options?.touchUpdatedAt !== false) touch(requisition, stamp(options));
    return stored;
  });
}

export interface NewRequisition {
  commitmentId: string;
  status?: RequisitionStatus;
  invoiceNumber?: string | null;
  /** Work completed this period, as a percent of what is left on each line (default 10). */
  percentOfRemaining?: number;
  /** YYYY-MM-DD; default: the day of `now`. */
  billingDate?: string;
  /** How its items name their cost code (default `wbs`). */
  itemCoding?: ItemCoding;
}

/** Adds requisitions on existing commitments, each the next in its commitment's sequence. */
export async function addRequisitions(stateDir: string, specs: NewRequisition[], options?: ControlOptions): Promise<RequisitionSummary[]> {
  for (const spec of specs) checkItemCoding(spec.itemCoding);
  return store(stateDir).update((state) => {
    const now = stamp(options);
    return specs.map((spec) => {
      const commitment = state.commitments.find((candidate) => candidate.id === spec.commitmentId);
      if (!commitment) throw new SandboxNotFoundError(`no commitment ${spec.commitmentId} in the sandbox`);
      const chain = state.requisitions.filter((r) => r.commitmentId === commitment.id).sort((a, b) => a.number - b.number);
      const latest = chain[chain.length - 1];
      const percent = spec.percentOfRemaining ?? 10;
      const retainage = Number(commitment.retainagePercent) || 0;
      const items: RequisitionItem[] = commitment.lines.map((line, index) => {
        const before = latest?.items.find((item) => item.commitmentLineId === line.id);
        const done = before ? before.workFromPrevious + before.workThisPeriod + before.materialsStored : 0;
        const retained = before ? before.retainageFromPrevious + before.retainageThisPeriod + before.materialsRetainage : 0;
        const work = Math.round(((line.amount - done) * percent) / 100);
        return {
          id: newId(state), commitmentLineId: line.id, lineNumber: index + 1, description: line.description, scheduledValue: line.amount,
          workFromPrevious: done, workThisPeriod: work, materialsStored: 0, retainageFromPrevious: retained,
          // The materials stored last period count as installed now: moved into work completed.
          ...(before?.materialsStored ? { materialsFromPrevious: before.materialsStored, materialsMoved: before.materialsStored } : {}),
          retainageThisPeriod: Math.round((work * retainage) / 100), materialsRetainage: 0,
        };
      });
      const billing = spec.billingDate ?? new Date(now).toISOString().slice(0, 10);
      const [year, month] = billing.split('-').map(Number) as [number, number];
      const at = new Date(now).toISOString().replace('.000Z', 'Z');
      const status = spec.status ?? 'under_review';
      const requisition: Requisition = {
        id: newId(state), projectId: commitment.projectId, commitmentId: commitment.id, number: (latest?.number ?? 0) + 1,
        invoiceNumber: spec.invoiceNumber === undefined ? `${commitment.number}-${(latest?.number ?? 0) + 1}` : spec.invoiceNumber,
        status, billingDate: billing, periodId: newId(state),
        periodStart: `${year}-${String(month).padStart(2, '0')}-01`,
        periodEnd: new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10),
        submittedAt: status === 'draft' ? null : billing, paymentDate: null, final: false, originId: null, originData: null,
        electronicSignatureId: null, comment: null, createdAt: at, updatedAt: at, attachmentIds: [], items,
      };
      setItemCoding(requisition, spec.itemCoding ?? 'wbs');
      state.requisitions.push(requisition);
      return summarize(state, requisition);
    });
  });
}

export async function addRequisition(stateDir: string, spec: NewRequisition, options?: ControlOptions): Promise<RequisitionSummary> {
  const [added] = await addRequisitions(stateDir, [spec], options);
  return added!;
}

/**
 * Takes a cost code off a project's cost codes list (GET /cost_codes no longer has it), while the
 * commitment lines and requisition items that use it keep naming it by cost_code_id: how an item
 * comes to name a code its project's list does not have. Whether Procore lets a code in use go is
 * not documented; a client must cope with such an item either way.
 */
export function removeCostCode(stateDir: string, projectId: string, costCodeId: string): Promise<void> {
  return store(stateDir).update((state) => {
    const project = state.projects.find((candidate) => candidate.id === String(projectId).trim());
    if (!project) throw new SandboxNotFoundError(`no project ${projectId} in the sandbox`);
    const id = String(costCodeId).trim();
    const used = state.commitments.some((commitment) => commitment.projectId === project.id && commitment.lines.some((line) => line.costCodeId === id));
    if (!used) throw new SandboxNotFoundError(`project ${project.projectNumber} (${project.id}) has no cost code ${id} in the sandbox`);
    if (!project.removedCostCodeIds?.includes(id)) project.removedCostCodeIds = [...(project.removedCostCodeIds ?? []), id];
  });
}

function positiveNumber(value: number | undefined, what: string, integer = true): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UserError(`${what} must be a ${integer ? 'whole ' : ''}number above 0, not ${value}`);
  }
}

/** Sets a fault switch, or (expire-tokens, revoke-tokens) acts on the issued tokens at once. */
export async function setFault(stateDir: string, request: FaultRequest, options?: ControlOptions): Promise<FaultResult> {
  if (!FAULT_NAMES.includes(request.kind)) throw new UserError(`unknown fault '${request.kind}' — use one of ${FAULT_NAMES.join(', ')}`);
  positiveNumber(request.count, '--count');
  positiveNumber(request.seconds, '--seconds');
  positiveNumber(request.ms, '--ms');
  if (request.path !== undefined && !request.path.startsWith('/')) throw new UserError(`--path must start with /, e.g. /oauth/token (got '${request.path}')`);
  return store(stateDir).update((state) => {
    const now = stamp(options);
    if (request.kind === 'expire-tokens' || request.kind === 'revoke-tokens') {
      let affected = 0;
      for (const pair of state.tokens) {
        if (request.kind === 'expire-tokens' && !pair.revoked && pair.expiresAt > now) {
          pair.expiresAt = now;
          affected++;
        }
        if (request.kind === 'revoke-tokens' && !pair.revoked) {
          pair.revoked = true;
          pair.refreshHash = null;
          affected++;
        }
      }
      return { kind: request.kind, fault: null, tokensAffected: affected };
    }
    const fault: Fault = {
      id: newId(state),
      kind: request.kind,
      remaining: request.count ?? null,
      ...(request.kind === 'rate-limit' ? { seconds: request.seconds ?? 10 } : {}),
      ...(request.kind === 'unavailable' ? { seconds: request.seconds ?? 5 } : {}),
      ...(request.kind === 'slow' ? { ms: request.ms ?? 2000 } : {}),
      ...(request.path ? { path: request.path } : {}),
      createdAt: new Date(now).toISOString(),
    };
    state.faults.push(fault);
    return { kind: request.kind, fault, tokensAffected: 0 };
  });
}

/** Clears every fault switch; returns how many there were. */
export function clearFaults(stateDir: string): Promise<number> {
  return store(stateDir).update((state) => {
    const count = state.faults.length;
    state.faults = [];
    return count;
  });
}

export async function listFaults(stateDir: string): Promise<Fault[]> {
  return (await store(stateDir).read()).faults;
}

/** Installs or uninstalls the app in a company: uninstalled, every call naming that company gets a 401. */
export function setAppInstalled(stateDir: string, companyId: string, installed: boolean): Promise<void> {
  return store(stateDir).update((state) => {
    const company = state.companies.find((candidate) => candidate.id === companyId);
    if (!company) throw new SandboxNotFoundError(`no company ${companyId} in the sandbox — see \`apdesk sandbox status\` for its companies`);
    if (installed) delete company.appInstalled;
    else company.appInstalled = false;
  });
}

/** The lifetime of access tokens issued from now on (Procore: 5400 s). */
export function setTokenLifetime(stateDir: string, seconds: number): Promise<void> {
  positiveNumber(seconds, 'the token lifetime (seconds)');
  return store(stateDir).update((state) => {
    state.settings.accessTokenLifetimeSec = seconds;
  });
}

export function setRateLimits(stateDir: string, limits: { spike?: RateWindow; hourly?: RateWindow }): Promise<void> {
  for (const window of [limits.spike, limits.hourly]) {
    positiveNumber(window?.limit, 'a rate limit');
    positiveNumber(window?.windowSec, 'a rate-limit window');
  }
  return store(stateDir).update((state) => {
    if (limits.spike) state.settings.rateLimits.spike = { ...limits.spike };
    if (limits.hourly) state.settings.rateLimits.hourly = { ...limits.hourly };
  });
}

/**
 * Where requisitions' attachment links point from now on: `storage` (pre-signed storage URLs, the
 * default) or `api` (file links on the API host that need the token and redirect to storage).
 */
export function setFileLinks(stateDir: string, links: FileLinks): Promise<void> {
  if (!FILE_LINKS.includes(links)) return Promise.reject(new UserError(`file links are ${FILE_LINKS.join(' or ')}, not '${String(links)}'`));
  return store(stateDir).update((state) => {
    if (links === 'storage') delete state.settings.fileLinks;
    else state.settings.fileLinks = links;
  });
}

/** Lifetimes that tests shorten: authorization codes and storage URLs, in seconds. */
export function setLifetimes(stateDir: string, lifetimes: { codeSec?: number; storageUrlSec?: number }): Promise<void> {
  positiveNumber(lifetimes.codeSec, 'the code lifetime');
  positiveNumber(lifetimes.storageUrlSec, 'the storage URL lifetime');
  return store(stateDir).update((state) => {
    if (lifetimes.codeSec) state.settings.codeLifetimeSec = lifetimes.codeSec;
    if (lifetimes.storageUrlSec) state.settings.storageUrlLifetimeSec = lifetimes.storageUrlSec;
  });
}

/** Payments written back to the sandbox (POST /contract_payments), oldest first. */
export async function listPayments(
  stateDir: string,
  filter: { contractId?: string; requisitionId?: string; originId?: string } = {},
): Promise<PaymentSummary[]> {
  const state = await store(stateDir).read();
  return state.payments
    .filter(
      (payment) =>
        (!filter.contractId || payment.contractId === filter.contractId) &&
        (!filter.requisitionId || payment.requisitionId === filter.requisitionId) &&
        (!filter.originId || payment.originId === filter.originId),
    )
    .map((payment) => ({
      id: payment.id,
      projectId: payment.projectId,
      contractId: payment.contractId,
      requisitionId: payment.requisitionId,
      date: payment.date,
      amount: formatMoney(payment.amount as Cents),
      paymentMethod: payment.paymentMethod,
      checkNumber: payment.checkNumber,
      paymentNumber: payment.paymentNumber,
      invoiceNumber: payment.invoiceNumber,
      originId: payment.originId,
      notes: payment.notes,
      createdAt: payment.createdAt,
    }));
}

export async function listRequisitions(
  stateDir: string,
  filter: { status?: RequisitionStatus; companyId?: string; projectId?: string } = {},
): Promise<RequisitionSummary[]> {
  const state = await store(stateDir).read();
  return state.requisitions
    .map((requisition) => summarize(state, requisition))
    .filter(
      (summary) =>
        (!filter.status || summary.status === filter.status) &&
        (!filter.companyId || summary.companyId === filter.companyId) &&
        (!filter.projectId || summary.projectId === filter.projectId),
    );
}

export async function sandboxStatus(stateDir: string, options?: ControlOptions): Promise<SandboxStatus> {
  const state = await store(stateDir).read();
  const now = stamp(options);
  const byStatus = Object.fromEntries(REQUISITION_STATUSES.map((status) => [status, 0])) as Record<RequisitionStatus, number>;
  for (const requisition of state.requisitions) byStatus[requisition.status]++;
  const info = await readServerInfo(stateDir);
  return {
    stateDir,
    seed: state.seed,
    createdAt: state.createdAt,
    companies: state.companies.map(({ id, name }) => ({ id, name })),
    requisitionsByStatus: byStatus,
    requisitions: state.requisitions.map((requisition) => summarize(state, requisition)),
    payments: state.payments.length,
    faults: state.faults,
    activeTokens: state.tokens.filter((pair) => !pair.revoked && pair.expiresAt > now).length,
    accessTokenLifetimeSec: state.settings.accessTokenLifetimeSec,
    rateLimits: state.settings.rateLimits,
    server: info ? { ...info, live: await isLive(stateDir, info) } : null,
  };
}

/** Any other change, under the lock: for tests and scripted scenarios. */
export function updateState<T>(stateDir: string, change: (state: SandboxState) => T | Promise<T>): Promise<T> {
  return store(stateDir).update(change);
}

export function readState(stateDir: string): Promise<SandboxState> {
  return store(stateDir).read();
}
