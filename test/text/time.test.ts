// The console's times are the machine's local time, not the UTC the store keeps.
import { afterEach, describe, expect, it } from 'vitest';
import { localClock, localClockSeconds, localMinute } from '../../source/text/time.js';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('local times', () => {
  it('shows a stored UTC time in the local zone', () => {
    process.env.TZ = 'America/New_York';
    expect(localClock('2026-12-02T05:37:10.000Z')).toBe('00:37');
    expect(localMinute('2026-12-02T03:05:00.000Z')).toBe('2026-12-01 22:05');
    expect(localClockSeconds(new Date('2026-12-02T05:37:10.000Z'))).toBe('00:37:10');
    process.env.TZ = 'UTC';
    expect(localClock('2026-12-02T05:37:10.000Z')).toBe('05:37');
  });

  it('says nothing for a missing time, and keeps text that is not a time', () => {
    expect(localClock(null)).toBe('--:--');
    expect(localClock(undefined, '-')).toBe('-');
    expect(localMinute(null)).toBe('');
    expect(localMinute('soon')).toBe('soon');
  });
});
