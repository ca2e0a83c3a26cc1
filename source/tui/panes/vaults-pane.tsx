// The vaults: a list on the left, the selected vault's licences and queues on the right.
import { Box, Text } from 'ink';
import type { VaultSummary } from '../../app/summary.js';
import { ACCOUNTING_LABELS } from '../../domain/vault.js';
import { visibleWindow } from '../ui-state.js';

export interface VaultsPaneProps {
  vaults: readonly VaultSummary[];
  selected: number;
  height: number;
  width: number;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(width - 1, 0))}…`;
}

export function VaultsPane({ vaults, selected, height, width }: VaultsPaneProps) {
  if (!vaults.length) {
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text>No vaults yet.</Text>
        <Text dimColor>Create one from a shell: apdesk vault add NAME --accounting sage300</Text>
      </Box>
    );
  }
  const listWidth = Math.max(20, Math.min(36, Math.floor(width / 3)));
  const { start, end } = visibleWindow(vaults.length, selected, height - 1);
  const current = vaults[Math.min(selected, vaults.length - 1)]!;
  const detailWidth = Math.max(width - listWidth - 4, 10);
  return (
    <Box flexDirection="row" height={height} overflow="hidden">
      <Box flexDirection="column" width={listWidth} overflow="hidden">
        <Text bold>Vaults ({vaults.length})</Text>
        {vaults.slice(start, end).map((summary, offset) => {
          const index = start + offset;
          const active = index === selected;
          return (
            <Text key={summary.vault.id} inverse={active} wrap="truncate">
              {clip(`${active ? '›' : ' '} ${summary.vault.name}`, listWidth)}
            </Text>
          );
        })}
      </Box>
      <Box flexDirection="column" marginLeft={2} width={detailWidth} overflow="hidden">
        <Text bold wrap="truncate">
          {current.vault.name} <Text dimColor>({current.vault.id})</Text>
        </Text>
        <Text wrap="truncate">Accounting: {ACCOUNTING_LABELS[current.vault.accounting]}</Text>
        <Text wrap="truncate">Licences: {current.vault.licences.join(', ') || 'none'}</Text>
        <Text wrap="truncate">
          Invoices: {current.invoices} · unprocessed {current.byStatus.unprocessed} · pending {current.byStatus.pending}
        </Text>
        <Text wrap="truncate">
          {'          '}approved {current.byStatus.approved} · exported {current.byStatus.exported} · paid{' '}
          {current.byStatus.paid}
        </Text>
        <Box marginTop={1} flexDirection="column">
          <Text bold>Queues</Text>
          {current.queues.length ? (
            current.queues.slice(0, Math.max(height - 7, 1)).map(({ queue, documents }) => (
              <Text key={queue.id} wrap="truncate">
                {'  '}
                {queue.name} <Text dimColor>— {documents} document{documents === 1 ? '' : 's'}</Text>
              </Text>
            ))
          ) : (
            <Text dimColor>  none — apdesk queue add --vault {current.vault.id} NAME</Text>
          )}
        </Box>
      </Box>
    </Box>
  );
}
