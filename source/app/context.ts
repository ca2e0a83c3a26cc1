// What every service of one open data dir shares: the store, who is acting, the environment,
// the events channel and the per-desk caches. Only app/ sees this; commands and the console get
// the Desk's services (desk.ts) and never the store.
import type { AccountingBridge } from '../accounting/bridge.js';
import type { Store } from '../store/store.js';
import type { DeskEvents } from './events.js';

export interface DeskContext {
  dataDir: string;
  /** Who the work is done as: the OS user, or the user an admin acts as with --user. */
  user: string;
  /** The OS user when an admin acts as someone else (the audit says "admin X as Y"); else null. */
  actingAdmin: string | null;
  store: Store;
  env: NodeJS.ProcessEnv;
  events: DeskEvents;
  /** One accounting bridge per vault and ledger configuration: parsed files stay in memory. */
  bridges: Map<string, AccountingBridge>;
}
