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

  return (
    <Box flexDirection="column" width={size.columns} height={height} overflow="hidden">
      <Box justifyContent="space-between">
        <Text bold color="cyan">
          apdesk
        </Text>
        <Text dimColor wrap="truncate">
          {title}
        </Text>
      </Box>
      <Text dimColor>{'─'.repeat(Math.max(size.columns, 1))}</Text>
      <Box height={bodyHeight} overflow="hidden" flexDirection="column">
        {error ? (
          <Text color="red">Could not read the data dir: {error}</Text>
        ) : vaults === null ? (
          <Text dimColor>Loading…</Text>
        ) : ui.help ? (
          <KeysPane bindings={BINDINGS} height={bodyHeight} />
        ) : (
          <VaultsPane vaults={vaults} selected={ui.selected} height={bodyHeight} width={size.columns} />
        )}
      </Box>
      <Text dimColor wrap="truncate">
        {footer}
      </Text>
    </Box>
  );
}
