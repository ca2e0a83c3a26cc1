// Composition root: one open data dir and the services that work on it. Commands and the
// console get a Desk and call its services; they never touch the store's files themselves.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Store } from '../store/store.js';

export interface DeskOptions {
  dataDir?: string;
  user?: string;
  command?: string;
  onProblem?: (message: string) => void;
  /** Environment variables (PROCORE_CLIENT_ID, APDESK_PROCORE_API_URL, …); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface Desk {
  dataDir: string;
  user: string;
  store: Store;
  env: NodeJS.ProcessEnv;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.APDESK_DATA_DIR?.trim() || './data';
}

export function currentUser(explicit?: string): string {
  if (explicit !== undefined) return explicit.trim();
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

export async function openDesk(options: DeskOptions = {}): Promise<Desk> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const user = currentUser(options.user);
  const store = await Store.open(dataDir, {
    user,
    command: options.command ?? 'apdesk',
    ...(options.onProblem ? { onProblem: options.onProblem } : {}),
  });
  return { dataDir, user, store, env: options.env ?? process.env };
}
