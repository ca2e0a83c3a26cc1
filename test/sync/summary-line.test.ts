// The one-line summary of a job's run that `jobs list` and the console's Sync & Jobs pane show:
// only what happened, counted in words that agree with the count.
import { describe, expect, it } from 'vitest';
import { emptyReport } from '../../source/sync/job.js';
import { summaryLine } from '../../source/sync/loop.js';

describe('summaryLine', () => {
  it('says one payment and one document in the singular, more in the plural', () => {
    const one = { ...emptyReport(), paid: ['INV-1'], paymentsCreated: ['INV-1'], documentsAdded: ['D-1'] } as ReturnType<typeof emptyReport>;
    expect(summaryLine(one)).toBe('1 paid, 1 payment created, 1 document added');
    const two = { ...one, paid: ['a', 'b'], paymentsCreated: ['a', 'b'], documentsAdded: ['c', 'd'] } as ReturnType<typeof emptyReport>;
    expect(summaryLine(two)).toBe('2 paid, 2 payments created, 2 documents added');
  });
});
