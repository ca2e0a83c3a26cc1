// A whole company written into the sandbox in one state update, for benchmarks and tests of the
// importer at scale: projects, vendors with their accounting codes, commitments, and requisitions
// (approved and still in review) with small real attachments. The attachments of a kind share one
// file on disk, so a thousand invoices with three files each cost three writes. Deterministic for a
// given seed, except the ids, which the sandbox hands out.
import { seededRandom } from './random.js';
import { createHash } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { UserError } from '../domain/errors.js';
import { smallAttachments } from './small-files.js';
import {
  SandboxStore,
  filePath,
  filesDir,
  newId,
  writeFileAtomic,
  type Commitment,
  type CommitmentLine,
  type Project,
  type Requisition,
  type RequisitionItem,
  type RequisitionStatus,
  type StoredFile,
  type Vendor,
} from './state.js';

export interface BulkCompanySpec {
  projects: number;
  /** Approved requisitions per project: what an importer brings in. */
  approvedPerProject: number;
  /** Requisitions per project still under review, pending owner approval, sent back, or drafts. */
  inFlightPerProject: number;
  /** Files on each requisition, in turn a one-page PDF, a PNG and a JPEG. */
  attachmentsPerRequisition: number;
  /** Varies the amounts: the same seed gives the same company. Default 1. */
  seed?: number;
  /** Default "Bulk Builders <company id>". */
  name?: string;
  /** Users (by email) who see the company as its admins; default the sandbox's first user. */
  members?: string[];
  /**
   * The newest updated_at (ms since the epoch; default now). The requisitions are updated one a
   * second before it, oldest first, so an importer's first window holds them all.
   */
  now?: number;
}

export interface SeededCompany {
  companyId: string;
  projectIds: string[];
  vendorIds: string[];
  commitmentIds: string[];
  /** The approved requisitions, oldest updated_at first. */
  approvedIds: string[];
  inFlightIds: string[];
  /** Attachments made, all requisitions together. */
  files: number;
}

const IN_FLIGHT: RequisitionStatus[] = ['under_review', 'pending_owner_approval', 'revise_and_resubmit', 'draft'];
/** The most requisitions one commitment carries; a project gets as many commitments as that needs. */
const CHAIN = 4;

const COST_CODES: [code: string, name: string][] = [
  ['03-300', 'Cast-in-place concrete'],
  ['05-120', 'Structural steel'],
  ['06-100', 'Rough carpentry'],
  ['07-500', 'Membrane roofing'],
  ['09-250', 'Gypsum board'],
  ['22-100', 'Plumbing piping'],
  ['23-300', 'HVAC equipment'],
  ['26-050', 'Basic electrical materials'],
];
const TRADES = ['Concrete', 'Steel', 'Framing', 'Roofing', 'Drywall', 'Plumbing', 'Mechanical', 'Electrical', 'Glazing', 'Painting'];

function count(value: number, what: string, max: number, min = 0): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new UserError(`${what} must be a whole number from ${min} to ${max}, not ${value}`);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Writes a shared attachment's bytes once, named by their hash. */
async function blobFor(stateDir: string, bytes: Uint8Array): Promise<string> {
  const name = `blob-${createHash('sha256').update(bytes).digest('hex').slice(0, 24)}`;
  const path = filePath(stateDir, name);
  try {
    await access(path);
  } catch {
    await writeFileAtomic(path, bytes);
  }
  return name;
}

/** Adds one company with `spec`'s projects and requisitions to the sandbox in stateDir, in one state update. */
export async function seedCompany(stateDir: string, spec: BulkCompanySpec): Promise<SeededCompany> {
  count(spec.projects, 'projects', 1000, 1);
  count(spec.approvedPerProject, 'approvedPerProject', 100_000);
  count(spec.inFlightPerProject, 'inFlightPerProject', 100_000);
  count(spec.attachmentsPerRequisition, 'attachmentsPerRequisition', 20);
  const store = new SandboxStore(stateDir, `apdesk sandbox bulk seed (pid ${process.pid})`);
  await store.read();
  await mkdir(filesDir(stateDir), { recursive: true });
  const kinds = await Promise.all(smallAttachments().map(async (kind) => ({ ...kind, blob: await blobFor(stateDir, kind.bytes) })));
  const next = seededRandom(spec.seed ?? 1);
  const newest = Math.floor((spec.now ?? Date.now()) / 1000) * 1000;

  return store.update((state) => {
    const members = spec.members ?? state.users.slice(0, 1).map((user) => user.email);
    const users = members.map((email) => {
      const user = state.users.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
      if (!user) throw new UserError(`no sandbox user ${email} — the users are ${state.users.map((candidate) => candidate.email).join(', ')}`);
      return user;
    });
    const companyId = newId(state);
    state.companies.push({ id: companyId, name: spec.name ?? `Bulk Builders ${companyId}`, isActive: true, myCompany: false });
    for (const user of users) {
      user.companyIds.push(companyId);
      user.adminCompanyIds = [...(user.adminCompanyIds ?? user.companyIds.filter((id) => id !== companyId)), companyId];
    }
    const createdAt = iso(newest - 90 * 86_400_000);

    const vendors: Vendor[] = Array.from({ length: Math.max(3, Math.min(50, spec.projects * 3)) }, (_, index) => {
      const trade = TRADES[index % TRADES.length]!;
      const code = `BK${companyId.slice(-4)}-V${String(index + 1).padStart(3, '0')}`;
      return {
        id: newId(state), companyId, name: `${trade} Partners ${index + 1}`, abbreviatedName: code, originCode: code, originId: `ERP-${code}`,
        isActive: true, city: 'Portland', stateCode: 'OR', emailAddress: `ap@${code.toLowerCase()}.bulk.test`, contactId: newId(state),
        contactName: `${trade} Billing`, contactEmail: `billing@${code.toLowerCase()}.bulk.test`, updatedAt: createdAt,
      };
    });
    state.vendors.push(...vendors);

    const total = spec.projects * (spec.approvedPerProject + spec.inFlightPerProject);
    let sequence = 0;
    let files = 0;
    const seeded: SeededCompany = { companyId, projectIds: [], vendorIds: vendors.map((vendor) => vendor.id), commitmentIds: [], approvedIds: [], inFlightIds: [], files: 0 };

    for (let p = 0; p < spec.projects; p++) {
      const job = `${companyId.slice(-4)}-${String(p + 1).padStart(3, '0')}`;
      const project: Project = {
        id: newId(state), companyId, name: `Bulk Project ${p + 1}`, projectNumber: job, originCode: job, originId: `ERP-JOB-${job}`, active: true,
        stage: 'Course of Construction', city: 'Portland', stateCode: 'OR', createdAt, updatedAt: createdAt,
      };
      state.projects.push(project);
      seeded.projectIds.push(project.id);
      const codeIds = COST_CODES.map(() => newId(state));

      const chains = Math.max(1, Math.ceil((spec.approvedPerProject + spec.inFlightPerProject) / CHAIN));
      for (let c = 0; c < chains; c++) {
        const vendor = vendors[(p * chains + c) % vendors.length]!;
        const order = c % 5 === 4;
        const retainage = order ? 0 : 10;
        const lines: CommitmentLine[] = [0, 1].map((n) => {
          const codeIndex = (c * 2 + n) % COST_CODES.length;
          const [code, name] = COST_CODES[codeIndex]!;
          return {
            id: newId(state), description: `${name}, part ${n + 1}`, amount: 2_000_000 + Math.round(next() * 30_000_000), costCodeId: codeIds[codeIndex]!,
            costCode: code, costCodeName: name, category: order ? 'M' : 'S', wbsId: newId(state),
          };
        });
        const number = `${order ? 'PO' : 'SC'}-${job}-${String(c + 1).padStart(2, '0')}`;
        const commitment: Commitment = {
          id: newId(state), projectId: project.id, type: order ? 'PurchaseOrderContract' : 'WorkOrderContract', number, title: `${vendor.name} scope ${c + 1}`,
          status: 'Approved', executed: true, originCode: number, originId: `ERP-CMT-${number}`, vendorId: vendor.id, retainagePercent: `${retainage}.0`,
          allowPayments: true, paymentTerms: 'Net 30', createdAt, updatedAt: createdAt, lines,
        };
        state.commitments.push(commitment);
        seeded.commitmentIds.push(commitment.id);

        // This chain's share of the project's approved and in-flight invoices, approved ones first.
        const share = (of: number) => Math.floor(of / chains) + (c < of % chains ? 1 : 0);
        const statuses: RequisitionStatus[] = [
          ...Array<RequisitionStatus>(share(spec.approvedPerProject)).fill('approved'),
          ...Array.from({ length: share(spec.inFlightPerProject) }, (_, n) => IN_FLIGHT[(c + n) % IN_FLIGHT.length]!),
        ];
        const done = lines.map(() => 0);
        const retained = lines.map(() => 0);
        statuses.forEach((status, position) => {
          const billed = newest - (statuses.length - 1 - position) * 30 * 86_400_000;
          const billingDate = day(billed);
          const [year, month] = billingDate.split('-').map(Number) as [number, number];
          const items: RequisitionItem[] = lines.map((line, n) => {
            const work = Math.round((line.amount * (3 + Math.floor(next() * 10))) / 100);
            const item: RequisitionItem = {
              id: newId(state), commitmentLineId: line.id, lineNumber: n + 1, description: line.description, scheduledValue: line.amount,
              workFromPrevious: done[n]!, workThisPeriod: work, materialsStored: 0, retainageFromPrevious: retained[n]!,
              retainageThisPeriod: Math.round((work * retainage) / 100), materialsRetainage: 0,
            };
            done[n] = done[n]! + work;
            retained[n] = retained[n]! + item.retainageThisPeriod;
            return item;
          });
          sequence++;
          const invoiceNumber = `${vendor.abbreviatedName}-${String(sequence).padStart(5, '0')}`;
          const updatedAt = iso(newest - (total - sequence) * 1000);
          const requisition: Requisition = {
            id: newId(state), projectId: project.id, commitmentId: commitment.id, number: position + 1, invoiceNumber, status, billingDate,
            periodId: newId(state), periodStart: `${billingDate.slice(0, 7)}-01`, periodEnd: day(Date.UTC(year, month, 0)),
            submittedAt: status === 'draft' ? null : billingDate, paymentDate: null, final: false, originId: null, originData: null,
            electronicSignatureId: null, comment: null, createdAt: iso(Math.min(billed, Date.parse(updatedAt))), updatedAt, attachmentIds: [], items,
          };
          for (let f = 0; f < spec.attachmentsPerRequisition; f++) {
            const kind = kinds[f % kinds.length]!;
            const file: StoredFile = {
              id: newId(state), filename: `${invoiceNumber}-${f + 1}.${kind.extension}`, contentType: kind.contentType, size: kind.bytes.length,
              createdAt: requisition.createdAt, blob: kind.blob,
            };
            state.files.push(file);
            requisition.attachmentIds.push(file.id);
            files++;
          }
          state.requisitions.push(requisition);
          (status === 'approved' ? seeded.approvedIds : seeded.inFlightIds).push(requisition.id);
        });
      }
    }
    seeded.files = files;
    // Oldest updated_at first, as the field says.
    const order = new Map(state.requisitions.map((requisition) => [requisition.id, requisition.updatedAt]));
    seeded.approvedIds.sort((a, b) => order.get(a)!.localeCompare(order.get(b)!));
    return seeded;
  });
}
