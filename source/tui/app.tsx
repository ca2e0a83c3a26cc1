// The console shell: header, a banner for problems found while it runs, the vaults pane, a footer
// of key hints, and the `?` overlay. One input handler at the root resolves keys through the
// keymap; panes only render.
import { useCallback, useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput } from './ink.js';
import type { VaultSummary } from '../app/summary.js';
import { BINDINGS, resolveKey } from './keymap.js';
import { initialUiState, uiReducer } from './ui-state.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';
import { VaultsPane } from './panes/vaults-pane.js';
import { KeysPane } from './panes/keys-pane.js';
import { displayWidth, truncate, wrap } from '../text/width.js';
import type { ProblemFeed } from './problems.js';

const NAME = 'apdesk';

/**
 * The header line: the name whole, then the title (user · data dir) at the right edge, cut with an
 * ellipsis to the columns left after a two-column gap.
 */
export function headerLine(columns: number, title: string): { name: string; gap: string; title: string } {
  const name = truncate(NAME, columns);
  const room = columns - displayWidth(name) - 2;
  const shown = room > 1 ? truncate(title, room) : '';
  return { name, gap: ' '.repeat(Math.max(columns - displayWidth(name) - displayWidth(shown), 0)), title: shown };
}

export interface AppProps {
  title: string;
  load: () => Promise<VaultSummary[]>;
  /** How often to pick up changes other processes made; 0 turns it off (tests). */
  pollMs?: number;
  size?: TerminalSize;
  /** Problems found while the console runs; each is shown until the user dismisses it. */
  problems?: ProblemFeed;
}

/** The most rows a problem takes; a longer one is cut (the whole text is told again on exit). */
const PROBLEM_ROWS = 3;

/**
 * The banner for the oldest problem not yet dismissed: wrapped to the width, and at its end the key
 * that dismisses it and how many wait behind it.
 */
export function problemBanner(problem: string, others: number, columns: number): string[] {
  const hint = `  x dismiss${others ? ` · ${others} more` : ''}`;
  const lines = wrap(`⚠ ${problem}`, columns);
  const shown = lines.slice(0, PROBLEM_ROWS);
  if (lines.length > PROBLEM_ROWS) shown[PROBLEM_ROWS - 1] = truncate(`${shown[PROBLEM_ROWS - 1]} ${lines[PROBLEM_ROWS]}`, columns);
  const last = shown.length - 1;
  if (displayWidth(shown[last]! + hint) <= columns) shown[last] += hint;
  else if (shown.length < PROBLEM_ROWS) shown.push(truncate(hint.trim(), columns));
  else shown[last] = truncate(truncate(shown[last]!, columns - displayWidth(hint)) + hint, columns);
  return shown;
}

export function App({ title, load, pollMs = 2000, size: fixedSize, problems: problemFeed }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [vaults, setVaults] = useState<VaultSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ui, dispatch] = useReducer(uiReducer, initialUiState);
  const [problems, setProblems] = useState<readonly string[]>([]);

  useEffect(
    () =>
      problemFeed?.subscribe((problem) =>
        setProblems((waiting) => (waiting.includes(problem) ? waiting : [...waiting, problem])),
      ),
    [problemFeed],
  );

  const refresh = useCallback(() => {
    load().then(
      (next) => {
        setVaults(next);
        setError(null);
      },
      (failure: unknown) => setError((failure as Error).message),
    );
  }, [load]);

  useEffect(() => {
    refresh();
    if (!pollMs) return;
    const timer = setInterval(refresh, pollMs);
    return () => clearInterval(timer);
  }, [refresh, pollMs]);

  useInput((input, key) => {
    const action = resolveKey(input, key);
    if (!action) return;
    if (action.type === 'quit') return exit();
    if (action.type === 'refresh') refresh();
    if (action.type === 'dismiss-problem') setProblems((waiting) => waiting.slice(1));
    dispatch({ ...action, count: vaults?.length ?? 0 });
  });

  // One row short of the terminal: a frame as tall as the screen makes ink 6 flicker.
  const height = Math.max(size.rows - 1, 5);
  const banner = problems.length ? problemBanner(problems[0]!, problems.length - 1, size.columns) : [];
  const bodyHeight = Math.max(height - 4 - banner.length, 1);
  const footer = BINDINGS.flatMap((binding) => (binding.hint ? [binding.hint] : [])).join('  ·  ');
  const header = headerLine(size.columns, title);

  return (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      <Box flexShrink={0}>
        <Text wrap="truncate">
          <Text bold color="cyan">
            {header.name}
          </Text>
          {header.gap}
          <Text dimColor>{header.title}</Text>
        </Text>
      </Box>
      <Text dimColor>{'─'.repeat(Math.max(size.columns, 1))}</Text>
      {banner.map((line, index) => (
        <Box key={index} flexShrink={0}>
          <Text color="yellow" wrap="truncate">
            {line}
          </Text>
        </Box>
      ))}
      <Box height={bodyHeight} overflow="hidden" flexDirection="column">
        {error ? (
          <Text color="red">Could not read the data dir: {error}</Text>
        ) : vaults === null ? (
          <Text dimColor>Loading…</Text>
        ) : ui.help ? (
          <KeysPane bindings={BINDINGS} height={bodyHeight} width={size.columns} />
        ) : (
          <VaultsPane vaults={vaults} selected={ui.selected} height={bodyHeight} width={size.columns} />
        )}
      </Box>
      <Text dimColor wrap="truncate">
        {truncate(footer, size.columns)}
      </Text>
    </Box>
  );
}
