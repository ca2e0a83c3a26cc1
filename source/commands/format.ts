// Plain-text output for the headless commands: aligned columns, no colour (scripts read it).
// Widths are measured as a terminal shows them, so a vault named 東京建設 keeps its columns.
import { displayWidth, padEnd } from '../text/width.js';

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : padEnd(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([key]) => displayWidth(key)));
  return pairs.map(([key, value]) => `${padEnd(`${key}:`, width + 1)} ${value}`).join('\n');
}

/** Turns values Procore or users typed into one safe line: no control characters reach the terminal. */
export function oneLine(value: string | null | undefined, fallback = '-'): string {
  if (value === null || value === undefined || value === '') return fallback;
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
