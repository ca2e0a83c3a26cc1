// The vaults: a list on the left, the selected vault's licences and queues on the right.
import type { ReactElement } from 'react';
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

/** The selected vault's details, a row each, so the pane can cut them to its height. */
function detailRows(current: VaultSummary): ReactElement[] {
  const { vault, byStatus } = current;
  const rows = [
    <Text bold wrap="truncate">
      {vault.name} <Text dimColor>({vault.id})</Text>
    </Text>,
    <Text wrap="truncate">Accounting: {ACCOUNTING_LABELS[vault.accounting]}</Text>,
    <Text wrap="truncate">Licences: {vault.licences.join(', ') || 'none'}</Text>,
    <Text wrap="truncate">
      Invoices: {current.invoices} · unprocessed {byStatus.unprocessed} · pending {byStatus.pending}
    </Text>,
    <Text wrap="truncate">
      {'          '}approved {byStatus.approved} · exported {byStatus.exported} · paid {byStatus.paid}
    </Text>,
    <Text> </Text>,
    <Text bold>Queues</Text>,
  ];
  if (!current.queues.length) {
    rows.push(<Text dimColor wrap="truncate">  none — apdesk queue add --vault {vault.id} NAME</Text>);
  }
  for (const { queue, documents } of current.queues) {
    rows.push(
      <Text wrap="truncate">
        {'  '}
        {queue.name} <Text dimColor>— {documents} document{documents === 1 ? '' : 's'}</Text>
      </Text>,
    );
  }
  return rows;
}

/**
 * As many rows as `height` holds; the last one counts the rest. Rows are never squeezed: yoga
 * would shrink some to nothing and ink would leave stray characters on screen.
 */
function fitRows(rows: readonly ReactElement[], height: number): ReactElement[] {
  const room = Math.max(height, 1);
  const shown = rows.length <= room ? rows : rows.slice(0, room - 1);
  const out = shown.map((row, index) => (
    <Box key={index} flexShrink={0}>
      {row}
    </Box>
  ));
  if (shown.length < rows.length) {
    out.push(
      <Box key="more" flexShrink={0}>
        <Text dimColor wrap="truncate">
          … {rows.length - shown.length} more rows — a taller terminal shows them
        </Text>
      </Box>,
    );
  }
  return out;
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
        {fitRows(detailRows(current), height)}
      </Box>
    </Box>
  );
}
