// A local Procore-compatible server for the demo and the tests: OAuth pages and tokens, the REST
// subset apdesk uses, attachments behind a storage redirect, rate limits and fault switches.
// Its state lives on disk (stateDir), so several processes, each with its own server, share one Procore.
import { join, resolve } from 'node:path';
import type { SandboxContext, ServedRequest } from './context.js';
import { demoSeed, emptySeed } from './demo-seed.js';
import { isLive, readServerInfo, removeServerInfo, writeServerInfo, type ServerInfo } from './server-info.js';
import { closeServer, startListeners } from './server.js';
import { SandboxStore } from './state.js';

export { DEMO_APP, DEMO_USERS, DEMO_COMPANY_ID, DEMO_SECOND_COMPANY_ID, DEMO_REQUISITIONS, DEMO_LEDGER_CODES, DEMO_PDF_PASSWORD } from './demo-seed.js';
export type { ServerInfo } from './server-info.js';
export type { ServedRequest } from './context.js';

export interface SandboxOptions {
  /** Folder holding the sandbox state (the demo uses <dataDir>/sandbox). */
  stateDir: string;
  /** Used only when no state exists yet (default 'demo'). */
  seed?: 'demo' | 'empty';
  /** API + OAuth listener on 127.0.0.1; 0 = any free port (default 0). */
  port?: number;
  /** The "object storage" listener; default 0. */
  storagePort?: number;
  /** Overrides the stored lifetime of the access tokens this server issues (default 5400, like Procore). */
  accessTokenLifetimeSec?: number;
  /** Milliseconds since the epoch; tests pass a movable clock instead of sleeping. */
  clock?: () => number;
  /** Write stateDir/server.json so other processes find this server (ensureSandbox and `apdesk sandbox` do). */
  advertise?: boolean;
  /** Told of every answer on the API listener, control API included: how a test counts what a client asked. */
  onServed?: (served: ServedRequest) => void;
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:41234 (REST under /rest/v1.0 and /rest/v1.1). */
  apiUrl: string;
  /** OAuth base: /oauth/authorize, /oauth/token, /oauth/revoke, /oauth/token/info. Same listener as the API. */
  loginUrl: string;
  /** The second listener, standing in for S3. */
  storageUrl: string;
  /** `${apiUrl}/_sandbox`. */
  controlUrl: string;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const stateDir = resolve(options.stateDir);
  const store = new SandboxStore(stateDir);
  await store.ensure(() => (options.seed === 'empty' ? Promise.resolve(emptySeed()) : demoSeed()));
  const context: SandboxContext = {
    store,
    stateDir,
    now: options.clock ?? Date.now,
    apiUrl: '',
    storageUrl: '',
    ...(options.accessTokenLifetimeSec !== undefined ? { accessTokenLifetimeSec: options.accessTokenLifetimeSec } : {}),
    ...(options.onServed ? { onServed: options.onServed } : {}),
  };
  const startedAt = new Date().toISOString();
  const endpoint = () => ({
    pid: process.pid,
    stateDir,
    apiUrl: context.apiUrl,
    loginUrl: context.apiUrl,
    storageUrl: context.storageUrl,
    controlUrl: `${context.apiUrl}/_sandbox`,
  });
  const listeners = await startListeners(context, { api: options.port ?? 0, storage: options.storagePort ?? 0 }, endpoint);
  const { pid, apiUrl, loginUrl, storageUrl, controlUrl } = endpoint();
  const info: ServerInfo = { pid, apiUrl, loginUrl, storageUrl, controlUrl, startedAt };
  if (options.advertise) await writeServerInfo(stateDir, info);
  let closing: Promise<void> | null = null;
  return {
    apiUrl: info.apiUrl,
    loginUrl: info.loginUrl,
    storageUrl: info.storageUrl,
    controlUrl: info.controlUrl,
    close() {
      closing ??= (async () => {
        await Promise.all([closeServer(listeners.api), closeServer(listeners.storage)]);
        if (options.advertise) await removeServerInfo(stateDir, info);
      })();
      return closing;
    },
  };
}

/**
 * Finds a live sandbox for this data dir (from <dataDir>/sandbox/server.json: pid alive and
 * GET /_sandbox/health answers), or starts one in this process and advertises it. close() stops
 * only a sandbox started here; for one found running it does nothing.
 */
export async function ensureSandbox(
  dataDir: string,
  options: Omit<SandboxOptions, 'stateDir'> = {},
): Promise<RunningSandbox & { startedHere: boolean }> {
  const stateDir = join(resolve(dataDir), 'sandbox');
  const info = await readServerInfo(stateDir);
  if (info && (await isLive(stateDir, info))) {
    return {
      apiUrl: info.apiUrl,
      loginUrl: info.loginUrl,
      storageUrl: info.storageUrl,
      controlUrl: info.controlUrl,
      close: async () => undefined,
      startedHere: false,
    };
  }
  const running = await startSandbox({ ...options, stateDir, advertise: true });
  return { ...running, startedHere: true };
}

export function sandboxStateDir(dataDir: string): string {
  return join(resolve(dataDir), 'sandbox');
}
