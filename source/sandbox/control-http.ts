// The control API under /_sandbox (no auth; loopback only): the same operations as control.ts,
// for scripts and for processes that know only the sandbox's URL.
import { UserError } from '../domain/errors.js';
import type { SandboxContext } from './context.js';
import {
  SandboxNotFoundError,
  addRequisition,
  approveRequisition,
  attachFile,
  clearFaults,
  listFaults,
  listPayments,
  removeCostCode,
  sandboxStatus,
  setFault,
  setAppInstalled,
  setRateLimits,
  setTokenLifetime,
  updateRequisition,
  type FaultRequest,
  type NewRequisition,
  type RequisitionChanges,
} from './control.js';
import { HttpError, jsonBody, jsonResponse, type SandboxRequest, type SandboxResponse } from './http.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const fail = (status: number, message: string) => new HttpError(jsonResponse(status, { error: message }));

export interface ControlEndpoint {
  pid: number;
  stateDir: string;
  apiUrl: string;
  loginUrl: string;
  storageUrl: string;
  controlUrl: string;
}

export async function handleControl(context: SandboxContext, request: SandboxRequest, endpoint: ControlEndpoint): Promise<SandboxResponse> {
  if (!LOOPBACK.has(request.remoteAddress)) throw fail(403, 'the control API answers only on the loopback interface');
  const route = `${request.method} ${request.path.replace(/\/+$/, '')}`;
  const options = { now: context.now() };
  try {
    if (route === 'GET /_sandbox/health') return jsonResponse(200, { ok: true, ...endpoint });
    if (route === 'GET /_sandbox/status') return jsonResponse(200, await sandboxStatus(context.stateDir, options));
    if (route === 'GET /_sandbox/faults') return jsonResponse(200, await listFaults(context.stateDir));
    if (route === 'POST /_sandbox/faults') return jsonResponse(200, await setFault(context.stateDir, jsonBody(request) as unknown as FaultRequest, options));
    if (route === 'DELETE /_sandbox/faults') return jsonResponse(200, { cleared: await clearFaults(context.stateDir) });
    if (route === 'POST /_sandbox/token-lifetime') {
      const seconds = Number(jsonBody(request).seconds);
      await setTokenLifetime(context.stateDir, seconds);
      return jsonResponse(200, { accessTokenLifetimeSec: seconds });
    }
    if (route === 'POST /_sandbox/rate-limits') {
      await setRateLimits(context.stateDir, jsonBody(request) as Parameters<typeof setRateLimits>[1]);
      return jsonResponse(200, { ok: true });
    }
    if (route === 'GET /_sandbox/payments') {
      const query = request.query;
      return jsonResponse(200, await listPayments(context.stateDir, {
        ...(query.get('contract_id') ? { contractId: query.get('contract_id')! } : {}),
        ...(query.get('requisition_id') ? { requisitionId: query.get('requisition_id')! } : {}),
        ...(query.get('origin_id') ? { originId: query.get('origin_id')! } : {}),
      }));
    }
    if (route === 'POST /_sandbox/requisitions') {
      return jsonResponse(201, await addRequisition(context.stateDir, jsonBody(request) as unknown as NewRequisition, options));
    }
    const approve = /^POST \/_sandbox\/requisitions\/(\d+)\/approve$/.exec(route);
    if (approve) {
      const status = jsonBody(request).status;
      return jsonResponse(200, await approveRequisition(context.stateDir, approve[1]!, (status ?? 'approved') as 'approved', options));
    }
    const change = /^PATCH \/_sandbox\/requisitions\/(\d+)$/.exec(route);
    if (change) {
      const body = jsonBody(request);
      const changes: RequisitionChanges = {
        ...(body.status !== undefined ? { status: body.status as RequisitionChanges['status'] } : {}),
        ...(body.originId !== undefined ? { originId: nullableText(body.originId, 'originId') } : {}),
        ...(body.erpStatus !== undefined ? { erpStatus: nullableText(body.erpStatus, 'erpStatus') } : {}),
        ...(body.itemCoding !== undefined ? { itemCoding: body.itemCoding as RequisitionChanges['itemCoding'] } : {}),
      };
      return jsonResponse(200, await updateRequisition(context.stateDir, change[1]!, changes, options));
    }
    const attach = /^POST \/_sandbox\/requisitions\/(\d+)\/attachments$/.exec(route);
    if (attach) {
      const filename = request.query.get('filename');
      if (!filename) throw fail(400, 'name the file with ?filename=');
      const contentType = request.query.get('content_type') ?? undefined;
      const touchUpdatedAt = request.query.get('touch_updated_at') !== 'false';
      const stored = await attachFile(context.stateDir, attach[1]!, { filename, bytes: request.body, ...(contentType ? { contentType } : {}) }, { ...options, touchUpdatedAt });
      return jsonResponse(201, stored);
    }
    const costCode = /^DELETE \/_sandbox\/projects\/(\d+)\/cost_codes\/(\d+)$/.exec(route);
    if (costCode) {
      await removeCostCode(context.stateDir, costCode[1]!, costCode[2]!);
      return jsonResponse(200, { projectId: costCode[1], costCodeId: costCode[2], removed: true });
    }
    const app = /^PUT \/_sandbox\/companies\/(\d+)\/app-installed$/.exec(route);
    if (app) {
      const installed = jsonBody(request).installed;
      if (typeof installed !== 'boolean') throw fail(400, 'send {"installed": true} or {"installed": false}');
      await setAppInstalled(context.stateDir, app[1]!, installed);
      return jsonResponse(200, { companyId: app[1], installed });
    }
  } catch (error) {
    if (error instanceof SandboxNotFoundError) throw fail(404, error.message);
    if (error instanceof UserError) throw fail(400, error.message);
    throw error;
  }
  throw fail(404, `no control endpoint ${route}`);
}

function nullableText(value: unknown, name: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw fail(400, `${name} is text or null`);
}
