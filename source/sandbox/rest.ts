// The REST subset apdesk uses (procore-api.md §3–§7): companies, projects, vendors, commitments,
// cost codes, requisitions (v1.0 and v1.1) and contract payments, behind a Bearer token and the
// Procore-Company-Id header, with Procore's paging headers and filters.
import { MoneyError, parseMoney } from '../domain/money.js';
import type { SandboxContext } from './context.js';
import { idFrom, int } from './json.js';
import { HttpError, jsonBody, jsonError, jsonResponse, type SandboxRequest, type SandboxResponse } from './http.js';
import {
  byId,
  commitmentJson,
  commitmentSummaryJson,
  contractListJson,
  costCodeJson,
  projectCostCodes,
  type CommitmentRoute,
  companyJson,
  paymentJson,
  projectJson,
  requisitionJson,
  vendorJson,
  type RequisitionView,
} from './resources.js';
import {
  REQUISITION_STATUSES,
  newId,
  type Commitment,
  type CommitmentType,
  type Company,
  type ContractPayment,
  type Project,
  type RequisitionStatus,
  type SandboxState,
} from './state.js';
import { authenticate, type Caller } from './tokens.js';

export const MISSING_COMPANY_HEADER = 'Missing Procore-Company-Id header!';
export const APP_NOT_INSTALLED = 'App is not connected to this company';
const MAX_PER_PAGE = 1000;

const notFound = (what: string) => jsonError(404, `${what} not found`);
const badRequest = (message: string) => jsonError(400, message);
const unprocessable = (errors: Record<string, string[]>) => new HttpError(jsonResponse(422, { errors }));

export interface RestOptions {
  /** The expired-storage-urls fault: attachment links in this answer are issued already expired. */
  expiredLinks: boolean;
}

/** Answers one /rest/... request. */
export async function handleRest(context: SandboxContext, request: SandboxRequest, options: RestOptions = { expiredLinks: false }): Promise<SandboxResponse> {
  const state = await context.store.read();
  const caller = authenticate(state, request, context.now());
  const match = /^\/rest\/v(1\.[01])\/([a-z_]+)(?:\/([^/]+))?\/?$/.exec(request.path);
  if (!match) throw notFound('Route');
  const [, version, resource, id] = match as unknown as [string, '1.0' | '1.1', string, string | undefined];
  const route = `${request.method} ${version} ${resource}${id ? ' :id' : ''}`;

  if (route === 'GET 1.0 me') return jsonResponse(200, { id: int(caller.user.id), login: caller.user.email, name: caller.user.name });
  if (route === 'GET 1.0 companies') {
    const companies = state.companies.filter((company) => caller.user.companyIds.includes(company.id)).sort(byId);
    return paginated(request, companies.map(companyJson), 100);
  }

  const company = requireCompany(state, request, caller);
  switch (route) {
    case 'GET 1.0 projects': {
      requireCompanyParam(request, company);
      const projects = state.projects.filter((project) => project.companyId === company.id && canSee(caller, project)).sort(byId);
      return paginated(request, projects.map((project) => projectJson(state, project)), 100);
    }
    case 'GET 1.0 vendors': {
      requireCompanyParam(request, company);
      const ids = idFilter(request, 'id');
      const vendors = state.vendors
        .filter((vendor) => vendor.companyId === company.id && (!ids || ids.includes(vendor.id)))
        .sort(byId);
      return paginated(request, vendors.map((vendor) => vendorJson(vendor, request.query.get('view') ?? 'extended')), 100);
    }
    case 'GET 1.0 vendors :id': {
      requireCompanyParam(request, company);
      const vendor = state.vendors.find((candidate) => candidate.id === id && candidate.companyId === company.id);
      if (!vendor) throw notFound(`Vendor ${id}`);
      return jsonResponse(200, vendorJson(vendor, request.query.get('view') ?? 'extended'));
    }
    case 'GET 1.0 commitments':
      return paginated(request, commitmentsOf(state, requireProject(state, request, company, caller)).map((c) => commitmentSummaryJson(state, c)), 100);
    case 'GET 1.0 commitments :id':
      return jsonResponse(200, commitmentJson(state, requireCommitment(state, requireProject(state, request, company, caller), id!)));
    case 'GET 1.0 work_order_contracts':
    case 'GET 1.0 purchase_order_contracts': {
      const type = contractType(resource);
      const commitments = commitmentsOf(state, requireProject(state, request, company, caller)).filter((c) => c.type === type);
      return paginated(request, commitments.map((c) => contractListJson(state, c, contractRoute(resource))), 100);
    }
    case 'GET 1.0 work_order_contracts :id':
    case 'GET 1.0 purchase_order_contracts :id':
      return jsonResponse(200, commitmentJson(state, requireCommitment(state, requireProject(state, request, company, caller), id!, contractType(resource)), contractRoute(resource)));
    case 'GET 1.0 cost_codes': {
      const project = requireProject(state, request, company, caller);
      const view = request.query.get('view') ?? 'default';
      if (!['default', 'erp_compact'].includes(view)) throw badRequest(`view '${view}' is not one of default, erp_compact`);
      const ids = idFilter(request, 'id');
      const originId = request.query.get('filters[origin_id]');
      // sub_job_id is taken and not applied: the sandbox's cost codes belong to the whole project.
      const codes = projectCostCodes(state, project.id).filter((code) => (!ids || ids.includes(code.id)) && originId === null);
      return paginated(request, codes.map(costCodeJson), 100);
    }
    case 'GET 1.0 requisitions':
    case 'GET 1.1 requisitions':
      return listRequisitions(context, state, request, requireProject(state, request, company, caller), version, options);
    case 'GET 1.0 requisitions :id':
    case 'GET 1.1 requisitions :id': {
      const project = requireProject(state, request, company, caller);
      const requisition = state.requisitions.find((candidate) => candidate.id === id && candidate.projectId === project.id);
      if (!requisition) throw notFound(`Requisition ${id}`);
      return jsonResponse(200, requisitionJson(state, requisition, requisitionView(context, request, version, options)));
    }
    case 'GET 1.0 contract_payments': {
      const project = requireProject(state, request, company, caller);
      // Procore's list takes project_id, contract_id, page and per_page only: no filters, so a
      // client that looks for its own payment by origin_id must read the whole list.
      const contract = requireCommitment(state, project, requiredId(request.query.get('contract_id'), 'contract_id'));
      const payments = state.payments.filter((payment) => payment.contractId === contract.id).sort(byId);
      return paginated(request, payments.map(paymentJson), 100);
    }
    case 'GET 1.0 contract_payments :id': {
      const project = requireProject(state, request, company, caller);
      const contract = requireCommitment(state, project, requiredId(request.query.get('contract_id'), 'contract_id'));
      const payment = state.payments.find((candidate) => candidate.id === id && candidate.contractId === contract.id);
      if (!payment) throw notFound(`Contract payment ${id}`);
      return jsonResponse(200, paymentJson(payment));
    }
    case 'POST 1.0 contract_payments':
      return createPayment(context, request, company, caller);
    default:
      throw notFound('Route');
  }
}

const contractRoute = (resource: string): CommitmentRoute => (resource === 'work_order_contracts' ? 'work_order_contracts' : 'purchase_order_contracts');

function contractType(resource: string): CommitmentType {
  return resource === 'work_order_contracts' ? 'WorkOrderContract' : 'PurchaseOrderContract';
}

function requiredId(value: unknown, name: string): string {
  if (value === null || value === undefined || value === '') throw badRequest(`Missing required parameter: ${name}`);
  const id = idFrom(value);
  if (!id) throw badRequest(`${name} '${String(value)}' is not an id`);
  return id;
}

/** The company named by Procore-Company-Id, which the caller must be able to see. */
function requireCompany(state: SandboxState, request: SandboxRequest, caller: Caller): Company {
  const header = request.headers['procore-company-id'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') throw badRequest(MISSING_COMPANY_HEADER);
  const id = idFrom(value);
  const company = id ? state.companies.find((candidate) => candidate.id === id) : undefined;
  if (!company || !caller.user.companyIds.includes(company.id)) {
    throw jsonError(403, `You do not have access to company ${value.trim()} (Procore-Company-Id)`);
  }
  // Procore documents a 401 (or a 403 "App is not connected to this company") until the app is
  // installed in the company; which of the two, and the exact body, is not documented.
  if (company.appInstalled === false) throw jsonError(401, APP_NOT_INSTALLED);
  return company;
}

function requireCompanyParam(request: SandboxRequest, company: Company): void {
  const id = requiredId(request.query.get('company_id'), 'company_id');
  if (id !== company.id) throw notFound(`Company ${id}`);
}

/** A company admin sees every project of the company; anyone else only the projects they are a member of. */
function canSee(caller: Caller, project: Project): boolean {
  const admin = caller.user.adminCompanyIds ?? caller.user.companyIds;
  return admin.includes(project.companyId) || (caller.user.projectIds ?? []).includes(project.id);
}

/** The project named by project_id; one the caller is not a member of is a 404, as Procore hides what a user cannot see. */
function requireProject(state: SandboxState, request: SandboxRequest, company: Company, caller: Caller): Project {
  const id = requiredId(request.query.get('project_id'), 'project_id');
  const project = state.projects.find((candidate) => candidate.id === id && candidate.companyId === company.id);
  if (!project || !canSee(caller, project)) throw notFound(`Project ${id}`);
  return project;
}

function commitmentsOf(state: SandboxState, project: Project): Commitment[] {
  return state.commitments.filter((commitment) => commitment.projectId === project.id).sort(byId);
}

function requireCommitment(state: SandboxState, project: Project, id: string, type?: CommitmentType): Commitment {
  const commitment = state.commitments.find(
    (candidate) => candidate.id === id && candidate.projectId === project.id && (!type || candidate.type === type),
  );
  if (!commitment) throw notFound(`Commitment ${id}`);
  return commitment;
}

/** `filters[name]` or `filters[name][]`, single or repeated, as ids; null when absent. */
function idFilter(request: SandboxRequest, name: string): string[] | null {
  const values = [...request.query.getAll(`filters[${name}]`), ...request.query.getAll(`filters[${name}][]`)];
  if (!values.length) return null;
  return values.flatMap((value) => value.split(',')).map((value) => {
    const id = idFrom(value);
    if (!id) throw badRequest(`filters[${name}] '${value}' is not an id`);
    return id;
  });
}

const RANGE_FORMS = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?$/;

/**
 * `filters[name]=START...END`, both ends included, in the two forms Procore documents:
 * `YYYY-MM-DD...YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ...YYYY-MM-DDTHH:MM:SSZ`. Anything else
 * (fractions of a second, other offsets) is refused, so the client relies on nothing undocumented.
 * A day as the end holds the whole day, in UTC: in which time zone Procore reads a bare day is not
 * documented.
 */
function rangeFilter(request: SandboxRequest, name: string): ((value: string) => boolean) | null {
  const raw = request.query.get(`filters[${name}]`);
  if (raw === null) return null;
  const [from, to, extra] = raw.split('...');
  const start = from?.match(RANGE_FORMS);
  const end = to?.match(RANGE_FORMS);
  const first = start ? Date.parse(start[2] ? from! : `${from}T00:00:00Z`) : NaN;
  const last = end ? Date.parse(end[2] ? to! : `${to}T23:59:59.999Z`) : NaN;
  if (extra !== undefined || Number.isNaN(first) || Number.isNaN(last)) {
    throw badRequest(
      `filters[${name}] must be a range of ISO 8601 days or UTC times, YYYY-MM-DD...YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ...YYYY-MM-DDTHH:MM:SSZ (got '${raw}')`,
    );
  }
  return (value) => {
    const at = Date.parse(value);
    return at >= first && at <= last;
  };
}

function requisitionView(context: SandboxContext, request: SandboxRequest, version: '1.0' | '1.1', options: RestOptions): RequisitionView {
  const view = request.query.get('view') ?? 'default';
  if (version === '1.1' && !['default', 'extended', 'items', 'action_policy'].includes(view)) {
    throw badRequest(`view '${view}' is not one of default, extended, items, action_policy`);
  }
  return { version, items: version === '1.1' && (view === 'extended' || view === 'items'), context, expiredLinks: options.expiredLinks };
}

function listRequisitions(context: SandboxContext, state: SandboxState, request: SandboxRequest, project: Project, version: '1.0' | '1.1', options: RestOptions): SandboxResponse {
  if (request.query.has('filters[status][]') || request.query.getAll('filters[status]').length > 1) {
    throw badRequest('filters[status] takes a single status; make one call per status');
  }
  const status = request.query.get('filters[status]');
  if (status !== null && !REQUISITION_STATUSES.includes(status as RequisitionStatus)) {
    throw badRequest(`filters[status] '${status}' is not one of ${REQUISITION_STATUSES.join(', ')}`);
  }
  const ids = idFilter(request, 'id');
  const commitmentIds = idFilter(request, 'commitment_id');
  const periodIds = idFilter(request, 'period_id');
  const updated = rangeFilter(request, 'updated_at');
  const created = rangeFilter(request, 'created_at');
  const originId = request.query.get('filters[origin_id]');
  const view = requisitionView(context, request, version, options);
  const requisitions = state.requisitions
    .filter(
      (requisition) =>
        requisition.projectId === project.id &&
        (status === null || requisition.status === status) &&
        (!ids || ids.includes(requisition.id)) &&
        (!commitmentIds || commitmentIds.includes(requisition.commitmentId)) &&
        (!periodIds || periodIds.includes(requisition.periodId)) &&
        (!updated || updated(requisition.updatedAt)) &&
        (!created || created(requisition.createdAt)) &&
        (originId === null || requisition.originId === originId),
    )
    .sort(byId);
  return paginated(request, requisitions, 30, (requisition) => requisitionJson(state, requisition, view));
}

/** One page of `items`, with Procore's Total, Per-Page and Link headers; `render` writes only the page's items. */
function paginated<T>(request: SandboxRequest, items: T[], defaultPerPage: number, render: (item: T) => unknown = (item) => item): SandboxResponse {
  const perPageText = request.query.get('per_page');
  const pageText = request.query.get('page');
  const perPage = Math.min(MAX_PER_PAGE, positiveInteger(perPageText, 'per_page') ?? defaultPerPage);
  const page = positiveInteger(pageText, 'page') ?? 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number, rel: string) => {
    const url = new URL(request.path, request.base);
    for (const [key, value] of request.query) if (key !== 'page' && key !== 'per_page') url.searchParams.append(key, value);
    url.searchParams.set('page', String(target));
    url.searchParams.set('per_page', String(perPage));
    return `<${url}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, last), 'prev'));
  if (page < last) links.push(link(page + 1, 'next'));
  links.push(link(last, 'last'));
  return jsonResponse(200, items.slice((page - 1) * perPage, page * perPage).map(render), {
    total: String(items.length),
    'per-page': String(perPage),
    link: links.join(', '),
  });
}

function positiveInteger(text: string | null, name: string): number | null {
  if (text === null || text === '') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw badRequest(`${name} must be a whole number from 1`);
  return Number(text);
}

const PAYMENT_METHODS = ['check', 'credit_card', 'electronic'];

/** POST /rest/v1.0/contract_payments: 201 with the payment; 422 on a business-rule failure. */
async function createPayment(context: SandboxContext, request: SandboxRequest, company: Company, caller: Caller): Promise<SandboxResponse> {
  const body = jsonBody(request);
  const fields = body.contract_payment;
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw badRequest('Missing required parameter: contract_payment');
  const input = fields as Record<string, unknown>;
  const projectId = requiredId(body.project_id ?? request.query.get('project_id'), 'project_id');
  const contractId = requiredId(body.contract_id ?? request.query.get('contract_id'), 'contract_id');
  const text = (name: string) => {
    const value = input[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    throw unprocessable({ [name]: ['is invalid'] });
  };

  const errors: Record<string, string[]> = {};
  const date = text('date');
  if (!date) errors.date = ["can't be blank"];
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) errors.date = ['is not a date (YYYY-MM-DD)'];
  let amount = 0;
  const amountText = input.amount;
  if (amountText === undefined || amountText === null || amountText === '') errors.amount = ["can't be blank"];
  else {
    try {
      amount = parseMoney(amountText as string | number);
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      errors.amount = ['is not a number'];
    }
  }
  const method = text('payment_method');
  if (method !== null && !PAYMENT_METHODS.includes(method)) errors.payment_method = [`is not included in the list (${PAYMENT_METHODS.join(', ')})`];
  const paymentNumberValue = input.payment_number;
  let paymentNumber: number | null = null;
  if (paymentNumberValue !== undefined && paymentNumberValue !== null && paymentNumberValue !== '') {
    if (typeof paymentNumberValue === 'number' && Number.isSafeInteger(paymentNumberValue)) paymentNumber = paymentNumberValue;
    else if (typeof paymentNumberValue === 'string' && /^\d+$/.test(paymentNumberValue)) paymentNumber = Number(paymentNumberValue);
    else errors.payment_number = ['must be an integer'];
  }
  const drawText = text('draw_request_number');
  const requisitionId = input.requisition_id === undefined || input.requisition_id === null ? null : idFrom(input.requisition_id);
  if (input.requisition_id !== undefined && input.requisition_id !== null && !requisitionId) errors.requisition_id = ['is invalid'];
  if (Object.keys(errors).length) throw unprocessable(errors);

  const created = await context.store.update((state) => {
    const project = state.projects.find((candidate) => candidate.id === projectId && candidate.companyId === company.id);
    if (!project || !canSee(caller, project)) throw notFound(`Project ${projectId}`);
    const contract = state.commitments.find((candidate) => candidate.id === contractId && candidate.projectId === project.id);
    if (!contract) throw notFound(`Commitment ${contractId}`);
    if (!contract.allowPayments) throw unprocessable({ base: ['Payments are not allowed on this commitment'] });
    if (requisitionId && !state.requisitions.some((r) => r.id === requisitionId && r.commitmentId === contract.id)) {
      throw unprocessable({ requisition_id: [`${requisitionId} is not a subcontractor invoice on this commitment`] });
    }
    const originId = text('origin_id');
    if (originId !== null && state.payments.some((payment) => payment.originId === originId)) {
      throw unprocessable({ origin_id: ['has already been taken'] });
    }
    const at = new Date(context.now()).toISOString();
    const payment: ContractPayment = {
      id: newId(state),
      projectId: project.id,
      contractId: contract.id,
      requisitionId,
      date: date!,
      amount,
      paymentMethod: method,
      checkNumber: text('check_number'),
      paymentNumber,
      invoiceNumber: text('invoice_number'),
      invoiceDate: text('invoice_date'),
      drawRequestNumber: drawText !== null && /^\d+$/.test(drawText) ? Number(drawText) : null,
      notes: text('notes'),
      originId,
      originData: text('origin_data'),
      createdById: caller.user.id,
      createdAt: at,
      updatedAt: at,
    };
    state.payments.push(payment);
    return payment;
  });
  return jsonResponse(201, paymentJson(created));
}
