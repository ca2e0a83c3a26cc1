// The console shell: header, the vaults pane, a footer of key hints, and the `?` overlay.
// One input handler at the root resolves keys through the keymap; panes only render.
import { useCallback, useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput } from 'ink';
import type { VaultSummary } from '../app/summary.js';
import { BINDINGS, resolveKey } from './keymap.js';
import { initialUiState, uiReducer } from './ui-state.js';
import { useTerminalSize, type TerminalSize } from './use-terminal-size.js';
import { VaultsPane } from './panes/vaults-pane.js';
import { KeysPane } from './panes/keys-pane.js';
import { displayWidth, truncate } from '../text/width.js';

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
}

export function App({ title, load, pollMs = 2000, size: fixedSize }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [vaults, setVaults] = useState<VaultSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ui, dispatch] = useReducer(uiReducer, initialUiState);

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
    dispatch({ ...action, count: vaults?.length ?? 0 });
  });

  // One row short of the terminal: a frame as tall as the screen makes ink 6 flicker.
  const height = Math.max(size.rows - 1, 5);
  const bodyHeight = height - 4;
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
