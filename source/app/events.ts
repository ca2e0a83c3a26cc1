// The desk's events channel: services announce what changed, and whoever shows the desk (the
// console today, the sync loop's summary later) subscribes instead of polling files.
import { EventEmitter } from 'node:events';
import type { SyncEvent } from '../domain/sync.js';

export interface DeskEventMap {
  /** Invoices were written (added, edited, moved through the workflow). */
  'invoices.changed': { vaultId: string; ids: readonly string[]; action: string };
  /** Vaults, queues, licences, users, rules, jobs or the Procore configuration changed. */
  'settings.changed': { what: string };
  /** Something a person should see: a damaged store file recovered, a ledger file unreadable. */
  problem: { message: string };
  /** A step of the sync loop: a job started or finished, a requisition imported, waiting, failed … */
  sync: SyncEvent;
}

export type DeskEventName = keyof DeskEventMap;

export class DeskEvents {
  private readonly emitter = new EventEmitter();

  on<E extends DeskEventName>(event: E, listener: (payload: DeskEventMap[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  emit<E extends DeskEventName>(event: E, payload: DeskEventMap[E]): void {
    // A listener's failure must not undo the change that was announced.
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (value: DeskEventMap[E]) => void)(payload);
      } catch {
        /* the listener's own problem */
      }
    }
  }
}
