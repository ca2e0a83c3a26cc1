// What the four Procore panes share: whether the vault may have a Procore configuration at all (the
// page's first two rules, said in the domain's words), Procore's "app not installed" refusal, and
// a view of plain lines cut to the pane. The panes call services only; nothing here does I/O.
import type { ReactElement } from 'react';
import { Box } from '../ink.js';
import { requireProcoreAvailable } from '../../domain/procore-config.js';
import { supportsProcore, type Vault } from '../../domain/vault.js';
import { wrap } from '../../text/width.js';
import { FittedLine, type Line } from './line.js';

/**
 * Why a vault has no Procore page: not bridged to Sage 100/300 (then every Procore pane says only
 * that), or no procore licence (the page's licence prompt). Null when the page is available.
 */
export type ProcoreGate = { kind: 'not-sage' | 'no-licence'; message: string } | null;

export function procoreGate(vault: Vault): ProcoreGate {
  try {
    requireProcoreAvailable(vault);
    return null;
  } catch (error) {
    return { kind: supportsProcore(vault) ? 'no-licence' : 'not-sage', message: (error as Error).message };
  }
}

/** What every Procore pane's state holds first: whether it has loaded, the vault's name, its gate. */
export interface ProcorePage {
  loaded: boolean;
  gate: ProcoreGate;
  vaultName: string | null;
}

/** The page part of a pane's `loaded` action, as its reducer keeps it. */
export function loadedPage(action: { vaultName: string; gate: ProcoreGate }): ProcorePage {
  return { loaded: true, vaultName: action.vaultName, gate: action.gate };
}

/** Why a Procore pane cannot act at all now (for its bindings' `unavailable`), or null. */
export function pageBlocked({ state, vaultId }: { state: ProcorePage; vaultId: string | null }): string | null {
  if (vaultId === null) return 'no vault yet';
  if (!state.loaded) return 'still loading';
  if (state.gate) return state.gate.kind === 'not-sage' ? 'this vault is not bridged to Sage 100 or Sage 300' : 'the vault has no procore licence';
  return null;
}

/** What a Procore pane draws instead of its content while loading, without a vault, or gated; null when it draws its content. */
export function pageStandIn({ state, vaultId, width, height }: { state: ProcorePage; vaultId: string | null; width: number; height: number }): ReactElement | null {
  if (!state.loaded) return <LinesView lines={[[{ text: 'Loading…', dim: true }]]} width={width} height={height} />;
  if (vaultId === null || state.vaultName === null) return <LinesView lines={paragraphs([NO_VAULT], width)} width={width} height={height} />;
  if (state.gate) return <LinesView lines={paragraphs(gateLines(state.gate, vaultId), width)} width={width} height={height} />;
  return null;
}

export const NO_VAULT = 'No vault yet: create one from a shell (apdesk vault add NAME --accounting sage300), or the demo (apdesk demo).';

/** The lines a gated pane shows instead of its content. */
export function gateLines(gate: NonNullable<ProcoreGate>, vaultId: string): string[] {
  if (gate.kind === 'not-sage') return [gate.message];
  return [gate.message, '', `An admin grants it with: apdesk license grant --vault ${vaultId} procore`];
}

/**
 * Procore refused a company call although the token is good: the app is not installed in the
 * company. The sync loop records only the message of a run's error, so a recorded run is
 * recognised by the words AccessRefusedError always says (procore/errors.ts).
 */
export function isAccessRefusal(error: unknown): error is Error {
  return error instanceof Error && (error.name === 'AccessRefusedError' || APP_NOT_INSTALLED.test(error.message));
}

export const APP_NOT_INSTALLED = /may not be installed in this company \(Procore's App Management\)/;

/** What to do about the refusal, after Procore's words. */
export const INSTALL_THE_APP = "A Procore company admin installs apdesk in Company Admin → App Management (or gives the connected user access to it); then press t to check again.";

/** `text` as lines of the pane's width (long messages wrap at words, never past the edge). */
export function wrapped(text: string, width: number): string[] {
  return text === '' ? [''] : wrap(text, Math.max(1, width));
}

/**
 * Lines of styled pieces, each cut to `width`, at most `height` of them. Lines that do not fit are
 * not dropped silently: the last row says how many more there are.
 */
export function LinesView({ lines, width, height }: { lines: readonly Line[]; width: number; height: number }): ReactElement {
  const room = Math.max(0, height);
  const cut = lines.length > room && room >= 2;
  const shown: readonly Line[] = cut
    ? [...lines.slice(0, room - 1), [{ text: `↓ ${lines.length - room + 1} more line${lines.length - room + 1 === 1 ? '' : 's'}: a taller terminal shows them`, dim: true }]]
    : lines.slice(0, room);
  return (
    <Box flexDirection="column">
      {shown.map((line, index) => (
        // An empty line still takes its row.
        <FittedLine key={index} line={line.length ? line : [{ text: ' ' }]} width={width} />
      ))}
    </Box>
  );
}

/** Plain text as lines: wraps each paragraph to the width. */
export function paragraphs(texts: readonly string[], width: number, style: Omit<Line[number], 'text'> = {}): Line[] {
  return texts.flatMap((text) => wrapped(text, width).map((line) => [{ text: line, ...style }]));
}
