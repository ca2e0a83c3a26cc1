// Text measured as a terminal shows it: East Asian wide characters and most emoji take two columns,
// combining marks and joiners none. The console's panes and the headless tables cut and pad by this,
// never by string length, so a name like "東京建設" keeps its columns in line.
import { createRequire } from 'node:module';

const ELLIPSIS = '…';

// string-width builds a grapheme segmenter and Unicode-property patterns as it loads (~50 ms): a
// headless command that prints only plain ASCII never loads it. Loaded with require (Node 20.19
// and later take an ES module that way) because measuring stays synchronous.
let measure: ((text: string) => number) | undefined;
let segmenter: Intl.Segmenter | undefined;

function graphemesOf(text: string): Iterable<{ segment: string }> {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

const PLAIN = /^[\x20-\x7e]*$/;

function stringWidth(text: string): number {
  if (PLAIN.test(text)) return text.length;
  measure ??= (createRequire(import.meta.url)('string-width') as { default: (text: string) => number }).default;
  return measure(text);
}

/** How many terminal columns `text` takes. */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/**
 * `text` cut to at most `width` columns, ending in an ellipsis when anything was cut. Cuts fall
 * between characters as the user sees them (a wide character, an emoji with its modifiers, a letter
 * with its accents), so the result can be a column short of `width`, never over it.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  const room = width - stringWidth(ELLIPSIS);
  let kept = '';
  let used = 0;
  for (const { segment } of graphemesOf(text)) {
    const columns = stringWidth(segment);
    if (used + columns > room) break;
    kept += segment;
    used += columns;
  }
  return kept + ELLIPSIS;
}

/**
 * Several pieces of one line (each drawn in its own style) cut together to `width` columns, as
 * `truncate` cuts their concatenation: the pieces after the cut are dropped and the ellipsis joins
 * the piece it falls in. Returns as many pieces as were kept.
 */
export function truncateParts(parts: readonly string[], width: number): string[] {
  const whole = parts.join('');
  const cut = truncate(whole, width);
  if (cut === whole) return [...parts];
  let left = cut.endsWith(ELLIPSIS) ? cut.length - ELLIPSIS.length : cut.length;
  const kept: string[] = [];
  for (const part of parts) {
    if (left <= 0) break;
    kept.push(part.slice(0, left));
    left -= part.length;
  }
  if (cut.endsWith(ELLIPSIS)) {
    if (kept.length) kept[kept.length - 1] += ELLIPSIS;
    else kept.push(ELLIPSIS);
  }
  return kept;
}

/**
 * `text` broken into lines of at most `width` columns: at spaces where it can, between characters
 * inside a word too long for a line. Runs of spaces where a line breaks are dropped.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let line = '';
  const push = (word: string) => {
    const candidate = line ? `${line} ${word}` : word;
    if (stringWidth(candidate) <= width) {
      line = candidate;
      return;
    }
    if (line) lines.push(line);
    line = '';
    // A word wider than a whole line is cut between characters.
    for (const { segment } of graphemesOf(word)) {
      if (stringWidth(line + segment) > width && line) {
        lines.push(line);
        line = '';
      }
      line += segment;
    }
  };
  for (const word of text.split(/ +/)) if (word) push(word);
  if (line || !lines.length) lines.push(line);
  return lines;
}

/** `text` with spaces after it up to `width` columns; text already as wide or wider is returned as it is. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(width - stringWidth(text), 0));
}

/** `text` with spaces before it up to `width` columns (for numbers aligned to the right). */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(width - stringWidth(text), 0)) + text;
}

/** `text` made exactly `width` columns wide: cut with an ellipsis if wider, padded if narrower. */
export function fit(text: string, width: number): string {
  return padEnd(truncate(text, width), Math.max(width, 0));
}
