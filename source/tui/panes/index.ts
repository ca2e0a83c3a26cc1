// The console's panes, in the order their number keys take: each a folder with its state, its
// bindings and its view (see shell/pane.ts).
import type { AnyPane } from '../shell/pane.js';
import { entryPane } from './entry/index.js';
import { syncPane } from './sync/index.js';
import { vaultsPane } from './vaults/index.js';

export const PANES: readonly AnyPane[] = [vaultsPane, entryPane, syncPane];
