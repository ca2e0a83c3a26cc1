// The Company pane: its reducer and bindings, the list at 80×24 with ids and owners and the page's
// one-company-per-vault prompt, and choosing on a real desk with two vaults on the sandbox: the
// choice goes to the page's draft and OK saves it; one owned by the other vault is refused naming it,
// in the Company pane and again when OK saves it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COMPANY_ID, DEMO_SECOND_COMPANY_ID } from '../../../source/sandbox/index.js';
import { resolve } from '../../../source/tui/shell/bindings.js';
import { companyPane, initialCompanyState, reduceCompany, type CompanyChoice, type CompanyState } from '../../../source/tui/panes/company/index.js';
import { initialQueueState, queuePane, reduceQueue, type QueueIntent } from '../../../source/tui/panes/queue/index.js';
import { connect, paneFrame, DEMO_VAULT, demoDesk, paneEnv, type DemoDesk, type TestEnv } from './procore-env.js';

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

const frameOf = (state: CompanyState, vaultId: string | null = DEMO_VAULT) => paneFrame(companyPane.View, state, { vaultId });

const COMPANIES: CompanyChoice[] = [
  { id: '9007199254740993', name: 'Harbor Builders (Procore)', isActive: true, ownerVault: { id: 'other-vault', name: 'Other Vault' } },
  { id: '4126', name: 'Second Co', isActive: true, ownerVault: null },
];
const listed = reduceCompany(
  reduceCompany(initialCompanyState, { type: 'loaded', vaultName: 'Demo Construction', gate: null, connected: true, currentCompanyId: null }),
  { type: 'listed', companies: COMPANIES },
);

describe('the reducer and bindings', () => {
  it('lists, moves within the list, and keeps a failure with its kind', () => {
    expect(listed.companies).toHaveLength(2);
    expect(reduceCompany(listed, { type: 'move', by: 5 }).cursor).toBe(1);
    expect(reduceCompany(listed, { type: 'move', by: -5 }).cursor).toBe(0);
    expect(reduceCompany(listed, { type: 'failed', message: 'refused', refused: true })).toMatchObject({ refused: 'refused', problem: null, companies: null });
    expect(reduceCompany(listed, { type: 'failed', message: 'down', refused: false })).toMatchObject({ refused: null, problem: 'down' });
  });

  it('refuse Enter on a company another vault owns, naming it, and before the vault is connected', () => {
    const owned = resolve(companyPane.bindings, ['pane:company'], 'enter', { state: listed, vaultId: DEMO_VAULT });
    expect(owned).toMatchObject({ kind: 'unavailable' });
    expect(owned?.kind === 'unavailable' && owned.why).toMatch(/already tied to vault 'Other Vault'; one company belongs to one vault/);
    const free = reduceCompany(listed, { type: 'move', by: 1 });
    expect(resolve(companyPane.bindings, ['pane:company'], 'enter', { state: free, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'act', intent: { type: 'choose', companyId: '4126' } });
    const offline = reduceCompany(initialCompanyState, { type: 'loaded', vaultName: 'Demo Construction', gate: null, connected: false });
    expect(resolve(companyPane.bindings, ['pane:company'], 'enter', { state: offline, vaultId: DEMO_VAULT })).toMatchObject({ kind: 'unavailable', why: 'not connected — Grant Access in the Connection pane first' });
  });
});

describe('the view at 80×24', () => {
  it('shows each company with its id and owner, and the one-company prompt under the cursor', async () => {
    const frame = await frameOf(listed);
    expect(frame).toContain("> ○ Harbor Builders (Procore)  9007199254740993  tied to vault 'Other Vault'");
    expect(frame).toContain('○ Second Co  4126');
    expect(frame.replace(/\s+/g, ' ')).toContain("is already tied to vault 'Other Vault'; one company belongs to one vault — pick another company, or remove it from 'Other Vault' first");
  });

  it('shows the not-Sage message alone', async () => {
    const gated = reduceCompany(initialCompanyState, { type: 'loaded', vaultName: 'O', gate: { kind: 'not-sage', message: 'only for vaults bridged to Sage 100 or Sage 300' } });
    expect((await frameOf(gated, 'o')).trim()).toBe('only for vaults bridged to Sage 100 or Sage 300');
  });
});

describe('on a real desk with two vaults', () => {
  let demo: DemoDesk;
  beforeAll(async () => {
    demo = await demoDesk();
    await demo.desk.vaults.add({ name: 'Harbor Builders', accounting: 'sage300' });
    await demo.desk.vaults.setLicence({ vault: 'harbor-builders', licence: 'procore', granted: true });
    await demo.desk.procore.setEnvironment({ vault: 'harbor-builders', kind: 'local' });
    await connect(demo.desk, DEMO_VAULT);
    await connect(demo.desk, 'harbor-builders');
  });
  afterAll(async () => {
    await demo.sandbox.close();
  });

  /** What Company sent to the Queue pane's draft, handed to a Queue pane on the same vault, then OK. */
  async function okInQueue(from: TestEnv<CompanyState, unknown>, vaultId: string): Promise<void> {
    const sent = from.opened.at(-1);
    expect(sent).toMatchObject({ id: 'queue', intent: { type: 'set-company' } });
    const queue = paneEnv(demo.desk, reduceQueue, initialQueueState, [], vaultId);
    await queuePane.load!(queue, queue.state);
    await queuePane.handle(sent!.intent as QueueIntent, queue, queue.state);
    await queuePane.handle({ type: 'ok' }, queue, queue.state);
  }

  it('choosing a free company puts it in the draft and OK saves it; one another vault owns is refused naming that vault', async () => {
    const env = paneEnv(demo.desk, reduceCompany, initialCompanyState);
    await companyPane.load!(env, env.state);
    expect(env.state.companies?.map((company) => company.id)).toContain(DEMO_COMPANY_ID);
    await companyPane.handle({ type: 'choose', companyId: DEMO_COMPANY_ID }, env, env.state);
    // Not saved until OK: the page saves as a whole.
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.companyId).toBeNull();
    await okInQueue(env as TestEnv<CompanyState, unknown>, DEMO_VAULT);
    expect((await demo.desk.procore.view(DEMO_VAULT)).config.companyId).toBe(DEMO_COMPANY_ID);
    await companyPane.load!(env, env.state);
    expect(env.state.currentCompanyId).toBe(DEMO_COMPANY_ID);

    const harbor = paneEnv(demo.desk, reduceCompany, initialCompanyState, [], 'harbor-builders');
    await companyPane.load!(harbor, harbor.state);
    const owned = harbor.state.companies!.find((company) => company.id === DEMO_COMPANY_ID)!;
    expect(owned.ownerVault).toEqual({ id: DEMO_VAULT, name: 'Demo Construction' });
    await expect(companyPane.handle({ type: 'choose', companyId: DEMO_COMPANY_ID }, harbor, harbor.state)).rejects.toThrow(/already tied to vault 'Demo Construction'/);
    expect(harbor.opened).toEqual([]);
    // Past the pane's own check (a list read before the other vault chose it), OK's save refuses it.
    const stale = reduceCompany(harbor.state, { type: 'listed', companies: harbor.state.companies!.map((company) => ({ ...company, ownerVault: null })) });
    await companyPane.handle({ type: 'choose', companyId: DEMO_COMPANY_ID }, harbor, stale);
    await expect(okInQueue(harbor as TestEnv<CompanyState, unknown>, 'harbor-builders')).rejects.toThrow(/already tied to vault 'Demo Construction'; one company belongs to one vault/);
    expect((await demo.desk.procore.view('harbor-builders')).config.companyId).toBeNull();
    await companyPane.handle({ type: 'choose', companyId: DEMO_SECOND_COMPANY_ID }, harbor, harbor.state);
    await okInQueue(harbor as TestEnv<CompanyState, unknown>, 'harbor-builders');
    expect((await demo.desk.procore.view('harbor-builders')).config.companyId).toBe(DEMO_SECOND_COMPANY_ID);
  });
});
