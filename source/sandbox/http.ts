// Requests and responses as plain values: handlers return a SandboxResponse (or throw one as an
// HttpError), so the server can apply faults, rate-limit headers and request ids in one place.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { parseJsonExact, renderJson } from './json.js';

export interface SandboxRequest {
  method: string;
  url: URL;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress: string;
  /** This listener's own base URL, e.g. http://127.0.0.1:41234. */
  base: string;
}

export interface SandboxResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export class HttpError extends Error {
  constructor(readonly response: SandboxResponse) {
    super(`HTTP ${response.status}`);
  }
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: renderJson(value) };
}

/** Procore v1 error bodies say what is wrong in `errors`. */
export function jsonError(status: number, message: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(jsonResponse(status, { errors: message }, headers));
}

export function htmlResponse(status: number, markup: string, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: markup };
}

export function redirect(location: string, status = 302, headers: Record<string, string> = {}): SandboxResponse {
  return { status, headers: { location, ...headers }, body: '' };
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw jsonError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The request body as JSON (large ids kept exact), or a 400. */
export function jsonBody(request: SandboxRequest): Record<string, unknown> {
  const text = request.body.toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonExact(text);
  } catch {
    throw jsonError(400, 'The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw jsonError(400, 'The request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Form fields from an x-www-form-urlencoded or a JSON body (the OAuth endpoints take both). */
export function formBody(request: SandboxRequest): Record<string, string> {
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(jsonBody(request))) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = String(value);
    }
    return fields;
  }
  return Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
}

export function cookies(request: SandboxRequest): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) result[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return result;
}

export function bearerToken(request: SandboxRequest): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(String(request.headers.authorization ?? ''));
  return match ? match[1]! : null;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}
