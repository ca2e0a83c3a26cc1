// The Procore resources apdesk reads and writes, each response checked at the edge (payloads.ts)
// into a typed record with its ids as strings.
import { UserError } from '../domain/errors.js';
import type { ProcoreId } from '../domain/ids.js';
import type { ProcoreUser } from '../domain/procore-config.js';
import type { ProcoreCommitment, ProcoreProject, ProcoreRequisition, ProcoreVendor } from '../domain/procore-mapping.js';
import type { ProcoreHttp } from './http.js';
import {
  checkRequisition,
  parseCommitment,
  parseCompany,
  parseCostCode,
  parseMe,
  parseProject,
  parseRequisition,
  parseVendor,
  type ProcoreCompany,
  type ProcoreCostCode,
  type RefusedRequisition,
} from './payloads.js';

export type Company = ProcoreCompany;
export type Project = ProcoreProject;
export type CostCode = ProcoreCostCode;

export async function me(http: ProcoreHttp): Promise<ProcoreUser> {
  return parseMe((await http.get<unknown>('/rest/v1.0/me')).data);
}

export async function companies(http: ProcoreHttp): Promise<Company[]> {
  return (await http.list<unknown>('/rest/v1.0/companies')).map(parseCompany);
}

export async function projects(http: ProcoreHttp, companyId: string): Promise<Project[]> {
  return (await http.list<unknown>('/rest/v1.0/projects', { company_id: companyId })).map(parseProject);
}

export interface RequisitionFilters {
  /** One status per call: Procore's filters[status] takes a single value. */
  status?: string;
  /**
   * Updated within [from, to], both ends included: ISO 8601 times (sent to the second, the from
   * end rounded down and the to end up, as Procore documents `YYYY-MM-DDTHH:MM:SSZ`) or days.
   */
  updatedAt?: [string, string];
  ids?: string[];
  /** `extended` (or `items`) adds each requisition's items and summary to the list. */
  view?: string;
}

function requisitionParams(projectId: string, filters: RequisitionFilters): Record<string, string | readonly string[] | undefined> {
  const params: Record<string, string | readonly string[] | undefined> = { project_id: projectId };
  if (filters.status) params['filters[status]'] = filters.status;
  if (filters.updatedAt) params['filters[updated_at]'] = `${rangeEnd(filters.updatedAt[0], 'from')}...${rangeEnd(filters.updatedAt[1], 'to')}`;
  if (filters.ids) params['filters[id]'] = filters.ids;
  if (filters.view) params.view = filters.view;
  return params;
}

/** One end of an updated_at range in a form Procore documents: a day as given, a time to the whole second in UTC. */
function rangeEnd(value: string, end: 'from' | 'to'): string {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new UserError(`updated_at ${end} '${value}' is not an ISO 8601 time (e.g. 2026-11-20T15:07:00Z) or a day (2026-11-20)`);
  const seconds = end === 'from' ? Math.floor(at / 1000) : Math.ceil(at / 1000);
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Requisitions (subcontractor invoices) of one project, each checked on its own: one that does not
 * pass is named in `refused` with the reason, and the others are still read. Without view=extended
 * they carry no items.
 */
export async function requisitionsChecked(
  http: ProcoreHttp,
  projectId: string,
  filters: RequisitionFilters = {},
): Promise<{ requisitions: ProcoreRequisition[]; refused: RefusedRequisition[] }> {
  const requisitions: ProcoreRequisition[] = [];
  const refused: RefusedRequisition[] = [];
  for (const raw of await http.list<unknown>('/rest/v1.1/requisitions', requisitionParams(projectId, filters))) {
    const checked = checkRequisition(raw);
    if (checked.ok) requisitions.push(checked.requisition);
    else refused.push({ id: checked.id, reason: checked.reason });
  }
  return { requisitions, refused };
}

/** Requisitions of one project; the first that does not pass the check refuses the whole list (see requisitionsChecked). */
export async function requisitions(http: ProcoreHttp, projectId: string, filters: RequisitionFilters = {}): Promise<ProcoreRequisition[]> {
  const { requisitions: read, refused } = await requisitionsChecked(http, projectId, filters);
  const first = refused[0];
  if (first) throw new UserError(`Procore requisition ${first.id ?? '(no id)'}: ${first.reason}`);
  return read;
}

export async function requisition(http: ProcoreHttp, projectId: string, id: string, view = 'extended'): Promise<ProcoreRequisition> {
  return parseRequisition((await http.get<unknown>(`/rest/v1.1/requisitions/${id}`, { project_id: projectId, view })).data);
}

/** One commitment (subcontract or purchase order) of a project, with its type and vendor. */
export async function commitment(http: ProcoreHttp, projectId: string, id: ProcoreId | string): Promise<ProcoreCommitment> {
  return parseCommitment((await http.get<unknown>(`/rest/v1.0/commitments/${id}`, { project_id: projectId })).data);
}

/** One vendor of a company; view=erp carries its code in the accounting system (origin_code). */
export async function vendor(http: ProcoreHttp, companyId: string, id: ProcoreId | string, view = 'erp'): Promise<ProcoreVendor> {
  return parseVendor((await http.get<unknown>(`/rest/v1.0/vendors/${id}`, { company_id: companyId, view })).data);
}

/**
 * A project's cost codes (GET /rest/v1.0/cost_codes?project_id=), to resolve an item's
 * cost_code_id. Procore's schema lists the endpoint but leaves each cost code empty ({}): the
 * fields read (id, full_code, name) follow Procore's public docs.
 */
export async function costCodes(http: ProcoreHttp, projectId: string): Promise<CostCode[]> {
  return (await http.list<unknown>('/rest/v1.0/cost_codes', { project_id: projectId })).map(parseCostCode);
}
