// The sandbox's Procore, kept on disk so every apdesk process of a demo sees the same one:
// stateDir/state.json (ids as digit strings, money as integer cents) and stateDir/files/<id>.
// Reads re-use the parsed file until another process replaces it; every change runs under the
// stateDir lock and is written atomically.
import { mkdir, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../domain/errors.js';
import { CorruptFileError, JsonFile, sameVersion, versionOf, type FileVersion } from '../disk/json-file.js';
import { acquireLock } from '../disk/lock.js';

export const STATE_SCHEMA = 1;

export const REQUISITION_STATUSES = [
  'draft',
  'under_review',
  'revise_and_resubmit',
  'approved',
  'approved_as_noted',
  'pending_owner_approval',
] as const;
export type RequisitionStatus = (typeof REQUISITION_STATUSES)[number];

/**
 * How a requisition's items name their cost code: `wbs`, cost_code_id and a WBS code whose typed
 * segments carry the code (what the sandbox sends by default); or `cost-code-id`, cost_code_id
 * alone with wbs_code null, so that a client must look the code up in the project's cost codes.
 */
export const ITEM_CODINGS = ['wbs', 'cost-code-id'] as const;
export type ItemCoding = (typeof ITEM_CODINGS)[number];

export interface RateWindow {
  limit: number;
  windowSec: number;
}

export interface SandboxSettings {
  accessTokenLifetimeSec: number;
  /** Procore: authorization codes are single-use and expire in 10 minutes. */
  codeLifetimeSec: number;
  storageUrlLifetimeSec: number;
  /**
   * Where a requisition's attachment links point: `storage`, a pre-signed URL on the storage
   * listener (absent means this); or `api`, a file link on the API host that needs the Bearer
   * token and redirects to storage. Procore has sent both kinds.
   */
  fileLinks?: FileLinks;
  rateLimits: { spike: RateWindow; hourly: RateWindow };
  /** Signs storage URLs; in the state so that every server on this stateDir accepts the others' URLs. */
  signingKey: string;
}

export const FILE_LINKS = ['storage', 'api'] as const;
export type FileLinks = (typeof FILE_LINKS)[number];

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
}

export interface SandboxUser {
  id: string;
  email: string;
  password: string;
  name: string;
  companyIds: string[];
  /**
   * Companies where the user is a company admin and so sees every project; absent means all of
   * companyIds (sandboxes made before memberships existed). Elsewhere the user sees only the
   * projects in projectIds, as Procore shows a project only to its members.
   */
  adminCompanyIds?: string[];
  projectIds?: string[];
}

export interface Company {
  id: string;
  name: string;
  isActive: boolean;
  myCompany: boolean;
  /** false: the app is not installed in this company (App Management), so its calls get a 401. Absent is installed. */
  appInstalled?: boolean;
}

export interface Project {
  id: string;
  companyId: string;
  name: string;
  projectNumber: string;
  originCode: string | null;
  originId: string | null;
  active: boolean;
  stage: string;
  city: string;
  stateCode: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Cost codes taken off the project's cost codes list (GET /cost_codes) while its commitment lines
   * and requisition items still name them by id; absent is none.
   */
  removedCostCodeIds?: string[];
}

export interface Vendor {
  id: string;
  companyId: string;
  name: string;
  abbreviatedName: string;
  originCode: string | null;
  originId: string | null;
  isActive: boolean;
  city: string;
  stateCode: string;
  emailAddress: string;
  contactId: string;
  contactName: string;
  contactEmail: string;
  updatedAt: string;
}

export interface CommitmentLine {
  id: string;
  description: string;
  /** Cents. */
  amount: number;
  costCodeId: string;
  costCode: string;
  costCodeName: string;
  /** Cost type: S subcontract, M material, … — the part after the dot of the WBS flat code. */
  category: string;
  wbsId: string;
  /** The sub job segment of the WBS code, on projects that use sub jobs. */
  subJob?: { code: string; name: string };
}

export type CommitmentType = 'WorkOrderContract' | 'PurchaseOrderContract';

export interface Commitment {
  id: string;
  projectId: string;
  type: CommitmentType;
  number: string;
  title: string;
  status: string;
  executed: boolean;
  originCode: string | null;
  originId: string | null;
  vendorId: string;
  retainagePercent: string;
  allowPayments: boolean;
  paymentTerms: string;
  createdAt: string;
  updatedAt: string;
  lines: CommitmentLine[];
}

/**
 * One G703 row; amounts in cents. materialsStored is the running balance of materials presently
 * stored (column F), which carries over from one period to the next until the materials are
 * installed; the optional fields are absent (0) on requisitions that carry nothing over.
 */
export interface RequisitionItem {
  id: string;
  commitmentLineId: string;
  lineNumber: number;
  description: string;
  scheduledValue: number;
  workFromPrevious: number;
  workThisPeriod: number;
  materialsStored: number;
  /** Materials stored at the end of the previous period (its column F). */
  materialsFromPrevious?: number;
  /** The part of materialsFromPrevious moved into work completed, and so counted in workFromPrevious. */
  materialsMoved?: number;
  /** Retainage held on the materials still stored from the previous period. */
  materialsRetainageFromPrevious?: number;
  retainageFromPrevious: number;
  retainageThisPeriod: number;
  materialsRetainage: number;
}

export interface Requisition {
  id: string;
  projectId: string;
  commitmentId: string;
  number: number;
  invoiceNumber: string | null;
  status: RequisitionStatus;
  billingDate: string;
  periodId: string;
  periodStart: string;
  periodEnd: string;
  submittedAt: string | null;
  paymentDate: string | null;
  final: boolean;
  originId: string | null;
  originData: string | null;
  /** The requisition's status in an accounting system, as Procore's ERP integration sets it; absent is none. */
  erpStatus?: string | null;
  electronicSignatureId: string | null;
  /** How its items name their cost code; absent is `wbs`. */
  itemCoding?: ItemCoding;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
  attachmentIds: string[];
  items: RequisitionItem[];
}

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
  /** The file under files/ that holds the bytes, when several attachments share them (bulk seeds); absent is `id`. */
  blob?: string;
}

export interface ContractPayment {
  id: string;
  projectId: string;
  contractId: string;
  requisitionId: string | null;
  date: string;
  /** Cents. */
  amount: number;
  paymentMethod: string | null;
  checkNumber: string | null;
  paymentNumber: number | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  drawRequestNumber: number | null;
  notes: string | null;
  originId: string | null;
  originData: string | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
}

export interface LoginSession {
  hash: string;
  userId: string;
  createdAt: number;
}

export interface AuthorizationCode {
  hash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  createdAt: number;
}

/** An access token and the refresh token issued with it, by hash (the tokens themselves are never stored). */
export interface TokenPair {
  id: string;
  userId: string;
  clientId: string;
  accessHash: string;
  refreshHash: string | null;
  createdAt: number;
  expiresAt: number;
  revoked: boolean;
}

export const FAULT_KINDS = ['rate-limit', 'unavailable', 'slow', 'reset', 'malformed-json', 'expired-storage-urls'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  id: string;
  kind: FaultKind;
  /** Requests it still applies to; null = until cleared. */
  remaining: number | null;
  /** Retry-After for rate-limit and unavailable. */
  seconds?: number;
  /** Delay for slow. */
  ms?: number;
  /** Only requests whose path starts with this. */
  path?: string;
  createdAt: string;
}

export interface SandboxState {
  schema: number;
  seed: 'demo' | 'empty';
  createdAt: string;
  settings: SandboxSettings;
  apps: OAuthApp[];
  users: SandboxUser[];
  companies: Company[];
  projects: Project[];
  vendors: Vendor[];
  commitments: Commitment[];
  requisitions: Requisition[];
  files: StoredFile[];
  payments: ContractPayment[];
  consents: { userId: string; clientId: string; at: string }[];
  sessions: LoginSession[];
  codes: AuthorizationCode[];
  tokens: TokenPair[];
  faults: Fault[];
  /** The next id the sandbox hands out (payments, files, tokens…), as digits. */
  nextId: string;
}

export function defaultSettings(): SandboxSettings {
  return {
    accessTokenLifetimeSec: 5400,
    codeLifetimeSec: 600,
    storageUrlLifetimeSec: 300,
    rateLimits: { spike: { limit: 25, windowSec: 10 }, hourly: { limit: 3600, windowSec: 3600 } },
    signingKey: randomBytes(32).toString('hex'),
  };
}

/** Hands out the next sandbox id. */
export function newId(state: SandboxState): string {
  const id = state.nextId;
  state.nextId = (BigInt(id) + 1n).toString();
  return id;
}

export const stateFile = (stateDir: string) => join(stateDir, 'state.json');
export const filesDir = (stateDir: string) => join(stateDir, 'files');
export const filePath = (stateDir: string, fileId: string) => join(filesDir(stateDir), fileId);
/** Where a stored file's bytes are. */
export const storedFilePath = (stateDir: string, file: StoredFile) => filePath(stateDir, file.blob ?? file.id);

export class NoSandboxError extends UserError {
  constructor(stateDir: string) {
    super(`there is no sandbox in ${stateDir} yet — start one with \`apdesk sandbox\` (or open the demo) first`);
    this.name = 'NoSandboxError';
  }
}

export interface Seed {
  state: SandboxState;
  files: Map<string, Uint8Array>;
}

const LOCK_TIMEOUT_MS = 15_000;

/** One process's view of a stateDir: a cached read, and changes serialised in-process and across processes. */
export class SandboxStore {
  private cached: { version: FileVersion; state: SandboxState } | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    readonly stateDir: string,
    private readonly who = `sandbox (pid ${process.pid})`,
  ) {}

  async exists(): Promise<boolean> {
    return (await this.versionOnDisk()) !== null;
  }

  /** The current state; re-read only when another writer has replaced the file. */
  async read(): Promise<SandboxState> {
    const version = await this.versionOnDisk();
    if (version === null) throw new NoSandboxError(this.stateDir);
    if (this.cached && sameVersion(this.cached.version, version)) return this.cached.state;
    return this.load();
  }

  /** Runs `change` on a fresh copy of the state under the lock and writes the result. */
  update<T>(change: (state: SandboxState) => T | Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.locked(async () => {
      const state = structuredClone(await this.read());
      const result = await change(state);
      await this.write(state);
      return result;
    }));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Creates the state from `makeSeed` unless another process already has. */
  async ensure(makeSeed: () => Promise<Seed>): Promise<void> {
    if (await this.exists()) return;
    await mkdir(this.stateDir, { recursive: true });
    await this.locked(async () => {
      if (await this.exists()) return;
      const seed = await makeSeed();
      await mkdir(filesDir(this.stateDir), { recursive: true });
      // Files first: a state.json on disk means the seed is complete.
      for (const [id, bytes] of seed.files) await writeFileAtomic(filePath(this.stateDir, id), bytes);
      await this.write(seed.state);
    });
  }

  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = await acquireLock(this.stateDir, { user: 'sandbox', command: this.who, timeoutMs: LOCK_TIMEOUT_MS });
    try {
      return await work();
    } finally {
      await lock.release();
    }
  }

  private async versionOnDisk(): Promise<FileVersion | null> {
    try {
      return versionOf(await stat(stateFile(this.stateDir)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private async load(): Promise<SandboxState> {
    const file = new JsonFile<SandboxState>(stateFile(this.stateDir), 0o600);
    let state: SandboxState | null;
    try {
      state = await file.read();
    } catch (error) {
      if (!(error instanceof CorruptFileError)) throw error;
      throw new UserError(`the sandbox state ${file.path} is not valid JSON (${error.reason}) — delete ${this.stateDir} to start a fresh sandbox`);
    }
    if (!state || !file.version) throw new NoSandboxError(this.stateDir);
    if (state.schema !== STATE_SCHEMA) {
      throw new UserError(`the sandbox state in ${this.stateDir} has schema ${state.schema}, this apdesk knows ${STATE_SCHEMA} — delete that folder to start a fresh sandbox`);
    }
    this.cached = { version: file.version, state };
    return state;
  }

  private async write(state: SandboxState): Promise<void> {
    const file = new JsonFile<SandboxState>(stateFile(this.stateDir), 0o600);
    await file.write(state);
    if (file.version) this.cached = { version: file.version, state };
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, path);
}
