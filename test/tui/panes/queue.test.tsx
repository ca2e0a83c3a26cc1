// The Queue pane and the draft it holds: the draft's reducer, the pane's reducer and bindings, its
// view at 80×24 (the settings, the payments requirement, the licence prompt, the not-Sage message),
// and OK / Cancel against a real desk: OK saves behaviour, queue and both options in one call,
// Cancel saves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolve } from '../../../source/tui/shell/bindings.js';
import { draftSettings, draftToChanges, emptyDraft, isDirty, reduceDraft } from '../../../source/tui/panes/procore-draft.js';
import { initialQueueState, PAYMENTS_REQUIREMENT, queuePane, reduceQueue, type QueueState } from '../../../source/tui/panes/queue/index.js';
import { snapshot } from '../../helpers/temp.js';
import { paneFrame, DEMO_VAULT, demoDesk, paneEnv, type DemoDesk } from './procore-env.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

const SAVED = { company: null, behavior: 'auto-queue', queueId: 'procore-invoices', allowEdit: false, createPayments: false } as const;

const frameOf = (state: QueueState, vaultId: string | null = DEMO_VAULT) => paneFrame(queuePane.View, state, { vaultId });

const loadedState = (backfiller = { configured: false, enabled: false }): QueueState =>
  reduceQueue(initialQueueState, {
    type: 'loaded',
    vaultName: 'Demo Construction',
    gate: null,
    draft: { type: 'saved', settings: { ...SAVED } },
    queues: [
      { id: 'procore-invoices', name: 'Procore Invoices' },
      { id: 'ap-inbox', name: 'AP Inbox' },
    ],
    backfiller,
  });

describe('the draft', () => {
  it('keeps only what differs from the saved settings, across a reload', () => {
    let draft = reduceDraft(emptyDraft, { type: 'set-behavior', behavior: 'manual' });
    expect(draftSettings(draft)).toBeNull();
    draft = reduceDraft(draft, { type: 'saved', settings: { ...SAVED } });
    expect(draftSettings(draft)).toEqual({ ...SAVED, behavior: 'manual' });
    expect(isDirty(draft)).toBe(true);
    draft = reduceDraft(draft, { type: 'toggle-allow-edit' });
    draft = reduceDraft(draft, { type: 'toggle-allow-edit' });
    expect(draft.changes).toEqual({ behavior: 'manual' });
    draft = reduceDraft(draft, { type: 'set-behavior', behavior: 'auto-queue' });
    expect(isDirty(draft)).toBe(false);
    draft = reduceDraft(draft, { type: 'set-queue', queueId: 'ap-inbox' });
    draft = reduceDraft(draft, { type: 'toggle-create-payments' });
    expect(draftToChanges(draft)).toEqual({ behavior: 'auto-queue', queue: 'ap-inbox', allowEdit: false, createPayments: true });
    expect(reduceDraft(draft, { type: 'discard' }).changes).toEqual({});
    // Another process saved the same queue: that change is no longer pending.
    expect(reduceDraft(draft, { type: 'saved', settings: { ...SAVED, queueId: 'ap-inbox' } }).changes).toEqual({ createPayments: true });
  });

  it('carries the company chosen in the Company pane, sent to configure only when it changed', () => {
    const company = { id: '4126', name: 'Quarry Road Contractors' };
    let draft = reduceDraft(reduceDraft(emptyDraft, { type: 'saved', settings: { ...SAVED } }), { type: 'set-company', company });
    expect(draftToChanges(draft)).toMatchObject({ company: '4126' });
    // Saved elsewhere with the same id (a name Procore spells differently is the same company).
    draft = reduceDraft(draft, { type: 'saved', settings: { ...SAVED, company: { id: '4126', name: 'Quarry Road' } } });
    expect(isDirty(draft)).toBe(false);
    expect(draftToChanges(draft)).not.toHaveProperty('company');
  });
});

describe('the reducer and bindings', () => {
  const scopes = ['pane:queue'] as const;
  it('moves within the rows', () => {
    let state = loadedState();
    state = reduceQueue(state, { type: 'move', by: -5 });
    expect(state.cursor).toBe(0);
    state = reduceQueue(state, { type: 'move', by: 99 });
    expect(state.cursor).toBe(6);
  });

  it('refuse OK and Cancel with nothing changed, and payments without the backfiller, saying what to press', () => {
    const state = loadedState();
    expect(resolve(queuePane.bindings, scopes, 'o', { state, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'nothing changed' });
    expect(resolve(queuePane.bindings, scopes, 'c', { state, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'nothing changed' });
    expect(state.cursor).toBe(2);
    const onPayments = reduceQueue(state, { type: 'move', by: 2 });
    const refused = resolve(queuePane.bindings, scopes, 'enter', { state: onPayments, vaultId: DEMO_VAULT });
    expect(refused).toMatchObject({ kind: 'unavailable' });
    expect(refused?.kind === 'unavailable' && refused.why).toMatch(/Backfiller job enabled: it is not set up — press b to enable it/);
    const enabled = reduceQueue(loadedState({ configured: true, enabled: true }), { type: 'move', by: 2 });
    expect(resolve(queuePane.bindings, scopes, 'enter', { state: enabled, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'activate', row: 'create-payments' } });
    expect(resolve(queuePane.bindings, scopes, 'b', { state: enabled, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'the backfiller job is already enabled' });
    const dirty = reduceQueue(state, { type: 'draft', action: { type: 'toggle-allow-edit' } });
    expect(resolve(queuePane.bindings, scopes, 'o', { state: dirty, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'ok' } });
  });
});

describe('the view at 80×24', () => {
  it('shows the settings with [x] / [ ] marks, the payments requirement and OK / Cancel', async () => {
    const frame = await frameOf(reduceQueue(loadedState(), { type: 'draft', action: { type: 'set-behavior', behavior: 'auto-route' } }));
    expect(frame).toContain('Company           none chosen — Enter picks one');
    expect(frame).toContain('Automated Import and Auto Route with Queue Failover *');
    expect(frame).toContain('> Queue             Procore Invoices');
    expect(frame).toContain('[ ] Allow edit of imported Procore invoices');
    expect(frame).toContain('[ ] Create payments in Procore');
    expect(frame.replace(/\s+/g, ' ')).toContain(`${PAYMENTS_REQUIREMENT}: it is not set up — press b to enable it.`);
    expect(frame).toContain('[ OK ]');
    expect(frame).toContain('[ Cancel ]');
    expect(frame).toContain('unsaved changes');
  });

  it('shows the licence prompt alone, and the not-Sage message alone', async () => {
    const noLicence = reduceQueue(initialQueueState, { type: 'loaded', vaultName: 'Harbor', gate: { kind: 'no-licence', message: "A license is required for Procore. Vault 'Harbor' has none — an admin can grant it" } });
    const frame = await frameOf(noLicence, 'harbor');
    expect(frame.replace(/\s+/g, ' ')).toContain('A license is required for Procore.');
    expect(frame).not.toContain('Queue ');
    const notSage = reduceQueue(initialQueueState, { type: 'loaded', vaultName: 'Other', gate: { kind: 'not-sage', message: 'only available for vaults bridged to Sage 100 or Sage 300' } });
    expect((await frameOf(notSage, 'other')).trim()).toBe('only available for vaults bridged to Sage 100 or Sage 300');
  });
});

describe('OK and Cancel on a real desk', () => {
  let demo: DemoDesk;
  beforeAll(async () => {
    demo = await demoDesk();
  });
  afterAll(async () => {
    await demo.sandbox.close();
  });

  const envFor = (script: Parameters<typeof paneEnv>[3] = [], vaultId: string | null = DEMO_VAULT) => paneEnv(demo.desk, reduceQueue, initialQueueState, script, vaultId);
  const config = async () => (await demo.desk.procore.view(DEMO_VAULT)).config;

  it('Cancel saves nothing: the store is unchanged', async () => {
    const env = envFor([{ pick: (items) => items.find((item) => item.label.includes('AP Inbox'))!.value }]);
    await queuePane.load!(env, env.state);
    await queuePane.handle({ type: 'set-behavior', behavior: 'manual' }, env, env.state);
    await queuePane.handle({ type: 'activate', row: 'queue' }, env, env.state);
    await queuePane.handle({ type: 'activate', row: 'allow-edit' }, env, env.state);
    expect(isDirty(env.state.draft)).toBe(true);
    const before = await snapshot(join(demo.dir));
    await queuePane.handle({ type: 'cancel' }, env, env.state);
    env.modals.done();
    expect(await snapshot(join(demo.dir))).toEqual(before);
    expect(isDirty(env.state.draft)).toBe(false);
    expect(draftSettings(env.state.draft)).toEqual({ ...SAVED });
  });

  it('payments are refused until the backfiller is enabled, with the key that enables it', async () => {
    // The demo enables the backfiller: switched off here to meet the requirement.
    await demo.desk.jobs.set({ vault: DEMO_VAULT, kind: 'check-backfiller', enabled: false });
    const env = envFor();
    await queuePane.load!(env, env.state);
    expect(env.state.backfiller).toEqual({ configured: true, enabled: false });
    await expect(queuePane.handle({ type: 'activate', row: 'create-payments' }, env, env.state)).rejects.toThrow(/press b to enable it/);
    await queuePane.handle({ type: 'enable-backfiller' }, env, env.state);
    expect(env.state.backfiller.enabled).toBe(true);
    expect((await demo.desk.jobs.list(DEMO_VAULT)).find((job) => job.kind === 'check-backfiller')?.enabled).toBe(true);
  });

  it('OK saves behaviour, queue and both options at once, and shows the warnings', async () => {
    const env = envFor([{ pick: (items) => items.find((item) => item.label.includes('AP Inbox'))!.value }]);
    await queuePane.load!(env, env.state);
    const saves: string[] = [];
    const off = demo.desk.events.on('settings.changed', ({ what }) => saves.push(what));
    await queuePane.handle({ type: 'set-behavior', behavior: 'auto-route' }, env, env.state);
    await queuePane.handle({ type: 'activate', row: 'queue' }, env, env.state);
    await queuePane.handle({ type: 'activate', row: 'allow-edit' }, env, env.state);
    await queuePane.handle({ type: 'activate', row: 'create-payments' }, env, env.state);
    expect(saves).toEqual([]);
    expect(await config()).toMatchObject({ behavior: 'auto-queue', queueId: 'procore-invoices', allowEdit: false, createPayments: false });
    await queuePane.handle({ type: 'ok' }, env, env.state);
    off();
    env.modals.done();
    expect(saves).toEqual(['procore']);
    expect(await config()).toMatchObject({ behavior: 'auto-route', queueId: 'ap-inbox', allowEdit: true, createPayments: true });
    expect(isDirty(env.state.draft)).toBe(false);
    // The demo has no company chosen yet: the configuration says so.
    expect(env.state.notices.join(' ')).toMatch(/no company selected yet/);
    expect(env.state.notices).toContain('The cloud sync is not running: nothing imports until it runs — start it in 7 Sync & Jobs (s), or with apdesk sync.');
    expect(await frameOf(env.state)).toContain('Saved, with warnings:');
  });

  it('a vault without the procore licence shows the prompt; one bridged elsewhere shows only that', async () => {
    await demo.desk.vaults.add({ name: 'Harbor Builders', accounting: 'sage100' });
    await demo.desk.vaults.add({ name: 'Other Books', accounting: 'other' });
    const harbor = envFor([], 'harbor-builders');
    await queuePane.load!(harbor, harbor.state);
    expect(harbor.state.gate?.kind).toBe('no-licence');
    expect((await frameOf(harbor.state, 'harbor-builders')).replace(/\s+/g, ' ')).toContain("A license is required for Procore. Vault 'Harbor Builders' has none");
    const other = envFor([], 'other-books');
    await queuePane.load!(other, other.state);
    expect(other.state.gate?.kind).toBe('not-sage');
    expect((await frameOf(other.state, 'other-books')).replace(/\s+/g, ' ')).toMatch(/only available for vaults bridged to Sage 100 or Sage 300/);
    expect(resolve(queuePane.bindings, ['pane:queue'], 'o', { state: other.state, vaultId: 'other-books' })).toMatchObject({ kind: 'unavailable' });
  });
});
