// The attachment download paths: a requisition's attachment links are pre-signed, expiring URLs
// on the storage listener (S3-style), or (settings.fileLinks 'api') file URLs on the API host that
// need the Bearer token and answer 302 to such a URL. The storage listener serves the bytes and,
// like S3, refuses a request that also carries an Authorization header.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SandboxContext } from './context.js';
import { redirect, type SandboxRequest, type SandboxResponse } from './http.js';
import { storedFilePath, type SandboxState, type StoredFile } from './state.js';

export const FILE_PATH_PREFIX = '/fas/api/v5/files/';

export function attachmentUrl(apiUrl: string, fileId: string): string {
  return `${apiUrl}${FILE_PATH_PREFIX}${fileId}`;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

function signature(key: string, path: string, date: string, expires: string): string {
  return createHmac('sha256', key).update(`GET\n${path}\n${date}\n${expires}`).digest('hex');
}

/** A pre-signed storage URL for `file`, valid from `issuedAt` (ms) for the configured lifetime. */
export function presignedUrl(storageUrl: string, state: SandboxState, file: StoredFile, issuedAt: number): string {
  const path = `/prostore/${file.id}/${encodeURIComponent(file.filename)}`;
  const date = amzDate(issuedAt);
  const expires = String(state.settings.storageUrlLifetimeSec);
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `SANDBOX/${date.slice(0, 8)}/us-west-2/s3/aws4_request`,
    'X-Amz-Date': date,
    'X-Amz-Expires': expires,
    'X-Amz-SignedHeaders': 'host',
    'X-Amz-Signature': signature(state.settings.signingKey, path, date, expires),
  });
  return `${storageUrl}${path}?${query}`;
}

/** What issuing a link needs of the server: its two URLs and its clock. */
export type LinkIssuer = Pick<SandboxContext, 'apiUrl' | 'storageUrl' | 'now'>;

/** When a link issued now was signed: now, or (the expired-storage-urls fault) long enough ago to have expired. */
export function signedAt(context: LinkIssuer, state: SandboxState, expired: boolean): number {
  return expired ? context.now() - (state.settings.storageUrlLifetimeSec + 60) * 1000 : context.now();
}

/** The link a requisition gives for one of its attachments, as settings.fileLinks says. */
export function fileLink(context: LinkIssuer, state: SandboxState, file: StoredFile, expired: boolean): string {
  return state.settings.fileLinks === 'api' ? attachmentUrl(context.apiUrl, file.id) : presignedUrl(context.storageUrl, state, file, signedAt(context, state, expired));
}

/** GET /fas/api/v5/files/{id} (after the Bearer check): 302 to storage. `expired` issues an already-expired URL. */
export function fileRedirect(context: SandboxContext, state: SandboxState, fileId: string, expired: boolean): SandboxResponse | null {
  const file = state.files.find((candidate) => candidate.id === fileId);
  if (!file) return null;
  return redirect(presignedUrl(context.storageUrl, state, file, signedAt(context, state, expired)), 302, { 'cache-control': 'no-store' });
}

function s3Error(status: number, code: string, message: string, requestId: string): SandboxResponse {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

/** The storage listener: verifies the signature and expiry, then serves the file's bytes. */
export async function serveStorage(context: SandboxContext, request: SandboxRequest, requestId: string): Promise<SandboxResponse> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', requestId);
  if (request.headers.authorization !== undefined) {
    return s3Error(400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', requestId);
  }
  const match = /^\/prostore\/(\d+)\/[^/]+$/.exec(request.path);
  const date = request.query.get('X-Amz-Date') ?? '';
  const expires = request.query.get('X-Amz-Expires') ?? '';
  const given = request.query.get('X-Amz-Signature') ?? '';
  if (!match || !date || !expires || !given) return s3Error(403, 'AccessDenied', 'Access Denied', requestId);
  const state = await context.store.read();
  const expected = signature(state.settings.signingKey, request.path, date, expires);
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', requestId);
  }
  const issuedAt = parseAmzDate(date);
  if (issuedAt === null || issuedAt + Number(expires) * 1000 < context.now()) {
    return s3Error(403, 'AccessDenied', 'Request has expired', requestId);
  }
  const file = state.files.find((candidate) => candidate.id === match[1]);
  if (!file) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', requestId);
  const bytes = await readFile(storedFilePath(context.stateDir, file));
  return {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
      etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    },
    body: bytes,
  };
}
