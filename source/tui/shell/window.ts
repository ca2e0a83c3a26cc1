// Which rows of a list fit on screen: lists render only these.

/** The rows of a list that fit in `height`, keeping the selected row in view. */
export function visibleWindow(count: number, selected: number, height: number): { start: number; end: number } {
  if (height <= 0) return { start: 0, end: 0 };
  if (count <= height) return { start: 0, end: count };
  const start = Math.max(0, Math.min(selected - Math.floor(height / 2), count - height));
  return { start, end: start + height };
}
