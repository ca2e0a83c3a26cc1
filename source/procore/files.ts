// Downloading a Procore file: the Bearer token goes to Procore's own hosts and never to the
// storage host a file URL redirects to (a pre-signed URL that also gets an Authorization header
// is refused, and the token must not leak there anyway). Streamed to disk with a total deadline
// and a size cap; the file appears under its final name only when complete.
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
  try {
    let token = await options.tokens.accessToken();
    for (let hop = 0; ; hop++) {
      const withToken = mayCarryToken(options.environment, current);
      let response: AxiosResponse<Readable>;
      try {
        response = await axios.get<Readable>(current, {
          responseType: 'stream',
          maxRedirects: 0,
          validateStatus: () => true,
          signal: controller.signal,
          headers: withToken ? { authorization: `Bearer ${token}` } : {},
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
      if (response.status === 401 && withToken && !refreshed) {
        response.data.resume();
        refreshed = true;
        token = await options.tokens.refreshAfter(token);
        current = url;
        continue;
      }
      if (response.status !== 200) {
        const body = await readSome(response.data);
        options.logger.log('error', 'procore file download failed', { url: describe(url), host, status: response.status, requestId, body });
        const hint =
          response.status === 403 ? ' (the download link may have expired: read the invoice again for a fresh one)' : response.status === 400 && /auth/i.test(body) ? ' (the storage host refused the request)' : '';
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
