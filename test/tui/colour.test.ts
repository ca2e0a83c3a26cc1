// NO_COLOR as no-color.org defines it: set and not empty means no colour; empty means colour.
import { describe, expect, it } from 'vitest';
import { colour } from '../../source/tui/colour.js';

describe('the console colours', () => {
  it('gives none when NO_COLOR is set to anything but the empty string', () => {
    expect(colour('red', {})).toBe('red');
    expect(colour('red', { NO_COLOR: '' })).toBe('red');
    expect(colour('red', { NO_COLOR: '1' })).toBeUndefined();
    expect(colour('yellow', { NO_COLOR: 'false' })).toBeUndefined();
    expect(colour(undefined, {})).toBeUndefined();
  });
});
