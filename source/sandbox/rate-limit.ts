// Procore's two rate-limit windows, spike (10 s) and hourly, counted per caller in this server's
// memory (a second server on the same stateDir counts its own requests). Limits come from the state.
import type { RateWindow } from './state.js';

export interface RateVerdict {
  allowed: boolean;
  /** X-Rate-Limit-* for the window closest to running out. */
  headers: Record<string, string>;
  retryAfterSec: number;
}

interface Count {
  windowStart: number;
  used: number;
}

export class RateLimiter {
  private readonly counts = new Map<string, Count>();

  /** Counts one request by `caller` at `now` (ms) and says whether it may go ahead. */
  take(caller: string, now: number, windows: { spike: RateWindow; hourly: RateWindow }): RateVerdict {
    const states = (['spike', 'hourly'] as const).map((name) => {
      const window = windows[name];
      const span = window.windowSec * 1000;
      const windowStart = Math.floor(now / span) * span;
      const key = `${name} ${caller}`;
      let count = this.counts.get(key);
      if (!count || count.windowStart !== windowStart) {
        count = { windowStart, used: 0 };
        this.counts.set(key, count);
      }
      return { window, count, reset: windowStart + span };
    });
    const allowed = states.every(({ window, count }) => count.used < window.limit);
    if (allowed) for (const { count } of states) count.used++;
    // The window closest to running out is the one with the fewest requests left (spike on a tie).
    const closest = states.reduce((best, candidate) =>
      candidate.window.limit - candidate.count.used < best.window.limit - best.count.used ? candidate : best,
    );
    // When refused, show the exhausted window that frees up last: waiting for it is enough.
    const exhausted = states.filter(({ window, count }) => count.used >= window.limit);
    const shown = allowed ? closest : exhausted.reduce((last, candidate) => (candidate.reset > last.reset ? candidate : last));
    return {
      allowed,
      headers: rateHeaders(shown.window.limit, Math.max(0, shown.window.limit - shown.count.used), shown.reset),
      retryAfterSec: Math.max(1, Math.ceil((shown.reset - now) / 1000)),
    };
  }
}

export function rateHeaders(limit: number, remaining: number, resetMs: number): Record<string, string> {
  return {
    'x-rate-limit-limit': String(limit),
    'x-rate-limit-remaining': String(remaining),
    'x-rate-limit-reset': String(Math.ceil(resetMs / 1000)),
  };
}

export const RATE_LIMITED_MESSAGE = 'You have surpassed the max number of requests for an hour. Please wait until your limit resets.';
