// Plain-text output for the headless commands: aligned columns, no colour (scripts read it).

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([key]) => key.length));
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}`).join('\n');
}

/** Turns values Procore or users typed into one safe line: no control characters reach the terminal. */
export function oneLine(value: string | null | undefined, fallback = '-'): string {
  if (value === null || value === undefined || value === '') return fallback;
  return value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
