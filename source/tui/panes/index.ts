// The console's panes, in the order their number keys take: each a folder with its state, its
// bindings and its view (see shell/pane.ts).
import type { AnyPane } from '../shell/pane.js';
import { behaviorPane } from './behavior/index.js';
import { companyPane } from './company/index.js';
import { connectionPane } from './connection/index.js';
import { entryPane } from './entry/index.js';
import { invoicesPane } from './invoices/index.js';
import { queuePane } from './queue/index.js';
import { syncPane } from './sync/index.js';
import { vaultsPane } from './vaults/index.js';

/**
 * The configuration page's order (Connection → Company → Import Behavior → Queue), then the daily
 * work (Invoices, Invoice Entry, Sync & Jobs), then every vault of the data dir.
 */
export const PANES: readonly AnyPane[] = [connectionPane, companyPane, behaviorPane, queuePane, invoicesPane, entryPane, syncPane, vaultsPane];
