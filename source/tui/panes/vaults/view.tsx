// The vaults: a list on the left, the selected vault's licences and queues on the right.
import { Box, Text } from '../../ink.js';
import type { VaultSummary } from '../../../app/summary.js';
import { ACCOUNTING_LABELS } from '../../../domain/vault.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../../domain/invoice.js';
import type { StatusCounts } from '../../../app/summary.js';
import { displayWidth, padEnd, padStart, truncate } from '../../../text/width.js';
import { visibleWindow } from '../../shell/window.js';
import { FittedLine, type Line } from '../line.js';

export interface VaultsPaneProps {
  vaults: readonly VaultSummary[];
  selected: number;
  height: number;
  width: number;
}

/** The statuses where an invoice waits for a clerk: shown in colour while any invoice is in them. */
const NEEDS_A_CLERK: ReadonlySet<InvoiceStatus> = new Set(['incomplete', 'rejected', 'on-hold']);

/**
 * A count for every status the domain has, in its order, down two columns when the pane is wide
 * enough and down one when it is not.
 */
function statusLines(byStatus: StatusCounts, width: number): Line[] {
  const cell = (statuses: readonly InvoiceStatus[]) => {
    const labelWidth = Math.max(...statuses.map((status) => displayWidth(status)));
    const countWidth = Math.max(...statuses.map((status) => String(byStatus[status]).length));
    return statuses.map((status) => ({
      text: `${padEnd(status, labelWidth)} ${padStart(String(byStatus[status]), countWidth)}`,
      ...(NEEDS_A_CLERK.has(status) && byStatus[status] > 0 ? { color: 'yellow' as const } : {}),
    }));
  };
  const half = Math.ceil(INVOICE_STATUSES.length / 2);
  const [left, right] = [cell(INVOICE_STATUSES.slice(0, half)), cell(INVOICE_STATUSES.slice(half))];
  const twoColumns = 2 + displayWidth(left[0]!.text) + 3 + displayWidth(right[0]!.text) <= width;
  if (!twoColumns) return cell(INVOICE_STATUSES).map((piece) => [{ text: '  ' }, piece]);
  return left.map((piece, row) => [{ text: '  ' }, piece, ...(right[row] ? [{ text: '   ' }, right[row]] : [])]);
}

/** The selected vault's details, a line each, so the pane can cut them to its height. */
function detailLines(current: VaultSummary, width: number): Line[] {
  const { vault, byStatus } = current;
  const lines: Line[] = [
    [{ text: vault.name, bold: true }, { text: ' ' }, { text: `(${vault.id})`, dim: true }],
    [{ text: `Accounting: ${ACCOUNTING_LABELS[vault.accounting]}` }],
    [{ text: `Licences: ${vault.licences.join(', ') || 'none'}` }],
    [{ text: `Invoices: ${current.invoices}` }],
    ...statusLines(byStatus, width),
    [{ text: ' ' }],
    [{ text: 'Queues', bold: true }],
  ];
  if (!current.queues.length) lines.push([{ text: `  none — apdesk queue add --vault ${vault.id} NAME`, dim: true }]);
  for (const { queue, documents } of current.queues) {
    lines.push([{ text: `  ${queue.name} ` }, { text: `— ${documents} document${documents === 1 ? '' : 's'}`, dim: true }]);
  }
  return lines;
}

/**
 * As many lines as `height` holds; the last one counts the rest. Rows are never squeezed: yoga
 * would shrink some to nothing and ink would leave stray characters on screen.
 */
function fitLines(lines: readonly Line[], height: number, width: number) {
  const room = Math.max(height, 1);
  const shown = lines.length <= room ? lines : lines.slice(0, room - 1);
  const out = shown.map((line, index) => (
    <Box key={index} flexShrink={0}>
      <FittedLine line={line} width={width} />
    </Box>
  ));
  if (shown.length < lines.length) {
    out.push(
      <Box key="more" flexShrink={0}>
        <FittedLine line={[{ text: `… ${lines.length - shown.length} more rows — a taller terminal shows them`, dim: true }]} width={width} />
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
  const detailWidth = Math.max(width - listWidth - 2, 10);
  return (
    <Box flexDirection="row" height={height} overflow="hidden">
      <Box flexDirection="column" width={listWidth} flexShrink={0} overflow="hidden">
        <Text bold>{truncate(`Vaults (${vaults.length})`, listWidth)}</Text>
        {vaults.slice(start, end).map((summary, offset) => {
          const index = start + offset;
          const active = index === selected;
          return (
            <Text key={summary.vault.id} inverse={active} wrap="truncate">
              {truncate(`${active ? '›' : ' '} ${summary.vault.name}`, listWidth)}
            </Text>
          );
        })}
      </Box>
      <Box flexDirection="column" marginLeft={2} width={detailWidth} flexShrink={0} overflow="hidden">
        {fitLines(detailLines(current, detailWidth), height, detailWidth)}
      </Box>
    </Box>
  );
}
