// The decisions behind Create payments in Procore: the method, the number, the origin id, which
// invoices need a payment, the payment itself, and what a refusal records.
import { describe, expect, it } from 'vitest';
import { newDocument, type Invoice } from '../../source/domain/invoice.js';
import type { InvoiceId, ProcoreId, QueueId, VaultId } from '../../source/domain/ids.js';
import type { Cents } from '../../source/domain/money.js';
import {
  askPaymentAgain,
  contractPaymentFor,
  isPaymentRefusal,
  needsProcorePayment,
  nextPaymentNumber,
  paymentBlocker,
  paymentMethodFor,
  paymentOriginId,
  refusalRecord,
  withPaymentCreated,
  withPaymentFailed,
} from '../../source/domain/procore-payment.js';

const now = '2026-11-26T10:00:00.000Z';
const link = { companyId: '9007199254740993' as ProcoreId, projectId: '1710001' as ProcoreId, commitmentId: '52001' as ProcoreId, vendorId: null, requisitionId: '9007199254740997' as ProcoreId };

function paidFromProcore(overrides: Partial<Invoice> = {}): Invoice {
  return {
    ...newDocument({
      id: 'PC-9007199254740993-9007199254740997' as InvoiceId,
      vaultId: 'harbor' as VaultId,
      queueId: 'procore-invoices' as QueueId,
      source: { kind: 'procore-auto', procore: link },
      attachments: [],
      user: 'sync',
      now,
      detail: 'imported',
    }),
    status: 'paid',
    header: { vendor: 'ELEC-02', invoiceNumber: 'BLE-5530', invoiceDate: '2026-11-05', dueDate: null, total: 1_087_80 as Cents, retainage: 108_78 as Cents, description: null, processor: null },
    payment: { checkNumber: '10001', checkDate: '2026-11-20', amount: 979_02 as Cents, method: 'ACH', recordedAt: now },
    ...overrides,
  };
}

describe('the payment method Procore is told', () => {
  it.each([
    ['Check', 'check'],
    ['CHEQUE', 'check'],
    ['Manual Check', 'check'],
    ['ACH', 'electronic'],
    ['EFT', 'electronic'],
    ['Wire', 'electronic'],
    ['Wire Transfer', 'electronic'],
    ['electronic', 'electronic'],
    ['Electronic Check', 'electronic'],
    ['Direct Deposit', 'electronic'],
    ['Credit Card', 'credit_card'],
    ['credit_card', 'credit_card'],
  ])('%s is %s', (accounting, procore) => {
    expect(paymentMethodFor(accounting)).toEqual({ method: procore, known: true });
  });

  it.each(['Bitcoin', 'Barter', '', 'Cash'])("'%s' is sent as a check, and the notes say so", (accounting) => {
    expect(paymentMethodFor(accounting)).toEqual({ method: 'check', known: false });
    const draft = contractPaymentFor(paidFromProcore({ payment: { ...paidFromProcore().payment!, method: accounting } }), { id: 'harbor', name: 'Harbor' }, 1);
    expect(draft.method).toBe('check');
    expect(draft.notes).toContain(`payment method '${accounting}' is not one apdesk knows, so it was sent as a check`);
  });
});

describe('numbers and origin ids', () => {
  it('numbers a payment one above the highest on the commitment, whatever the order or gaps', () => {
    expect(nextPaymentNumber([])).toBe(1);
    expect(nextPaymentNumber([null])).toBe(1);
    expect(nextPaymentNumber([3, null, 1, 7, 2])).toBe(8);
  });

  it('names the apdesk payment by vault, invoice and check: the same every time, another for another check', () => {
    const id = paymentOriginId('harbor', 'PC-1-2', '10001');
    expect(id).toBe('apdesk:harbor:PC-1-2:10001');
    expect(paymentOriginId('harbor', 'PC-1-2', ' 10001 ')).toBe(id);
    expect(paymentOriginId('harbor', 'PC-1-2', '10002')).not.toBe(id);
    expect(paymentOriginId('quarry', 'PC-1-2', '10001')).not.toBe(id);
  });
});

describe('which invoices need a payment', () => {
  it.each<[string, Partial<Invoice>, boolean]>([
    ['a paid invoice from Procore without one', {}, true],
    ['one imported by hand from Procore', { source: { kind: 'procore-manual', procore: link } }, true],
    ['a manual invoice', { source: { kind: 'manual' } }, false],
    ['a folder import', { source: { kind: 'folder', inbox: 'scans' } }, false],
    ['an exported, not yet paid, invoice', { status: 'exported', payment: null }, false],
    ['one whose payment is recorded', { procorePayment: { state: 'created', paymentId: '88' as ProcoreId, originId: 'x', paymentNumber: 1, amount: 1 as Cents, at: now } }, false],
    ['one Procore refused, until a person asks again', { procorePayment: { state: 'failed', error: 'no', at: now, attempts: 1 } }, false],
  ])('%s: %s', (_, overrides, expected) => {
    expect(needsProcorePayment(paidFromProcore(overrides))).toBe(expected);
  });
});

describe('the payment', () => {
  it('carries the check, the next number, the invoice, the requisition, notes naming apdesk, and its origin id', () => {
    const draft = contractPaymentFor(paidFromProcore(), { id: 'harbor', name: 'Harbor Builders' }, 4);
    expect(draft).toEqual({
      projectId: '1710001',
      contractId: '52001',
      requisitionId: '9007199254740997',
      date: '2026-11-20',
      amount: 979_02,
      method: 'electronic',
      checkNumber: '10001',
      paymentNumber: 4,
      invoiceNumber: 'BLE-5530',
      notes: "Paid by electronic payment 10001 of 2026-11-20, $979.02: recorded by apdesk from vault 'Harbor Builders', invoice PC-9007199254740993-9007199254740997.",
      originId: 'apdesk:harbor:PC-9007199254740993-9007199254740997:10001',
    });
  });

  it('is not sent for another company than the vault speaks for, nor for $0.00', () => {
    expect(paymentBlocker(paidFromProcore(), '9007199254740993')).toBeNull();
    expect(paymentBlocker(paidFromProcore(), '4126')).toMatch(/came from Procore company 9007199254740993, but the vault is set up for company 4126 — choose that company/);
    expect(paymentBlocker(paidFromProcore(), null)).toMatch(/set up for no company/);
    const zero = paidFromProcore({ payment: { ...paidFromProcore().payment!, amount: 0 as Cents } });
    expect(paymentBlocker(zero, '9007199254740993')).toMatch(/check 10001 paid \$0\.00: Procore takes only payments above \$0\.00/);
  });
});

describe('what is recorded', () => {
  it('counts the refusals in the audit trail, and a person asking again clears the last one', () => {
    const first = withPaymentFailed(paidFromProcore(), 'Procore refused the payment: no', now);
    expect(first.procorePayment).toEqual({ state: 'failed', error: 'Procore refused the payment: no', at: now, attempts: 1 });
    const audited = { ...first, audit: [...first.audit, { at: now, user: 'sync', action: 'invoice.procore-payment-failed', outcome: 'error' as const, detail: 'no' }] };
    const cleared = askPaymentAgain(audited);
    expect(cleared.invoice.procorePayment).toBeNull();
    expect(cleared.detail).toMatch(/asked for again after its refusal: Procore refused the payment: no/);
    expect(needsProcorePayment(cleared.invoice)).toBe(true);
    expect(withPaymentFailed(cleared.invoice, 'again', now).procorePayment).toMatchObject({ attempts: 2 });
  });

  it('refuses to retry a payment that exists, or one for an invoice that has none to make', () => {
    const created = withPaymentCreated(paidFromProcore(), { paymentId: '88' as ProcoreId, originId: 'o', paymentNumber: 3, amount: 979_02 as Cents }, now);
    expect(() => askPaymentAgain(created)).toThrow(/already has Procore payment 88 \(number 3\); nothing to retry/);
    expect(() => askPaymentAgain(paidFromProcore({ source: { kind: 'manual' } }))).toThrow(/did not come from Procore/);
    expect(() => askPaymentAgain(paidFromProcore({ status: 'exported' }))).toThrow(/is exported, not paid/);
    expect(() => withPaymentFailed(created, 'late', now)).toThrow(/already has Procore payment 88; the refusal was not recorded/);
    expect(() => withPaymentCreated(created, { paymentId: '89' as ProcoreId, originId: 'o', paymentNumber: 4, amount: 1 as Cents }, now)).toThrow(/already has Procore payment 88; payment 89 was not recorded/);
  });

  it('tells a refusal (kept until a person acts) from a failure for now (tried again next run)', () => {
    for (const status of [400, 403, 404, 409, 422]) expect(isPaymentRefusal(status), String(status)).toBe(true);
    for (const status of [null, 401, 429, 500, 502, 503]) expect(isPaymentRefusal(status), String(status)).toBe(false);
  });

  it('records what Procore said and what to do', () => {
    expect(refusalRecord(422, 'Payments are not allowed on this commitment')).toBe(
      'Procore refused the payment: Payments are not allowed on this commitment — allow payments on this commitment in Procore, then ask for the payment again',
    );
    expect(refusalRecord(403, 'forbidden')).toMatch(/give the connected Procore user the right to create payments/);
    expect(refusalRecord(422, 'requisition_id 5 is not a subcontractor invoice on this commitment')).toMatch(/the subcontractor invoice is not on this commitment in Procore/);
  });
});
