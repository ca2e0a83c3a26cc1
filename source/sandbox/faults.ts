// Fault switches: misbehaviour the sandbox shows on the next N requests (or until cleared), so
// the client's retries, backoff and recovery can be seen working. The switches live in the
// shared state: a fault set from one process hits requests served by any sandbox on that stateDir.
import type { SandboxContext } from './context.js';
import { FILE_PATH_PREFIX } from './storage.js';
import type { Fault, FaultKind } from './state.js';

export const FAULT_HELP: Record<FaultKind | 'expire-tokens' | 'revoke-tokens', string> = {
  'expire-tokens': 'every access token issued so far expires now (refresh tokens still work)',
  'revoke-tokens': 'every token issued so far is revoked (the user must connect again)',
  'rate-limit': 'answer 429 with Retry-After and X-Rate-Limit-Reset (--seconds, default 10)',
  unavailable: 'answer 503 with Retry-After (--seconds, default 5)',
  slow: 'delay each answer (--ms, default 2000)',
  reset: 'carry out the request, then drop the connection without an answer',
  'malformed-json': 'answer 200 with a truncated JSON body',
  'expired-storage-urls': 'requisitions give (and file links redirect to) storage URLs that have already expired',
};

export interface AppliedFaults {
  delayMs: number;
  /** A rate-limit or unavailable fault that answers instead of the handler. */
  blocking: Fault | null;
  reset: boolean;
  malformedJson: boolean;
  expiredStorageUrls: boolean;
}

const NONE: AppliedFaults = { delayMs: 0, blocking: null, reset: false, malformedJson: false, expiredStorageUrls: false };

function applies(fault: Fault, path: string): boolean {
  if (fault.path && !path.startsWith(fault.path)) return false;
  // Where storage URLs are issued: in a requisition's attachments, and by a file link's redirect.
  if (fault.kind === 'expired-storage-urls') return path.startsWith(FILE_PATH_PREFIX) || /^\/rest\/v1\.[01]\/requisitions(\/|$)/.test(path);
  return true;
}

/** The faults that hit a request to `path`, each counted off once. */
export async function takeFaults(context: SandboxContext, path: string): Promise<AppliedFaults> {
  const current = await context.store.read();
  if (!current.faults.some((fault) => applies(fault, path))) return NONE;
  return context.store.update((state) => {
    const applied: AppliedFaults = { ...NONE };
    const used: Fault[] = [];
    for (const fault of state.faults) {
      if (!applies(fault, path)) continue;
      if (fault.kind === 'rate-limit' || fault.kind === 'unavailable') {
        if (applied.blocking) continue;
        applied.blocking = { ...fault };
      } else if (fault.kind === 'slow') applied.delayMs = Math.max(applied.delayMs, fault.ms ?? 2000);
      else if (fault.kind === 'reset') applied.reset = true;
      else if (fault.kind === 'malformed-json') applied.malformedJson = true;
      else if (fault.kind === 'expired-storage-urls') applied.expiredStorageUrls = true;
      used.push(fault);
    }
    for (const fault of used) if (fault.remaining !== null) fault.remaining--;
    state.faults = state.faults.filter((fault) => fault.remaining === null || fault.remaining > 0);
    return applied;
  });
}
