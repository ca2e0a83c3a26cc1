import { describe, expect, it } from 'vitest';
import { testLine } from '../helpers/invoices.js';
import { newDocument, type Invoice, type InvoiceLine } from '../../source/domain/invoice.js';
import { applyEdit, approveLines, currentTurn, editRefusal, holdInvoice, rejectLines, releaseInvoice } from '../../source/domain/workflow.js';
import type { Cents } from '../../source/domain/money.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from '../../source/domain/ids.js';

const now = '2026-11-26T10:00:00.000Z';

function line(id: string, reviewers: [string, number, InvoiceLine['reviewers'][number]['status']?][] = []): InvoiceLine {
  return testLine({
    id,
    amount: 100_00 as Cents,
    retainage: 10_00 as Cents,
    reviewers: reviewers.map(([user, sequence, status = 'pending']) => ({ user, sequence, status, at: null })),
  });
}

function invoice(overrides: Partial<Invoice> = {}): Invoice {
  return {
    ...newDocument({
      id: 'INV-000001' as InvoiceId,
      vaultId: 'v' as VaultId,
      queueId: 'q' as QueueId,
      source: { kind: 'manual' },
      attachments: [],
      user: 'clerk',
      now,
      detail: 'added',
    }),
    ...overrides,
  };
}

const admin = { name: 'ada', roles: ['admin' as const] };
const clerk = { name: 'clerk', roles: ['processor' as const] };
const reviewer = { name: 'pat', roles: ['reviewer' as const] };
const procore = { kind: 'procore-auto' as const, procore: { companyId: '1' as ProcoreId, projectId: '2' as ProcoreId, commitmentId: '3' as ProcoreId, vendorId: null, requisitionId: '4' as ProcoreId } };

describe('who may edit', () => {
  it.each([
    ['an exported invoice, even for an admin', invoice({ status: 'exported' }), admin, false, /exported and read-only — reset it for edit first/, 'invoices.reset'],
    ['a paid invoice', invoice({ status: 'paid' }), admin, false, /paid and can no longer change/, undefined],
    ['a reviewer', invoice(), reviewer, false, /needs the processor or admin role/, 'user.add'],
    ['a processor, on an imported Procore invoice', invoice({ source: procore }), clerk, false, /imported from Procore and is read-only for processors/, 'procore.configure'],
  ])('refuses %s', (_, target, user, allowEdit, message, action) => {
    const refusal = editRefusal(target, user, allowEdit);
    expect(refusal?.message).toMatch(message);
    // What to do is data, not a command line: the CLI and the console each render it.
    expect(refusal?.remedy?.action).toBe(action);
    expect(refusal?.message).not.toMatch(/apdesk |`/);
  });

  it.each([
    ['a processor, on a manual document', invoice(), clerk, false],
    ['a processor, on an imported invoice when the vault allows it', invoice({ source: procore }), clerk, true],
    ['an admin, on an imported invoice', invoice({ source: procore }), admin, false],
  ])('lets %s', (_, target, user, allowEdit) => {
    expect(editRefusal(target, user, allowEdit)).toBeNull();
  });
});

describe('editing', () => {
  let n = 0;
  const nextId = () => `L${++n}`;

  it('sets header fields with exact money and ISO dates', () => {
    const { invoice: edited, changed } = applyEdit(invoice(), { header: { vendor: ' ABC-CON ', total: '1087.80', invoiceDate: '11/05/2026', invoiceNumber: '9348' } }, nextId);
    expect(edited.header).toMatchObject({ vendor: 'ABC-CON', total: 108780, invoiceDate: '2026-11-05', invoiceNumber: '9348' });
    expect(changed.sort()).toEqual(['invoiceDate', 'invoiceNumber', 'total', 'vendor']);
  });

  it.each([
    [{ header: { total: '12.345' } }, /fractions of a cent/],
    [{ header: { invoiceDate: '2026-02-30' } }, /not a date/],
    [{ header: { nonsense: 'x' } as never }, /not an invoice header field/],
    [{ lines: [{ line: 3, changes: { job: 'x' } }] }, /has no line 3/],
    [{ addLines: [{ type: 'lumber' }] }, /line type 'lumber' is not one of/],
    [{ removeLines: [9] }, /no line 9 to remove/],
  ])('refuses %o', (edit, message) => {
    expect(() => applyEdit(invoice({ lines: [line('L1')] }), edit as never, nextId)).toThrow(message);
  });

  it('adds and removes lines', () => {
    const { invoice: edited } = applyEdit(
      invoice({ lines: [line('L1'), line('L2')] }),
      { addLines: [{ type: 'purchase-order', job: '2301', amount: '50.00' }], removeLines: [1] },
      nextId,
    );
    expect(edited.lines.map((l) => [l.type, l.amount])).toEqual([
      ['subcontract', 10000],
      ['purchase-order', 5000],
    ]);
  });

  it('sends a line back for re-approval when its coding changes after approval, and the invoice to pending', () => {
    const approved = invoice({ status: 'approved', lines: [line('L1', [['pat', 1, 'approved']]), line('L2', [['pat', 1, 'approved']])] });
    const { invoice: edited } = applyEdit(approved, { lines: [{ line: 2, changes: { costCode: '03-310' } }] }, nextId);
    expect(edited.status).toBe('pending');
    expect(edited.lines[0]!.reviewers[0]!.status).toBe('approved');
    expect(edited.lines[1]!.reviewers[0]!.status).toBe('reapprove');
    expect(currentTurn(edited.lines[1]!)).toEqual(['pat']);
  });
});

describe('reviewing in sequence', () => {
  const pending = () =>
    invoice({
      status: 'pending',
      lines: [line('L1', [['pat', 1], ['lee', 2]]), line('L2', [['lee', 1]])],
    });

  it('lets each reviewer approve only when their turn comes', () => {
    expect(() => approveLines(pending(), 'ghost', now)).toThrow(/nothing on invoice INV-000001 waits on 'ghost'/);
    const afterLee = approveLines(pending(), 'lee', now);
    expect(afterLee.lines).toEqual([2]);
    expect(afterLee.invoice.status).toBe('pending');
    expect(() => approveLines(afterLee.invoice, 'lee', now, [1])).toThrow(/yet \(earlier reviewers come first\): line 1 waits on pat/);
    const afterPat = approveLines(afterLee.invoice, 'pat', now);
    expect(afterPat.invoice.status).toBe('pending');
    const done = approveLines(afterPat.invoice, 'lee', now);
    expect(done.invoice.status).toBe('approved');
    expect(done.detail).toContain('every line is approved');
  });

  it('rejects with a reason, sending the invoice back', () => {
    expect(() => rejectLines(pending(), 'pat', now, '  ')).toThrow(/say why/);
    const rejected = rejectLines(pending(), 'pat', now, 'wrong cost code', [1]);
    expect(rejected.invoice.status).toBe('rejected');
    expect(rejected.invoice.lines[0]!.reviewers[0]!.status).toBe('rejected');
  });

  it('refuses to review an invoice that is not pending', () => {
    expect(() => approveLines(invoice({ status: 'approved' }), 'pat', now)).toThrow(/is approved, not pending review/);
  });
});

describe('holding', () => {
  it('holds with a reason and releases to the status it had', () => {
    const held = holdInvoice(invoice({ status: 'pending' }), 'clerk', now, 'vendor disputes the amount');
    expect(held.status).toBe('on-hold');
    expect(held.hold).toEqual({ at: now, by: 'clerk', reason: 'vendor disputes the amount', previous: 'pending' });
    const released = releaseInvoice(held);
    expect(released.status).toBe('pending');
    expect(released.hold).toBeNull();
  });

  it.each([
    ['without a reason', () => holdInvoice(invoice(), 'clerk', now, ' '), /say why/],
    ['twice', () => holdInvoice(holdInvoice(invoice(), 'clerk', now, 'x'), 'clerk', now, 'y'), /already on hold \(x\)/],
    ['once exported', () => holdInvoice(invoice({ status: 'exported' }), 'clerk', now, 'x'), /only invoices not yet exported/],
    ['a release of an invoice not on hold', () => releaseInvoice(invoice()), /is unprocessed, not on hold/],
  ])('refuses %s', (_, act, message) => {
    expect(act).toThrow(message);
  });
});
