// The Procore resources apdesk reads and writes, with ids turned into strings at the edge.
import { UserError } from '../domain/errors.js';
import { procoreId, type ProcoreId } from '../domain/ids.js';
import type { ProcoreUser } from '../domain/procore-config.js';
import type { ProcoreHttp } from './http.js';

export interface Company {
  id: ProcoreId;
  name: string;
  isActive: boolean;
  myCompany: boolean;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`Procore sent ${what} that is not an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? fallback : String(value);
}

export async function me(http: ProcoreHttp): Promise<ProcoreUser> {
  const body = record((await http.get<unknown>('/rest/v1.0/me')).data, 'a user');
  return { id: procoreId(body.id as string, 'user id'), login: text(body.login), name: text(body.name, text(body.login)) };
}

export async function companies(http: ProcoreHttp): Promise<Company[]> {
  const list = await http.list<unknown>('/rest/v1.0/companies');
  return list.map((item) => {
    const body = record(item, 'a company');
    return {
      id: procoreId(body.id as string, 'company id'),
      name: text(body.name),
      isActive: body.is_active !== false,
      myCompany: body.my_company === true,
    };
  });
}

export interface Project {
  id: ProcoreId;
  name: string;
  projectNumber: string | null;
  active: boolean;
}

export async function projects(http: ProcoreHttp, companyId: string): Promise<Project[]> {
  const list = await http.list<unknown>('/rest/v1.0/projects', { company_id: companyId });
  return list.map((item) => {
    const body = record(item, 'a project');
    return {
      id: procoreId(body.id as string, 'project id'),
      name: text(body.name),
      projectNumber: body.project_number === null || body.project_number === undefined ? null : text(body.project_number),
      active: body.active !== false,
    };
  });
}

/** Requisitions (subcontractor invoices) of one project, raw: the mapping to invoices is the importer's. */
export async function requisitions(
  http: ProcoreHttp,
  projectId: string,
  filters: { status?: string; updatedAt?: [string, string]; ids?: string[]; view?: string } = {},
): Promise<Record<string, unknown>[]> {
  const params: Record<string, string | readonly string[] | undefined> = { project_id: projectId };
  if (filters.status) params['filters[status]'] = filters.status;
  if (filters.updatedAt) params['filters[updated_at]'] = `${filters.updatedAt[0]}...${filters.updatedAt[1]}`;
  if (filters.ids) params['filters[id]'] = filters.ids;
  if (filters.view) params.view = filters.view;
  return (await http.list<unknown>('/rest/v1.1/requisitions', params)).map((item) => record(item, 'a requisition'));
}

export async function requisition(http: ProcoreHttp, projectId: string, id: string, view = 'extended'): Promise<Record<string, unknown>> {
  return record((await http.get<unknown>(`/rest/v1.1/requisitions/${id}`, { project_id: projectId, view })).data, 'a requisition');
}
