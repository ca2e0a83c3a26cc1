// The demo's Procore: two companies, four projects (jobs 2301–2303 and 3101), vendors and
// commitments carrying their accounting codes, and 37 subcontractor invoices across all six
// statuses, the approved ones with real attachments. Deterministic: fixed ids and dates
// (2026-08 to 2026-11); only the encrypted PDFs' keys and the URL-signing key are random.
// DEMO_LEDGER_CODES is the accounting side the demo ledger must hold for these to validate.
import { formatMoney, type Cents } from '../domain/money.js';
import { drawJpeg, drawPng, withExifOrientation } from './images.js';
import { requisitionTotals } from './resources.js';
import {
  STATE_SCHEMA,
  defaultSettings,
  type Commitment,
  type CommitmentLine,
  type Project,
  type Requisition,
  type RequisitionItem,
  type RequisitionStatus,
  type SandboxState,
  type Seed,
  type StoredFile,
  type Vendor,
} from './state.js';

export const DEMO_APP: { clientId: 'apdesk-demo'; clientSecret: string; redirectUris: string[] } = {
  clientId: 'apdesk-demo',
  // Public on purpose: it only opens the local sandbox.
  clientSecret: 'apdesk-demo-secret-local-sandbox-only',
  redirectUris: ['urn:ietf:wg:oauth:2.0:oob', 'http://localhost:53682/callback', 'http://localhost'],
};

export const DEMO_USERS: { email: string; password: string; name: string; id: string }[] = [
  { email: 'ap.admin@demo.test', password: 'demo-password', name: 'Avery Park', id: '3214321' },
  { email: 'pm.viewer@demo.test', password: 'demo-password', name: 'Jordan Lee', id: '3214322' },
];

/** Harbor Builders: above 2^53, so it survives only in a client that never turns ids into numbers. */
export const DEMO_COMPANY_ID = '9007199254740993';
export const DEMO_SECOND_COMPANY_ID = '4126';
/** Riverside Library, the project the second demo user is a member of. */
export const DEMO_SECOND_PROJECT_ID = '1720001';

/** The requisitions each demo scenario is about. */
export const DEMO_REQUISITIONS = {
  /** Approved, ABC-CON, a 3-page PDF, a PNG and a JPEG. */
  threeAttachments: '1280602',
  /** Approved, a PDF encrypted with an empty user password, and a JPEG. */
  encryptedPdf: '1280608',
  /** Approved purchase order invoice with four attachments, stored materials and no invoice number. */
  fourAttachments: '1280611',
  noInvoiceNumber: '1280611',
  /** Approved with no attachment at all. */
  noAttachment: '1280612',
  /** Approved, signed through DocuSign (electronic_signature_id set); beyond its commitment's remaining balance in the ledger. */
  docuSign: '1280615',
  overRemaining: '1280615',
  /** Approved on commitment SC-999, which the ledger does not have. */
  missingCommitment: '1280618',
  /** Approved from vendor GHOST-VND (commitment SC-2302-03), neither in the ledger. */
  missingVendor: '1280619',
  /** Approved, id above 2^53. */
  bigId: '9007199254740997',
  /** Pending owner approval with a PDF: approve it through `apdesk sandbox approve` to see a new import. */
  awaitingApproval: '1280609',
  /** Approved, job 2303: every line's WBS code has a sub job segment (Building A or B) before its cost code. */
  subJob: '1280630',
  /** Approved, job 2302: materials stored last period (an approved invoice before it) are still stored, and more were added. */
  carriedMaterials: '1280632',
  /** Approved, a PDF that opens only with a real password (DEMO_PDF_PASSWORD), beside a normal PDF. */
  passwordPdf: '1280633',
  /** Approved, a photo whose EXIF orientation is 6 (shown turned a quarter clockwise), and a PDF. */
  rotatedJpeg: '1280634',
  /** Approved, already synced to an accounting system by another integration (origin_id set). */
  syncedElsewhere: '1280635',
  /** Approved, with an ERP status ('pending') from Procore's own ERP integration, and no origin_id. */
  erpStatus: '1280636',
} as const;

/** The user password of the demo's one PDF that needs a real password. */
export const DEMO_PDF_PASSWORD = 'harbor-2026';

export interface DemoLedgerCodes {
  vendors: { code: string; name: string }[];
  jobs: { code: string; name: string }[];
  commitments: { code: string; vendor: string; job: string; type: 'subcontract' | 'purchase-order'; amount: string; remaining: string }[];
  costCodes: { job: string; code: string; description: string }[];
}

// ---- the demo's companies, projects and vendors ----

const COMPANIES = [
  { id: DEMO_COMPANY_ID, name: 'Harbor Builders (Procore)', isActive: true, myCompany: true },
  { id: DEMO_SECOND_COMPANY_ID, name: 'Quarry Road Contractors (Procore)', isActive: true, myCompany: false },
];

const PROJECTS: [id: string, company: string, job: string, name: string, city: string][] = [
  ['1710001', DEMO_COMPANY_ID, '2301', 'Harbor Point Tower', 'Seattle'],
  ['1710002', DEMO_COMPANY_ID, '2302', 'Pier 9 Warehouse', 'Tacoma'],
  ['1710003', DEMO_COMPANY_ID, '2303', 'Eastside Clinic Renovation', 'Bellevue'],
  [DEMO_SECOND_PROJECT_ID, DEMO_SECOND_COMPANY_ID, '3101', 'Riverside Library', 'Spokane'],
];

const VENDORS: [id: string, company: string, code: string, name: string, city: string][] = [
  ['47001', DEMO_COMPANY_ID, 'ABC-CON', 'ABC Concrete Co.', 'Seattle'],
  ['47002', DEMO_COMPANY_ID, 'STEEL-01', 'Summit Steel Erectors', 'Kent'],
  ['47003', DEMO_COMPANY_ID, 'ELEC-02', 'Bright Line Electric', 'Renton'],
  ['47004', DEMO_COMPANY_ID, 'PLUMB-03', 'Pacific Plumbing & Mechanical', 'Tacoma'],
  ['47005', DEMO_COMPANY_ID, 'DRY-04', 'Coastal Drywall Inc.', 'Everett'],
  ['47006', DEMO_COMPANY_ID, 'LUMBER-05', 'Northwest Lumber Supply', 'Auburn'],
  ['47007', DEMO_COMPANY_ID, 'GHOST-VND', 'Ghost Vendor Services LLC', 'Nowhere'],
  ['48001', DEMO_SECOND_COMPANY_ID, 'ROOF-06', 'Ridgeline Roofing', 'Spokane'],
  ['48002', DEMO_SECOND_COMPANY_ID, 'PAINT-07', 'Fresh Coat Painting', 'Spokane'],
];

/** Codes the seed uses but the demo ledger deliberately lacks. */
const MISSING_FROM_LEDGER = { vendors: ['GHOST-VND'], commitments: ['SC-999', 'SC-2302-03'] };

interface CommitmentSpec {
  id: string;
  job: string;
  kind: 'subcontract' | 'purchase-order';
  number: string;
  title: string;
  vendor: string;
  retainage: number;
  /** [cost code, cost code name, description, amount in dollars] */
  lines: [string, string, string, number][];
  /** Each line's sub job, on a project that uses sub jobs. */
  subJobs?: { code: string; name: string }[];
  /** The ledger's remaining balance, when it should differ from what the seed implies. */
  ledgerRemaining?: string;
}

const COMMITMENTS: CommitmentSpec[] = [
  { id: '786001', job: '2301', kind: 'subcontract', number: 'SC-2301-01', title: 'Concrete foundations and slabs', vendor: 'ABC-CON', retainage: 10,
    lines: [['03-300', 'Cast-in-place concrete', 'Footings and foundation walls', 182_437.5], ['03-350', 'Concrete slabs', 'Slab on grade', 118_962.25]] },
  { id: '786002', job: '2301', kind: 'subcontract', number: 'SC-2301-02', title: 'Structural steel', vendor: 'STEEL-01', retainage: 10,
    lines: [['05-120', 'Structural steel', 'Structural steel fabrication', 261_845.8], ['05-120', 'Structural steel', 'Steel erection', 160_000], ['05-500', 'Metal fabrications', 'Miscellaneous metals', 40_000]] },
  { id: '786003', job: '2301', kind: 'subcontract', number: 'SC-2301-03', title: 'Electrical', vendor: 'ELEC-02', retainage: 10,
    lines: [['26-050', 'Basic electrical materials', 'Rough-in and conduit', 148_730.4], ['26-500', 'Lighting', 'Lighting fixtures', 60_000]] },
  { id: '786004', job: '2301', kind: 'purchase-order', number: 'PO-2301-01', title: 'Formwork lumber', vendor: 'LUMBER-05', retainage: 0,
    lines: [['06-100', 'Rough carpentry', 'Formwork lumber and plywood', 24_987.65]] },
  { id: '786005', job: '2302', kind: 'subcontract', number: 'SC-2302-01', title: 'Plumbing', vendor: 'PLUMB-03', retainage: 10,
    lines: [['22-100', 'Plumbing piping', 'Domestic water piping', 70_215.35], ['22-400', 'Plumbing fixtures', 'Plumbing fixtures', 25_000]] },
  { id: '786006', job: '2302', kind: 'subcontract', number: 'SC-2302-02', title: 'Drywall and framing', vendor: 'DRY-04', retainage: 10,
    lines: [['09-250', 'Gypsum board', 'Metal framing and gypsum board', 80_000]], ledgerRemaining: '1500.00' },
  { id: '786007', job: '2302', kind: 'subcontract', number: 'SC-999', title: 'Site paving change work', vendor: 'ABC-CON', retainage: 10,
    lines: [['03-300', 'Cast-in-place concrete', 'Site paving', 30_450.75]] },
  { id: '786008', job: '2302', kind: 'subcontract', number: 'SC-2302-03', title: 'Site security services', vendor: 'GHOST-VND', retainage: 10,
    lines: [['01-500', 'Temporary facilities', 'Temporary site security', 18_000]] },
  { id: '786009', job: '2303', kind: 'subcontract', number: 'SC-2303-01', title: 'Electrical renovation', vendor: 'ELEC-02', retainage: 10,
    lines: [['26-050', 'Basic electrical materials', 'Rough-in and conduit', 48_000], ['26-500', 'Lighting', 'Lighting fixtures', 22_000]] },
  { id: '786010', job: '2303', kind: 'purchase-order', number: 'PO-2303-01', title: 'Framing lumber', vendor: 'LUMBER-05', retainage: 0,
    lines: [['06-100', 'Rough carpentry', 'Framing lumber', 12_500]] },
  { id: '786011', job: '3101', kind: 'subcontract', number: 'SC-3101-01', title: 'Roofing', vendor: 'ROOF-06', retainage: 10,
    lines: [['07-500', 'Membrane roofing', 'Membrane roofing', 63_875.9]] },
  { id: '786012', job: '3101', kind: 'purchase-order', number: 'PO-3101-01', title: 'Paint and coatings', vendor: 'PAINT-07', retainage: 0,
    lines: [['09-900', 'Painting', 'Paint materials', 9_812.44]] },
  { id: '786013', job: '2303', kind: 'subcontract', number: 'SC-2303-02', title: 'HVAC by building', vendor: 'PLUMB-03', retainage: 10,
    lines: [['23-300', 'HVAC equipment', 'Rooftop units, building A', 64_000], ['23-300', 'HVAC equipment', 'Rooftop units, building B', 58_500], ['23-700', 'HVAC ductwork', 'Ductwork, building A', 21_750.5]],
    subJobs: [{ code: 'A', name: 'Building A' }, { code: 'B', name: 'Building B' }, { code: 'A', name: 'Building A' }] },
  { id: '786014', job: '2302', kind: 'subcontract', number: 'SC-2302-04', title: 'Metal decking and stairs', vendor: 'STEEL-01', retainage: 10,
    lines: [['05-300', 'Metal decking', 'Metal deck supply and install', 96_400], ['05-500', 'Metal fabrications', 'Stair and rail fabrication', 34_000]] },
  { id: '786015', job: '2303', kind: 'purchase-order', number: 'PO-2303-02', title: 'Millwork and casework', vendor: 'LUMBER-05', retainage: 0,
    lines: [['06-400', 'Architectural woodwork', 'Reception casework', 18_750], ['06-400', 'Architectural woodwork', 'Exam room cabinets', 26_300]] },
  { id: '786016', job: '2302', kind: 'subcontract', number: 'SC-2302-05', title: 'Fire protection', vendor: 'PLUMB-03', retainage: 10,
    lines: [['21-100', 'Fire suppression piping', 'Sprinkler mains and branches', 54_200]] },
];

type AttachmentSpec =
  | { kind: 'pdf'; pages: number }
  | { kind: 'encrypted-pdf'; pages: number }
  | { kind: 'password-pdf'; pages: number }
  | { kind: 'jpeg' }
  | { kind: 'rotated-jpeg' }
  | { kind: 'png' };
const pdf = (pages: number): AttachmentSpec => ({ kind: 'pdf', pages });

interface RequisitionSpec {
  id: string;
  status: RequisitionStatus;
  invoice: string | null;
  /** Cumulative percent complete of each commitment line at the end of this period. */
  progress: number[];
  /**
   * Materials presently stored per line at the end of this period, in dollars: a running balance
   * that the next requisition carries over (it may add to it, never draw it down).
   */
  materials?: number[];
  attachments: AttachmentSpec[];
  docuSign?: string;
  originId?: string;
  erpStatus?: string;
}

/** Each commitment's requisitions, oldest first; the newest bills November 2026, each earlier one a month before. */
const REQUISITIONS: Record<string, RequisitionSpec[]> = {
  '786001': [
    { id: '1280601', status: 'approved', invoice: 'ABC-1041', progress: [20, 0], attachments: [pdf(2), { kind: 'jpeg' }] },
    { id: '1280602', status: 'approved', invoice: 'ABC-1068', progress: [45, 15], attachments: [pdf(3), { kind: 'png' }, { kind: 'jpeg' }] },
    { id: '1280603', status: 'under_review', invoice: 'ABC-1090', progress: [60, 35], attachments: [pdf(1)] },
  ],
  '786002': [
    { id: '1280604', status: 'approved', invoice: 'SS-2207', progress: [15, 0, 0], attachments: [pdf(1)] },
    { id: '1280605', status: 'approved_as_noted', invoice: 'SS-2231', progress: [40, 10, 0], attachments: [pdf(2), { kind: 'png' }] },
    { id: '1280606', status: 'revise_and_resubmit', invoice: 'SS-2260', progress: [55, 30, 10], attachments: [pdf(1)] },
    { id: '1280607', status: 'draft', invoice: 'SS-2288', progress: [70, 45, 20], materials: [0, 0, 6_500], attachments: [] },
  ],
  '786003': [
    { id: '1280608', status: 'approved', invoice: 'BLE-5512', progress: [25, 0], attachments: [{ kind: 'encrypted-pdf', pages: 2 }, { kind: 'jpeg' }] },
    { id: '1280609', status: 'pending_owner_approval', invoice: 'BLE-5547', progress: [40, 10], attachments: [pdf(1)] },
    { id: '1280610', status: 'draft', invoice: 'BLE-5580', progress: [52, 25], attachments: [] },
  ],
  '786004': [
    { id: '1280611', status: 'approved', invoice: null, progress: [64.8], materials: [2_150], attachments: [pdf(1), { kind: 'png' }, { kind: 'jpeg' }, pdf(2)] },
  ],
  '786005': [
    { id: '1280612', status: 'approved', invoice: 'PPM-301', progress: [30, 0], attachments: [] },
    { id: '1280613', status: 'approved_as_noted', invoice: 'PPM-322', progress: [50, 20], attachments: [pdf(2)] },
    { id: '1280614', status: 'draft', invoice: 'PPM-340', progress: [65, 40], attachments: [] },
  ],
  '786006': [
    { id: '1280615', status: 'approved', invoice: 'CD-7710', progress: [35], attachments: [pdf(2)], docuSign: '8840001' },
    { id: '1280616', status: 'under_review', invoice: 'CD-7725', progress: [60], attachments: [pdf(1)] },
    { id: '1280617', status: 'draft', invoice: 'CD-7741', progress: [80], attachments: [] },
  ],
  '786007': [
    { id: '1280618', status: 'approved', invoice: 'ABC-1077', progress: [40], materials: [3_200], attachments: [pdf(1)] },
  ],
  '786008': [
    { id: '1280619', status: 'approved', invoice: 'GV-0042', progress: [50], attachments: [pdf(1), { kind: 'jpeg' }] },
  ],
  '786009': [
    { id: '9007199254740997', status: 'approved', invoice: 'BLE-5530', progress: [30, 10], attachments: [pdf(2)] },
    { id: '1280620', status: 'revise_and_resubmit', invoice: 'BLE-5561', progress: [45, 20], attachments: [pdf(1)] },
    { id: '1280621', status: 'draft', invoice: 'BLE-5590', progress: [60, 40], attachments: [] },
  ],
  '786010': [
    { id: '1280622', status: 'pending_owner_approval', invoice: 'NWL-88120', progress: [40], attachments: [pdf(1)] },
    { id: '1280623', status: 'under_review', invoice: 'NWL-88188', progress: [75], attachments: [pdf(1)] },
  ],
  '786011': [
    { id: '1280624', status: 'approved', invoice: 'RR-310', progress: [25], attachments: [pdf(2)] },
    { id: '1280625', status: 'under_review', invoice: 'RR-318', progress: [50], attachments: [pdf(1)] },
    { id: '1280626', status: 'revise_and_resubmit', invoice: 'RR-325', progress: [70], attachments: [pdf(1)] },
  ],
  '786012': [
    { id: '1280627', status: 'approved', invoice: 'FCP-1201', progress: [30], attachments: [{ kind: 'png' }] },
    { id: '1280628', status: 'pending_owner_approval', invoice: 'FCP-1219', progress: [55], attachments: [pdf(1)] },
    { id: '1280629', status: 'draft', invoice: 'FCP-1230', progress: [70], attachments: [] },
  ],
  '786013': [
    { id: '1280630', status: 'approved', invoice: 'PPM-410', progress: [20, 15, 30], attachments: [pdf(2)] },
  ],
  '786014': [
    { id: '1280631', status: 'approved', invoice: 'SS-2301', progress: [10, 0], materials: [18_500, 0], attachments: [pdf(1)] },
    { id: '1280632', status: 'approved', invoice: 'SS-2319', progress: [30, 10], materials: [18_500, 4_200], attachments: [pdf(2), { kind: 'png' }] },
  ],
  '786015': [
    { id: '1280633', status: 'approved', invoice: 'NWL-88301', progress: [20, 10], attachments: [pdf(1), { kind: 'password-pdf', pages: 1 }] },
    { id: '1280634', status: 'approved', invoice: 'NWL-88355', progress: [45, 30], attachments: [{ kind: 'rotated-jpeg' }, pdf(1)] },
  ],
  '786016': [
    { id: '1280635', status: 'approved', invoice: 'PPM-356', progress: [20], attachments: [pdf(1)], originId: 'SAGE-AP-PPM-356' },
    { id: '1280636', status: 'approved', invoice: 'PPM-371', progress: [35], attachments: [pdf(1)], erpStatus: 'pending' },
  ],
};

// ---- the ledger side ----

const dollars = (amount: number) => Math.round(amount * 100) as Cents;

/** What the ledger already had before November: the older approved invoices' gross amounts (work, and stored materials added). */
function billedBeforeNovember(commitment: CommitmentSpec): Cents {
  const chain = REQUISITIONS[commitment.id] ?? [];
  let total = 0;
  chain.forEach((spec, index) => {
    const olderThanNewest = index < chain.length - 1;
    if (!olderThanNewest || !spec.status.startsWith('approved')) return;
    const month = 11 - (chain.length - 1 - index);
    if (month >= 11) return;
    const previous = chain[index - 1];
    commitment.lines.forEach(([, , , amount], line) => {
      total += Math.round((dollars(amount) * spec.progress[line]!) / 100) - Math.round((dollars(amount) * (previous?.progress[line] ?? 0)) / 100);
      total += dollars(spec.materials?.[line] ?? 0) - dollars(previous?.materials?.[line] ?? 0);
    });
  });
  return total as Cents;
}

export const DEMO_LEDGER_CODES: DemoLedgerCodes = {
  vendors: VENDORS.filter(([, , code]) => !MISSING_FROM_LEDGER.vendors.includes(code)).map(([, , code, name]) => ({ code, name })),
  jobs: PROJECTS.map(([, , code, name]) => ({ code, name })),
  commitments: COMMITMENTS.filter((spec) => !MISSING_FROM_LEDGER.commitments.includes(spec.number)).map((spec) => {
    const amount = dollars(spec.lines.reduce((sum, [, , , value]) => sum + value, 0));
    return {
      code: spec.number,
      vendor: spec.vendor,
      job: spec.job,
      type: spec.kind,
      amount: formatMoney(amount),
      remaining: spec.ledgerRemaining ?? formatMoney((amount - billedBeforeNovember(spec)) as Cents),
    };
  }),
  costCodes: (() => {
    const seen = new Map<string, { job: string; code: string; description: string }>();
    for (const spec of COMMITMENTS) {
      for (const [code, name] of spec.lines) seen.set(`${spec.job} ${code}`, { job: spec.job, code, description: name });
    }
    return [...seen.values()];
  })(),
};

// ---- building the state ----

const NOVEMBER_BILLING = '2026-11-20';

function period(month: number): { start: string; end: string; billing: string } {
  const mm = String(month).padStart(2, '0');
  const last = new Date(Date.UTC(2026, month, 0)).getUTCDate();
  const end = `2026-${mm}-${last}`;
  return { start: `2026-${mm}-01`, end, billing: month === 11 ? NOVEMBER_BILLING : end };
}

function plusDays(date: string, days: number, time: string): string {
  const at = new Date(`${date}T${time}Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().replace('.000Z', 'Z');
}

function baseState(seed: 'demo' | 'empty'): SandboxState {
  return {
    schema: STATE_SCHEMA,
    seed,
    createdAt: new Date().toISOString(),
    settings: defaultSettings(),
    apps: [{ clientId: DEMO_APP.clientId, clientSecret: DEMO_APP.clientSecret, name: 'apdesk (demo)', redirectUris: [...DEMO_APP.redirectUris] }],
    users: DEMO_USERS.map((user, index) => ({
      ...user,
      // The second user works for Quarry Road only, so Harbor Builders is invisible to them; and
      // is no company admin there, so sees only the projects they are a member of.
      companyIds: index === 0 ? COMPANIES.map((company) => company.id) : [DEMO_SECOND_COMPANY_ID],
      adminCompanyIds: index === 0 ? COMPANIES.map((company) => company.id) : [],
      projectIds: index === 0 ? [] : [DEMO_SECOND_PROJECT_ID],
    })),
    companies: COMPANIES.map((company) => ({ ...company })),
    projects: [],
    vendors: [],
    commitments: [],
    requisitions: [],
    files: [],
    payments: [],
    consents: [],
    sessions: [],
    codes: [],
    tokens: [],
    faults: [],
    nextId: '91000001',
  };
}

/** Users, the app and the two companies, with nothing in them. */
export function emptySeed(): Seed {
  return { state: baseState('empty'), files: new Map() };
}

let built: Promise<Seed> | null = null;

/** The demo seed. Drawing its attachments takes a moment, so a process draws them once. */
export async function demoSeed(): Promise<Seed> {
  built ??= buildDemoSeed();
  const { state, files } = await built;
  return { state: { ...structuredClone(state), createdAt: new Date().toISOString(), settings: defaultSettings() }, files };
}

async function buildDemoSeed(): Promise<Seed> {
  const state = baseState('demo');
  const files = new Map<string, Uint8Array>();
  let nextFileId = 6181940001;
  let nextItemId = 5510001;
  let nextLineId = 177001;
  let nextCodeId = 881001;
  let nextWbsId = 991001;
  const costCodeIds = new Map<string, string>();

  PROJECTS.forEach(([id, companyId, job, name, city]) => {
    const project: Project = {
      id, companyId, name, projectNumber: job, originCode: job, originId: `SAGE-JOB-${job}`, active: true,
      stage: 'Course of Construction', city, stateCode: 'WA', createdAt: '2026-03-02T17:00:00Z', updatedAt: '2026-08-14T17:00:00Z',
    };
    state.projects.push(project);
  });
  VENDORS.forEach(([id, companyId, code, name, city], index) => {
    const vendor: Vendor = {
      id, companyId, name, abbreviatedName: code, originCode: code, originId: `SAGE-VND-${code}`, isActive: true, city,
      stateCode: 'WA', emailAddress: `ap@${code.toLowerCase()}.demo.test`, contactId: String(660001 + index),
      contactName: `${name.split(' ')[0]} Billing`, contactEmail: `billing@${code.toLowerCase()}.demo.test`, updatedAt: '2026-06-01T16:00:00Z',
    };
    state.vendors.push(vendor);
  });

  let sequence = 0;
  for (const spec of COMMITMENTS) {
    const project = state.projects.find((p) => p.projectNumber === spec.job)!;
    const vendor = state.vendors.find((v) => v.originCode === spec.vendor)!;
    const lines: CommitmentLine[] = spec.lines.map(([code, codeName, description, amount], index) => {
      const codeKey = `${project.id} ${code}`;
      if (!costCodeIds.has(codeKey)) costCodeIds.set(codeKey, String(nextCodeId++));
      const subJob = spec.subJobs?.[index];
      return {
        id: String(nextLineId++), description, amount: dollars(amount), costCodeId: costCodeIds.get(codeKey)!, costCode: code,
        costCodeName: codeName, category: spec.kind === 'subcontract' ? 'S' : 'M', wbsId: String(nextWbsId++),
        ...(subJob ? { subJob: { ...subJob } } : {}),
      };
    });
    const commitment: Commitment = {
      id: spec.id, projectId: project.id, type: spec.kind === 'subcontract' ? 'WorkOrderContract' : 'PurchaseOrderContract',
      number: spec.number, title: spec.title, status: 'Approved', executed: true, originCode: spec.number,
      originId: `SAGE-CMT-${spec.number}`, vendorId: vendor.id, retainagePercent: `${spec.retainage}.0`, allowPayments: true,
      paymentTerms: 'Net 30', createdAt: '2026-05-12T16:00:00Z', updatedAt: '2026-08-20T16:00:00Z', lines,
    };
    state.commitments.push(commitment);

    const chain = REQUISITIONS[spec.id] ?? [];
    const cumulative = lines.map(() => 0);
    const retained = lines.map(() => 0);
    // The stored-materials balance at the end of the last period, and the retainage held on it.
    const stored = lines.map(() => 0);
    const storedRetainage = lines.map(() => 0);
    for (const [index, req] of chain.entries()) {
      sequence++;
      const month = 11 - (chain.length - 1 - index);
      const { start, end, billing } = period(month);
      const items: RequisitionItem[] = lines.map((line, n) => {
        const toDate = Math.round((line.amount * req.progress[n]!) / 100);
        const workThisPeriod = toDate - cumulative[n]!;
        const materialsStored = dollars(req.materials?.[n] ?? 0);
        if (materialsStored < stored[n]!) throw new Error(`demo seed: materials stored on ${req.id} line ${n + 1} would be drawn down, which the seed does not model`);
        const item: RequisitionItem = {
          id: String(nextItemId++), commitmentLineId: line.id, lineNumber: n + 1, description: line.description,
          scheduledValue: line.amount, workFromPrevious: cumulative[n]!, workThisPeriod, materialsStored,
          retainageFromPrevious: retained[n]!, retainageThisPeriod: Math.round((workThisPeriod * spec.retainage) / 100),
          materialsRetainage: Math.round((materialsStored * spec.retainage) / 100),
          // Still in storage from last period: carried over, none moved into work completed.
          ...(stored[n] ? { materialsFromPrevious: stored[n]!, materialsMoved: 0, materialsRetainageFromPrevious: storedRetainage[n]! } : {}),
        };
        cumulative[n] = toDate;
        retained[n] = retained[n]! + item.retainageThisPeriod;
        stored[n] = materialsStored;
        storedRetainage[n] = item.materialsRetainage;
        return item;
      });
      const reviewed = req.status !== 'draft';
      const decided = ['approved', 'approved_as_noted', 'pending_owner_approval'].includes(req.status);
      const createdAt = plusDays(billing, 0, `15:${String(sequence).padStart(2, '0')}:00`);
      const requisition: Requisition = {
        id: req.id, projectId: project.id, commitmentId: spec.id, number: index + 1, invoiceNumber: req.invoice, status: req.status,
        billingDate: billing, periodId: String(117000 + state.projects.indexOf(project) * 100 + month), periodStart: start, periodEnd: end,
        submittedAt: reviewed ? billing : null, paymentDate: null, final: false, originId: req.originId ?? null, originData: null,
        ...(req.erpStatus ? { erpStatus: req.erpStatus } : {}),
        electronicSignatureId: req.docuSign ?? null, comment: req.status === 'approved_as_noted' ? 'Approved with markups: see page 2.' : null,
        createdAt, updatedAt: reviewed ? plusDays(billing, decided ? 3 : 1, `09:${String(sequence).padStart(2, '0')}:00`) : createdAt,
        attachmentIds: [], items,
      };
      for (const [n, attachment] of req.attachments.entries()) {
        const id = String(nextFileId++);
        const made = await attachmentFile(attachment, n + 1, { requisition, commitment, project, vendorName: vendor.name });
        files.set(id, made.bytes);
        const file: StoredFile = { id, filename: made.filename, contentType: made.contentType, size: made.bytes.length, createdAt };
        state.files.push(file);
        requisition.attachmentIds.push(id);
      }
      state.requisitions.push(requisition);
    }
  }
  return { state, files };
}

// ---- attachments, drawn on the spot ----

interface AttachmentContext {
  requisition: Requisition;
  commitment: Commitment;
  project: Project;
  vendorName: string;
}

async function attachmentFile(spec: AttachmentSpec, position: number, context: AttachmentContext): Promise<{ filename: string; contentType: string; bytes: Uint8Array }> {
  const label = context.requisition.invoiceNumber ?? `${context.commitment.number}-${context.requisition.number}`;
  switch (spec.kind) {
    case 'pdf':
      return { filename: position === 1 ? `${label}.pdf` : `${label}-backup-${position}.pdf`, contentType: 'application/pdf', bytes: await invoicePdf(spec.pages, context, false) };
    case 'encrypted-pdf':
      return { filename: `${label}-secured.pdf`, contentType: 'application/pdf', bytes: await invoicePdf(spec.pages, context, true) };
    case 'password-pdf':
      return { filename: `${label}-protected.pdf`, contentType: 'application/pdf', bytes: await invoicePdf(spec.pages, context, true, DEMO_PDF_PASSWORD) };
    case 'jpeg':
      return { filename: `${label}-site-photo.jpg`, contentType: 'image/jpeg', bytes: sitePhoto(Number(context.requisition.number)) };
    case 'rotated-jpeg':
      // Taken with the phone turned: stored landscape, shown portrait.
      return { filename: `${label}-delivery-photo.jpg`, contentType: 'image/jpeg', bytes: withExifOrientation(sitePhoto(Number(context.requisition.number)), 6) };
    case 'png':
      return { filename: `${label}-lien-waiver.png`, contentType: 'image/png', bytes: lienWaiverScan() };
  }
}

const FIXED_DATE = new Date('2026-11-01T12:00:00Z');

async function invoicePdf(pages: number, { requisition, commitment, project, vendorName }: AttachmentContext, encrypted: boolean, userPassword?: string): Promise<Uint8Array> {
  // pdf-lib takes ~0.4 s to load; only seeding needs it, not every command that knows the demo ids.
  const { applicationForPaymentPdf } = await import('../documents/demo-pdf.js');
  const { grossThisPeriod: gross, retainageThisPeriod: retainage } = requisitionTotals(requisition);
  const carried = (item: RequisitionItem) => (item.materialsFromPrevious ?? 0) - (item.materialsMoved ?? 0);
  return applicationForPaymentPdf({
    vendorName,
    title: `Invoice ${requisition.invoiceNumber ?? requisition.number}`,
    heading: [
      `Invoice ${requisition.invoiceNumber ?? '(none)'}   Application #${requisition.number}`,
      `Project ${project.projectNumber} ${project.name}   Commitment ${commitment.number}`,
      `Period ${requisition.periodStart} to ${requisition.periodEnd}   Billing date ${requisition.billingDate}`,
    ],
    items: requisition.items.map((item) => ({
      label: `${item.lineNumber}. ${item.description}`,
      amount: formatMoney((item.workThisPeriod + item.materialsStored - carried(item)) as Cents),
    })),
    totals: [
      { label: 'This period', amount: formatMoney(gross as Cents) },
      { label: 'Less retainage', amount: formatMoney(retainage as Cents) },
      { label: 'Current payment due', amount: formatMoney((gross - retainage) as Cents) },
    ],
    pages,
    encrypted,
    ...(userPassword ? { userPassword } : {}),
    date: FIXED_DATE,
  });
}

/** A greyscale "photo": sky, a grey building, and ground. */
function sitePhoto(variant: number): Uint8Array {
  return drawJpeg(320, 240, (bx, by) => {
    if (by < 12) return 210 - by * 3;
    if (bx > 8 + variant && bx < 28 && by < 24) return (bx + by) % 3 === 0 ? 90 : 130;
    return 70 + ((bx * 7 + by * 3) % 20);
  });
}

/** A white "scan" with grey text-like bars and a signature stroke. */
function lienWaiverScan(): Uint8Array {
  return drawPng(240, 320, (x, y) => {
    const line = Math.floor(y / 14);
    const inText = y % 14 < 6 && x > 24 && x < 216 - (line % 4) * 30 && line > 1 && line < 16;
    const signature = y > 260 && y < 290 && Math.abs(Math.sin(x / 9) * 12 + 275 - y) < 2 && x > 40 && x < 180;
    if (inText) return [90, 90, 90];
    if (signature) return [20, 40, 140];
    return [250, 250, 246];
  });
}
