// Invoice lines for tests: a coded subcontract line on job 2301, with whatever the test changes.
import type { InvoiceLine } from '../../source/domain/invoice.js';
import type { Cents } from '../../source/domain/money.js';

export function testLine(overrides: Partial<InvoiceLine> = {}): InvoiceLine {
  return {
    id: 'L1',
    type: 'subcontract',
    job: '2301',
    costCode: '03-300',
    category: 'S',
    commitment: 'SC-2301-01',
    commitmentItem: '1',
    description: 'Footings',
    amount: 100_000 as Cents,
    retainage: 0 as Cents,
    reviewers: [],
    ...overrides,
  };
}
