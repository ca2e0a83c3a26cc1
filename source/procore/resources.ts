// The Procore resources apdesk reads and writes, each response checked at the edge (payloads.ts)
// into a typed record with its ids as strings.
import type { ProcoreId } from '../domain/ids.js';
import type { ProcoreUser } from '../domain/procore-config.js';
import type { ProcoreCommitment, ProcoreProject, ProcoreRequisition, ProcoreVendor } from '../domain/procore-mapping.js';
import type { ProcoreHttp } from './http.js';
import { parseCommitment, parseCompany, parseMe, parseProject, parseRequisition, parseVendor, type ProcoreCompany } from './payloads.js';

export type Company = ProcoreCompany;
export type Project = ProcoreProject;

export async function me(http: ProcoreHttp): Promise<ProcoreUser> {
  return parseMe((await http.get<unknown>('/rest/v1.0/me')).data);
}

export async function companies(http: ProcoreHttp): Promise<Company[]> {
  return (await http.list<unknown>('/rest/v1.0/companies')).map(parseCompany);
}

export async function projects(http: ProcoreHttp, companyId: string): Promise<Project[]> {
  return (await http.list<unknown>('/rest/v1.0/projects', { company_id: companyId })).map(parseProject);
}

/** Requisitions (subcontractor invoices) of one project; without view=extended they carry no items. */
export async function requisitions(
  http: ProcoreHttp,
  projectId: string,
  filters: { status?: string; updatedAt?: [string, string]; ids?: string[]; view?: string } = {},
): Promise<ProcoreRequisition[]> {
  const params: Record<string, string | readonly string[] | undefined> = { project_id: projectId };
  if (filters.status) params['filters[status]'] = filters.status;
  if (filters.updatedAt) params['filters[updated_at]'] = `${filters.updatedAt[0]}...${filters.updatedAt[1]}`;
  if (filters.ids) params['filters[id]'] = filters.ids;
  if (filters.view) params.view = filters.view;
  return (await http.list<unknown>('/rest/v1.1/requisitions', params)).map(parseRequisition);
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
