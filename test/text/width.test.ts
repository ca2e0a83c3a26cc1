import { describe, expect, it } from 'vitest';
import { displayWidth, fit, padEnd, padStart, truncate, truncateParts, wrap } from '../../source/text/width.js';

describe('text widths as a terminal shows them', () => {
  it.each([
    ['Harbor Builders', 15],
    ['東京建設', 8],
    ['ｱｲｳ', 3], // half-width katakana
    ['café', 4],
    ['cafe\u0301', 4], // e + combining acute
    ['👍🏽', 2], // emoji with a skin-tone modifier
    ['👩‍👩‍👧', 2], // a family joined by zero-width joiners
    ['', 0],
  ])('%s takes %i columns', (text, columns) => {
    expect(displayWidth(text)).toBe(columns);
  });

  it('leaves text that fits alone', () => {
    expect(truncate('東京建設', 8)).toBe('東京建設');
    expect(truncate('Harbor', 6)).toBe('Harbor');
  });

  it('cuts with an ellipsis, between characters, never over the width', () => {
    expect(truncate('Harbor Builders', 8)).toBe('Harbor …');
    expect(truncate('東京建設株式会社', 8)).toBe('東京建…');
    // 6 columns: two wide characters and the ellipsis take 5; a third would not fit whole.
    expect(truncate('東京建設株式会社', 6)).toBe('東京…');
    expect(displayWidth(truncate('東京建設株式会社', 6))).toBe(5);
    expect(truncate('cafe\u0301 au lait', 5)).toBe('cafe\u0301…');
    expect(truncate('👩‍👩‍👧👩‍👩‍👧👩‍👩‍👧', 4)).toBe('👩‍👩‍👧…');
  });

  it('has room for the ellipsis alone at one column, and nothing at none', () => {
    expect(truncate('東京', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
    expect(truncate('abc', -3)).toBe('');
  });

  it('pads and fits by columns', () => {
    expect(padEnd('東京', 6)).toBe('東京  ');
    expect(padStart('東京', 6)).toBe('  東京');
    expect(padEnd('東京建設', 4)).toBe('東京建設');
    expect(fit('東京建設株式会社', 6)).toBe('東京… ');
    expect(fit('ab', 4)).toBe('ab  ');
    for (const width of [0, 1, 5, 9, 17]) expect(displayWidth(fit('東京建設株式会社 Tokyo', width))).toBe(width);
  });

  it('cuts the styled pieces of one line together', () => {
    expect(truncateParts(['東京建設', ' ', '(tokyo)'], 20)).toEqual(['東京建設', ' ', '(tokyo)']);
    expect(truncateParts(['東京建設', ' ', '(tokyo)'], 12)).toEqual(['東京建設', ' ', '(t…']);
    expect(truncateParts(['東京建設', ' ', '(tokyo)'], 9)).toEqual(['東京建設…']);
    expect(truncateParts(['東京建設', ' ', '(tokyo)'], 6)).toEqual(['東京…']);
    expect(truncateParts(['東京建設', '(tokyo)'], 1)).toEqual(['…']);
    expect(truncateParts(['a', 'b'], 0)).toEqual([]);
  });

  it('wraps at spaces, and inside a word only when it is wider than a line', () => {
    expect(wrap('settings.json did not parse; moved aside', 16)).toEqual(['settings.json', 'did not parse;', 'moved aside']);
    expect(wrap('東京建設株式会社の請求書', 10)).toEqual(['東京建設株', '式会社の請', '求書']);
    expect(wrap('a  b', 10)).toEqual(['a b']);
    expect(wrap('', 10)).toEqual(['']);
    expect(wrap('abc', 0)).toEqual([]);
    for (const line of wrap('/srv/apdesk/data/vaults/東京建設/invoices/3fa.json.corrupt-2026-12-01T23:58:33Z moved aside', 12)) {
      expect(displayWidth(line)).toBeLessThanOrEqual(12);
    }
  });
});
