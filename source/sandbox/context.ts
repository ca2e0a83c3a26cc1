// What every sandbox handler works with: the shared state, the clock, and this server's URLs.
import type { SandboxStore } from './state.js';

export interface SandboxContext {
  store: SandboxStore;
  stateDir: string;
  /** Milliseconds since the epoch; tests move it instead of sleeping. */
  now(): number;
  apiUrl: string;
  storageUrl: string;
  /** Overrides the stored access-token lifetime for tokens this server issues. */
  accessTokenLifetimeSec?: number;
  /** Told of every answer on the API listener (see SandboxOptions.onServed). */
  onServed?: (served: ServedRequest) => void;
}

/** One request the API listener answered: what was asked and the status it got. */
export interface ServedRequest {
  method: string;
  /** The path alone, e.g. /rest/v1.0/cost_codes. */
  path: string;
  query: URLSearchParams;
  status: number;
}
