// The unsaved Procore configuration that the Company, Import Behavior and Queue panes edit together
// and save at once (OK) or drop (Cancel). Pure: the Queue pane's state holds it; Company and Import
// Behavior send their choice there with openPane('queue', { type: 'set-company' | 'set-behavior' }).
// One holder means no second copy to keep in step, and the shell needs nothing new to carry it.
import type { ConfigChanges, ImportBehavior, ProcoreConfig } from '../../domain/procore-config.js';

/** The settings of the page that OK saves together. */
export interface ProcoreSettings {
  /** The Procore company (id and name), or null before one is chosen. */
  company: { id: string; name: string } | null;
  behavior: ImportBehavior;
  queueId: string | null;
  allowEdit: boolean;
  createPayments: boolean;
}

/**
 * What is saved, and what the user changed on top of it. Only the changes are kept, so a reload of
 * what is saved (another process changed it) never drops them.
 */
export interface ProcoreDraft {
  saved: ProcoreSettings | null;
  changes: Partial<ProcoreSettings>;
}

export type DraftAction =
  | { type: 'saved'; settings: ProcoreSettings }
  | { type: 'set-company'; company: { id: string; name: string } }
  | { type: 'set-behavior'; behavior: ImportBehavior }
  | { type: 'set-queue'; queueId: string }
  | { type: 'toggle-allow-edit' }
  | { type: 'toggle-create-payments' }
  | { type: 'discard' };

export const emptyDraft: ProcoreDraft = { saved: null, changes: {} };

export function settingsOf(config: ProcoreConfig): ProcoreSettings {
  const company = config.companyId ? { id: config.companyId, name: config.companyName ?? config.companyId } : null;
  return { company, behavior: config.behavior, queueId: config.queueId, allowEdit: config.allowEdit, createPayments: config.createPayments };
}

/** What the page shows: the saved settings with the changes over them (null until loaded). */
export function draftSettings(draft: ProcoreDraft): ProcoreSettings | null {
  return draft.saved ? { ...draft.saved, ...draft.changes } : null;
}

const sameSetting = (a: unknown, b: unknown): boolean =>
  a === b || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && (a as { id: string }).id === (b as { id: string }).id);

/** The changes that differ from what is saved. */
function pending(saved: ProcoreSettings | null, changes: Partial<ProcoreSettings>): Partial<ProcoreSettings> {
  if (!saved) return changes;
  const left: Partial<ProcoreSettings> = {};
  for (const key of Object.keys(changes) as (keyof ProcoreSettings)[]) {
    if (!sameSetting(changes[key], saved[key])) (left as Record<string, unknown>)[key] = changes[key];
  }
  return left;
}

export function reduceDraft(draft: ProcoreDraft, action: DraftAction): ProcoreDraft {
  const current = draftSettings(draft);
  const change = (next: Partial<ProcoreSettings>) => ({ ...draft, changes: pending(draft.saved, { ...draft.changes, ...next }) });
  switch (action.type) {
    case 'saved':
      return { saved: action.settings, changes: pending(action.settings, draft.changes) };
    case 'set-company':
      return change({ company: action.company });
    case 'set-behavior':
      return change({ behavior: action.behavior });
    case 'set-queue':
      return change({ queueId: action.queueId });
    case 'toggle-allow-edit':
      return change({ allowEdit: !(current?.allowEdit ?? false) });
    case 'toggle-create-payments':
      return change({ createPayments: !(current?.createPayments ?? false) });
    case 'discard':
      return { ...draft, changes: {} };
  }
}

export function isDirty(draft: ProcoreDraft): boolean {
  return Object.keys(pending(draft.saved, draft.changes)).length > 0;
}

/** The whole page for one configure call: every setting, so OK saves all of it together. */
export function draftToChanges(draft: ProcoreDraft): Omit<ConfigChanges, 'company'> & { company?: string } {
  const settings = draftSettings(draft);
  if (!settings) return {};
  return {
    // The company only when it changed: configure asks Procore for the companies the user sees.
    ...(draft.changes.company ? { company: draft.changes.company.id } : {}),
    behavior: settings.behavior,
    ...(settings.queueId !== null ? { queue: settings.queueId } : {}),
    allowEdit: settings.allowEdit,
    createPayments: settings.createPayments,
  };
}
