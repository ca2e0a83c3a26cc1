// The `?` overlay: every binding of the keymap, as many as the body has rows for. Rows that do
// not fit are counted on the last line rather than squeezed (yoga shrinks text rows to nothing
// and ink then leaves stray characters on screen).
import { Box, Text } from '../ink.js';
import type { Binding } from '../keymap.js';
import { padEnd, truncate } from '../../text/width.js';

export interface KeysPaneProps {
  bindings: readonly Binding[];
  height: number;
  width: number;
}

export function KeysPane({ bindings, height, width }: KeysPaneProps) {
  const rows = Math.max(height - 1, 1);
  const fits = bindings.length <= rows;
  const shown = fits ? bindings : bindings.slice(0, Math.max(rows - 1, 0));
  const hidden = bindings.length - shown.length;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text bold>Keys</Text>
      {shown.map((binding) => (
        <Text key={binding.label} wrap="truncate">
          {truncate(`  ${padEnd(binding.label, 8)} ${binding.description}`, width)}
        </Text>
      ))}
      {hidden > 0 && (
        <Text dimColor wrap="truncate">
          {truncate(`  … ${hidden} more — a taller terminal shows them all`, width)}
        </Text>
      )}
    </Box>
  );
}
