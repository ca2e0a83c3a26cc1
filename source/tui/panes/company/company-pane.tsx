// The Company pane (Select Company): the Procore companies the connected user can see, each with its
// id and the vault that already owns it; Enter chooses one for the page's draft, which OK in the
// Queue pane saves with the rest. One company belongs to one vault: a company another vault owns is
// shown with the page's prompt naming that vault, and refused.
import type { ReactElement } from 'react';
import { UserError } from '../../../domain/errors.js';
import type { PaneBinding, PaneEnv, PaneModule, PaneViewProps } from '../../shell/pane.js';
import type { Line } from '../line.js';
import { loadedPage, pageBlocked, pageStandIn, INSTALL_THE_APP, isAccessRefusal, LinesView, paragraphs, procoreGate, type ProcoreGate } from '../procore-common.js';

export interface CompanyChoice {
  id: string;
  name: string;
  isActive: boolean;
  /** The vault that already owns it (its name), or null. */
  ownerVault: { id: string; name: string } | null;
}

export interface CompanyState {
  loaded: boolean;
  gate: ProcoreGate;
  vaultName: string | null;
  connected: boolean;
  currentCompanyId: string | null;
  currentCompanyName: string | null;
  companies: CompanyChoice[] | null;
  /** Why the list could not be read (Procore's words); app-not-installed is `refused`. */
  problem: string | null;
  refused: string | null;
  cursor: number;
}

export type CompanyAction =
  | { type: 'loaded'; vaultName: string; gate: ProcoreGate; connected?: boolean; currentCompanyId?: string | null; currentCompanyName?: string | null }
  | { type: 'listed'; companies: CompanyChoice[] }
  | { type: 'failed'; message: string; refused: boolean }
  | { type: 'no-vault' }
  | { type: 'move'; by: number };

export type CompanyIntent = { type: 'move'; by: number } | { type: 'choose'; companyId: string } | { type: 'reload' };

export const initialCompanyState: CompanyState = {
  loaded: false,
  gate: null,
  vaultName: null,
  connected: false,
  currentCompanyId: null,
  currentCompanyName: null,
  companies: null,
  problem: null,
  refused: null,
  cursor: 0,
};

export function reduceCompany(state: CompanyState, action: CompanyAction): CompanyState {
  switch (action.type) {
    case 'loaded':
      return {
        ...state,
        ...loadedPage(action),
        connected: action.connected ?? false,
        currentCompanyId: action.currentCompanyId ?? null,
        currentCompanyName: action.currentCompanyName ?? null,
      };
    case 'listed': {
      const current = action.companies.findIndex((company) => company.id === state.currentCompanyId);
      const cursor = state.companies === null && current >= 0 ? current : Math.min(state.cursor, Math.max(0, action.companies.length - 1));
      return { ...state, companies: action.companies, problem: null, refused: null, cursor };
    }
    case 'failed':
      return { ...state, companies: null, problem: action.refused ? null : action.message, refused: action.refused ? action.message : null };
    case 'no-vault':
      return { ...initialCompanyState, loaded: true };
    case 'move':
      return { ...state, cursor: Math.min(Math.max(0, (state.companies?.length ?? 1) - 1), Math.max(0, state.cursor + action.by)) };
  }
}

/** The page's one-company-per-vault prompt for a company another vault owns; null when it is free or this vault's. */
export function ownedElsewhere(company: CompanyChoice, vaultId: string | null): string | null {
  if (!company.ownerVault || company.ownerVault.id === vaultId) return null;
  const owner = company.ownerVault.name;
  return `Procore company '${company.name}' (${company.id}) is already tied to vault '${owner}'; one company belongs to one vault — pick another company, or remove it from '${owner}' first`;
}

type Ctx = { state: CompanyState; vaultId: string | null };

function blocked({ state, vaultId }: Ctx): string | null {
  const page = pageBlocked({ state, vaultId });
  if (page) return page;
  if (!state.connected) return 'not connected — Grant Access in the Connection pane first';
  return null;
}

const SCOPE = 'pane:company' as const;
const under = (state: CompanyState): CompanyChoice | undefined => state.companies?.[state.cursor];

export const companyBindings: readonly PaneBinding<CompanyState, CompanyIntent>[] = [
  { keys: ['up', 'k'], scope: SCOPE, label: 'up', description: 'Move to the company above', unavailable: blocked, intent: () => ({ type: 'move', by: -1 }) },
  { keys: ['down', 'j'], scope: SCOPE, label: 'down', description: 'Move to the company below', unavailable: blocked, intent: () => ({ type: 'move', by: 1 }) },
  {
    keys: ['enter'],
    scope: SCOPE,
    label: 'choose',
    description: 'Choose this company for the vault; OK in the Queue pane saves it with the rest of the page',
    footer: true,
    unavailable: (ctx) => {
      const why = blocked(ctx);
      if (why) return why;
      const company = under(ctx.state);
      if (!company) return 'no company to choose';
      if (company.id === ctx.state.currentCompanyId) return 'already the vault\'s company';
      return ownedElsewhere(company, ctx.vaultId);
    },
    intent: ({ state }) => ({ type: 'choose', companyId: under(state)?.id ?? '' }),
  },
  { keys: ['r'], scope: SCOPE, label: 'reload', description: 'Ask Procore for the companies again', footer: true, unavailable: blocked, intent: () => ({ type: 'reload' }) },
];

export async function loadCompany(env: PaneEnv<CompanyAction>): Promise<void> {
  if (env.vaultId === null) return env.dispatch({ type: 'no-vault' });
  const vault = await env.desk.vaults.get(env.vaultId);
  const gate = procoreGate(vault);
  if (gate) return env.dispatch({ type: 'loaded', vaultName: vault.name, gate });
  const { config } = await env.desk.procore.view(vault.id);
  const connected = config.connection.state === 'connected';
  env.dispatch({ type: 'loaded', vaultName: vault.name, gate: null, connected, currentCompanyId: config.companyId, currentCompanyName: config.companyName });
  if (connected) await listCompanies(env, vault.id);
}

async function listCompanies(env: PaneEnv<CompanyAction>, vaultId: string): Promise<void> {
  try {
    const [{ companies }, vaults] = await Promise.all([env.desk.procore.companies(vaultId), env.desk.vaults.list()]);
    const nameOf = (id: string) => vaults.find((vault) => vault.id === id)?.name ?? id;
    env.dispatch({
      type: 'listed',
      companies: companies.map((company) => ({
        id: company.id,
        name: company.name,
        isActive: company.isActive,
        ownerVault: company.vault ? { id: company.vault, name: nameOf(company.vault) } : null,
      })),
    });
  } catch (error) {
    // The list is the pane: Procore's refusal is shown in it rather than only flashed in the status bar.
    if (!(error instanceof UserError)) throw error;
    env.dispatch({ type: 'failed', message: error.message, refused: isAccessRefusal(error) });
  }
}

export async function handleCompany(intent: CompanyIntent, env: PaneEnv<CompanyAction>, state: CompanyState): Promise<void> {
  switch (intent.type) {
    case 'move':
      return env.dispatch({ type: 'move', by: intent.by });
    case 'reload':
      return loadCompany(env);
    case 'choose': {
      if (env.vaultId === null) throw new UserError('no vault yet: create one first (Vaults)');
      const company = state.companies?.find((candidate) => candidate.id === intent.companyId);
      const refusal = company ? ownedElsewhere(company, env.vaultId) : null;
      if (refusal) throw new UserError(refusal);
      if (!company) throw new UserError(`Procore company ${intent.companyId} is not in the list: press r to ask Procore again`);
      // The Queue pane holds the page's draft (procore-draft.ts); OK there saves it, and configure
      // checks the company again against what the user sees and against every vault, under the lock.
      env.openPane('queue', { type: 'set-company', company: { id: company.id, name: company.name } });
      return;
    }
  }
}

export function CompanyView({ state, width, height, vaultId, focused }: PaneViewProps<CompanyState>): ReactElement {
  const standIn = pageStandIn({ state, vaultId, width, height });
  if (standIn) return standIn;
  const head: Line[] = [
    [{ text: `Select Company for ${state.vaultName}`, bold: true }],
    [{ text: 'Company: ' }, { text: state.currentCompanyId ? `${state.currentCompanyName ?? ''} (${state.currentCompanyId})` : 'none selected yet' }],
    [],
  ];
  if (!state.connected) return <LinesView lines={[...head, ...paragraphs(['Not connected to Procore: Grant Access in the Connection pane first.'], width)]} width={width} height={height} />;
  if (state.refused) return <LinesView lines={[...head, [{ text: 'App not installed', bold: true }], ...paragraphs([state.refused, INSTALL_THE_APP.replace('press t', 'press r')], width)]} width={width} height={height} />;
  if (state.problem) return <LinesView lines={[...head, ...paragraphs([state.problem, 'Press r to try again.'], width)]} width={width} height={height} />;
  if (state.companies === null) return <LinesView lines={[...head, [{ text: 'Asking Procore for the companies…', dim: true }]]} width={width} height={height} />;
  if (!state.companies.length) {
    return <LinesView lines={[...head, ...paragraphs(['The connected user sees no companies: check that apdesk is installed in the company (App Management).'], width)]} width={width} height={height} />;
  }
  const selected = state.companies[state.cursor];
  const prompt = selected ? ownedElsewhere(selected, vaultId) : null;
  const promptLines = prompt ? [[], ...paragraphs([`! ${prompt}`], width)] : [];
  // Only the rows that fit are drawn, around the cursor.
  const room = Math.max(1, height - head.length - 1 - promptLines.length);
  const first = Math.min(Math.max(0, state.cursor - room + 1), Math.max(0, state.companies.length - room));
  const rows: Line[] = state.companies.slice(first, first + room).map((company, offset) => {
    const index = first + offset;
    const here = focused && index === state.cursor;
    const mine = company.id === state.currentCompanyId;
    const owner = company.ownerVault && !mine ? `  tied to vault '${company.ownerVault.name}'` : '';
    return [
      { text: here ? '> ' : '  ', bold: here },
      { text: mine ? '● ' : '○ ' },
      { text: company.name, bold: mine },
      { text: `  ${company.id}`, dim: true },
      { text: company.isActive ? '' : '  inactive', dim: true },
      { text: owner },
    ];
  });
  const legend: Line = [{ text: `${state.companies.length} compan${state.companies.length === 1 ? 'y' : 'ies'} — Enter chooses the one under >; OK in 4 Queue saves it`, dim: true }];
  return <LinesView lines={[...head, ...rows, legend, ...promptLines]} width={width} height={height} />;
}

export const companyPane: PaneModule<CompanyState, CompanyAction, CompanyIntent> = {
  id: 'company',
  title: 'Company',
  initialState: initialCompanyState,
  reduce: reduceCompany,
  bindings: companyBindings,
  handle: handleCompany,
  load: (env) => loadCompany(env),
  reloadOn: ['settings.changed'],
  View: CompanyView,
};
