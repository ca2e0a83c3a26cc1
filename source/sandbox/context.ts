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
}
