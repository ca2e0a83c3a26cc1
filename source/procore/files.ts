// Downloading a Procore file. An attachment link is either a pre-signed URL on a storage host
// (it carries its own credentials in the query) or a file link on Procore's API host that needs the
// Bearer token and redirects to one. The token goes only to the connection's API and login hosts
// (and, on hosted Procore, *.procore.com), never to a storage host and never with a pre-signed URL:
// storage refuses a request with two kinds of credentials, and the token must not leak there.
// Streamed to disk with a total deadline and a size cap; the file appears under its final name only
// when complete. An expired link is a DownloadLinkExpiredError: read the requisition again.
import axios, { type AxiosResponse } from 'axios';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Logger } from '../log/log.js';
import { mayCarryToken, type ProcoreEnvironment } from './environments.js';
import { ProcoreError } from './errors.js';
import type { AccessTokens } from './tokens.js';

/**
 * The storage host refused a pre-signed link (403): it has expired, or its signature no longer
 * holds. Procore issues fresh links each time a requisition is read, so the remedy is to read the
 * requisition again and download from its new links.
 */
export class DownloadLinkExpiredError extends ProcoreError {
  constructor(
    readonly link: string,
    readonly host: string,
    requestId: string | null,
    body: string,
  ) {
    const expired = /expired/i.test(body);
    super(
      `the download link for ${link} ${expired ? 'has expired' : 'was refused, probably because it has expired'} (${host} answered 403) — read the invoice again from Procore for fresh links`,
      403,
      requestId,
      body,
    );
    this.name = 'DownloadLinkExpiredError';
  }
}

/** Query parameters by which a URL carries its own signature (S3, CloudFront, Google Cloud Storage, Azure). */
const SIGNATURE_PARAMS = ['x-amz-signature', 'x-amz-credential', 'signature', 'x-goog-signature', 'sig'];

/** Whether `url` is pre-signed: it authorises itself, so a Bearer token is never added to it. */
export function isPresigned(url: string): boolean {
  try {
    return [...new URL(url).searchParams.keys()].some((name) => SIGNATURE_PARAMS.includes(name.toLowerCase()));
  } catch {
    return false;
  }
}

export interface DownloadOptions {
  environment: ProcoreEnvironment;
  tokens: AccessTokens;
  logger: Logger;
  /** The whole download, redirects included, must finish within this. */
  deadlineMs?: number;
  maxBytes?: number;
  maxRedirects?: number;
}

export interface Downloaded {
  path: string;
  bytes: number;
  contentType: string | null;
  /** The hosts visited, and whether each got the token: tests and logs read it. */
  hops: { host: string; withToken: boolean; status: number }[];
}

const MB = 1024 * 1024;

export async function downloadFile(url: string, destination: string, options: DownloadOptions): Promise<Downloaded> {
  const deadlineMs = options.deadlineMs ?? 120_000;
  const maxBytes = options.maxBytes ?? 200 * MB;
  const maxRedirects = options.maxRedirects ?? 5;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  const temp = `${destination}.part-${process.pid}`;
  const hops: Downloaded['hops'] = [];
  let current = url;
  let refreshed = false;
  // Asked for only when a hop may carry it: a pre-signed link needs no token, and so no refresh.
  let token: string | null = null;
  // Set when a Procore host answered a signed link without the token by asking for it.
  let insist = false;
  try {
    for (let hop = 0; ; hop++) {
      const withToken = mayCarryToken(options.environment, current) && (insist || !isPresigned(current));
      if (withToken) token ??= await options.tokens.accessToken();
      let response: AxiosResponse<Readable>;
      try {
        response = await axios.get<Readable>(current, {
          responseType: 'stream',
          maxRedirects: 0,
          validateStatus: () => true,
          signal: controller.signal,
          headers: withToken ? { authorization: `Bearer ${token!}` } : {},
          // Node's default would decompress; we want the bytes as stored.
          decompress: true,
        });
      } catch (error) {
        if (controller.signal.aborted) throw new ProcoreError(`downloading ${describe(url)} took longer than ${deadlineMs / 1000} s`, null, null);
        throw new ProcoreError(`could not download ${describe(url)} (${(error as Error).message})`, null, null);
      }
      const host = new URL(current).host;
      hops.push({ host, withToken, status: response.status });
      const requestId = (response.headers['x-request-id'] as string | undefined) ?? null;
      if (response.status >= 300 && response.status < 400 && response.headers.location) {
        response.data.resume();
        if (hop >= maxRedirects) throw new ProcoreError(`downloading ${describe(url)} redirected more than ${maxRedirects} times`, response.status, requestId);
        current = new URL(String(response.headers.location), current).toString();
        continue;
      }
      if (response.status === 401 && !withToken && !insist && mayCarryToken(options.environment, current)) {
        response.data.resume();
        insist = true;
        continue;
      }
      if (response.status === 401 && withToken && !refreshed) {
        response.data.resume();
        refreshed = true;
        token = await options.tokens.refreshAfter(token!);
        current = url;
        continue;
      }
      if (response.status !== 200) {
        const body = await readSome(response.data);
        options.logger.log('error', 'procore file download failed', { url: describe(url), host, status: response.status, requestId, body });
        // A 403 on a link that carried no token is the storage host refusing its signature.
        if (response.status === 403 && !withToken) throw new DownloadLinkExpiredError(describe(url), host, requestId, body);
        const hint =
          response.status === 403
            ? ' (the connected user may not see this file, or its link has expired: read the invoice again for a fresh one)'
            : response.status === 400 && /auth/i.test(body)
              ? ' (the storage host refused the request)'
              : '';
        throw new ProcoreError(`downloading ${describe(url)} failed: ${host} answered ${response.status}${hint}`, response.status, requestId);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.data.destroy();
        throw new ProcoreError(`${describe(url)} is ${(declared / MB).toFixed(1)} MB, over the ${maxBytes / MB} MB limit`, 200, requestId);
      }
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          if (bytes > maxBytes) callback(new ProcoreError(`${describe(url)} is over the ${maxBytes / MB} MB limit`, 200, requestId));
          else callback(null, chunk);
        },
      });
      try {
        await pipeline(response.data, counter, createWriteStream(temp, { mode: 0o600 }), { signal: controller.signal });
      } catch (error) {
        if (error instanceof ProcoreError) throw error;
        if (controller.signal.aborted) throw new ProcoreError(`downloading ${describe(url)} took longer than ${deadlineMs / 1000} s`, null, requestId);
        throw new ProcoreError(`downloading ${describe(url)} broke off (${(error as Error).message})`, null, requestId);
      }
      await rename(temp, destination);
      const contentType = response.headers['content-type'];
      return { path: destination, bytes, contentType: typeof contentType === 'string' ? contentType : null, hops };
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A file URL without its query (pre-signed URLs carry credentials in it). */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the file';
  }
}

async function readSome(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.length > 2000) break;
  }
  stream.destroy();
  return text.slice(0, 2000);
}
