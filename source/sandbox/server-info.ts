// stateDir/server.json: where a long-running sandbox for a data dir listens, so other apdesk
// processes find it instead of starting their own. It counts only while its process is alive
// and its health check answers.
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pidAlive } from '../disk/lock.js';
import { writeFileAtomic } from './state.js';

export interface ServerInfo {
  pid: number;
  apiUrl: string;
  loginUrl: string;
  storageUrl: string;
  controlUrl: string;
  startedAt: string;
}

export const serverInfoPath = (stateDir: string) => join(stateDir, 'server.json');

export async function readServerInfo(stateDir: string): Promise<ServerInfo | null> {
  try {
    const parsed = JSON.parse(await readFile(serverInfoPath(stateDir), 'utf8')) as Partial<ServerInfo>;
    if (typeof parsed.pid !== 'number' || typeof parsed.apiUrl !== 'string' || typeof parsed.controlUrl !== 'string') return null;
    return parsed as ServerInfo;
  } catch {
    return null;
  }
}

export async function writeServerInfo(stateDir: string, info: ServerInfo): Promise<void> {
  await writeFileAtomic(serverInfoPath(stateDir), Buffer.from(`${JSON.stringify(info, null, 2)}\n`));
}

/** Removes server.json if it still describes `info` (another server may have replaced it since). */
export async function removeServerInfo(stateDir: string, info: ServerInfo): Promise<void> {
  const current = await readServerInfo(stateDir);
  if (current && current.pid === info.pid && current.apiUrl === info.apiUrl) await rm(serverInfoPath(stateDir), { force: true });
}

/** True when the advertised server's process lives and its health check answers for this stateDir. */
export async function isLive(stateDir: string, info: ServerInfo, timeoutMs = 1500): Promise<boolean> {
  if (!pidAlive(info.pid)) return false;
  try {
    const response = await fetch(`${info.controlUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const health = (await response.json()) as { stateDir?: string };
    return typeof health.stateDir === 'string' && resolve(health.stateDir) === resolve(stateDir);
  } catch {
    return false;
  }
}
