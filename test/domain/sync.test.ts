// The sync loop's pure decisions: what a requisition becomes, the polling plan under the hourly
// budget, the watermark and its overlap, and the backoff of failed imports.
import { describe, expect, it } from 'vitest';
import type { ProcoreId } from '../../source/domain/ids.js';
import type { ProcoreProject, ProcoreRequisition } from '../../source/domain/procore-mapping.js';
import {
  afterPoll,
  decideRequisition,
  DEFAULT_POLL_POLICY,
  pollPlan,
  pollWindow,
  projectDue,
  recordFailure,
  retryDelayMs,
} from '../../source/domain/sync.js';

function requisition(overrides: Partial<ProcoreRequisition> = {}): ProcoreRequisition {
  return {
    id: '1' as ProcoreId,
    projectId: '10' as ProcoreId,
    commitmentId: '20' as ProcoreId,
    commitmentType: 'WorkOrderContract',
    contractName: null,
    vendorId: null,
    vendorName: null,
    number: '1',
    invoiceNumber: 'A-1',
    status: 'approved',
    billingDate: null,
    periodStart: null,
    periodEnd: null,
    updatedAt: '2026-11-30T10:00:00Z',
    originId: null,
    erpStatus: null,
    electronicSignatureId: null,
    summary: null,
    items: null,
    attachments: [{ id: '5' as ProcoreId, url: 'https://files.example/5', filename: 'a.pdf', contentType: 'application/pdf' }],
    ...overrides,
  };
}

const project: ProcoreProject = { id: '10' as ProcoreId, name: 'Tower', projectNumber: '2301', originCode: null, companyId: '1' as ProcoreId, active: true };

describe('decideRequisition', () => {
  it('imports an approved one with files, noting DocuSign', () => {
    expect(decideRequisition(requisition())).toEqual({ action: 'import', notes: [] });
    const signed = decideRequisition(requisition({ electronicSignatureId: '77' as ProcoreId }));
    expect(signed.action).toBe('import');
    expect((signed as { notes: string[] }).notes[0]).toMatch(/signed DocuSign document is not included/);
  });

  it('checks the status itself, whatever the list was filtered on', () => {
    expect(decideRequisition(requisition({ status: 'under_review' })).action).toBe('ignore');
    expect(decideRequisition(requisition({ status: 'approved_as_noted' })).action).toBe('import');
  });

  it('skips one synced elsewhere, by origin_id or by ERP status, saying which', () => {
    expect(decideRequisition(requisition({ originId: 'SAGE-1' }))).toEqual({ action: 'skip', reason: 'synced to an accounting system by another integration (origin_id SAGE-1)' });
    expect(decideRequisition(requisition({ erpStatus: 'synced' }))).toEqual({ action: 'skip', reason: 'synced to an accounting system by another integration (ERP status synced)' });
  });

  it('waits on one without a file', () => {
    expect(decideRequisition(requisition({ attachments: [] }))).toEqual({ action: 'wait', reason: 'no file attached in Procore' });
  });
});

describe('the polling plan', () => {
  it('polls a few hot projects every minute and the cold ones at their interval', () => {
    const plan = pollPlan(5, 45, DEFAULT_POLL_POLICY);
    expect(plan.hotMs).toBe(60_000);
    expect(plan.coldMs).toBe(30 * 60_000);
    expect(plan.requestsPerHour).toBe(2 + 5 * 60 + 45 * 2);
  });

  it('stretches the intervals to keep 200 projects within half of 3,600 requests an hour', () => {
    for (const hot of [0, 20, 60, 200]) {
      const plan = pollPlan(hot, 200 - hot, DEFAULT_POLL_POLICY);
      expect(plan.requestsPerHour, `${hot} hot`).toBeLessThanOrEqual(1800);
    }
    const busy = pollPlan(60, 140, DEFAULT_POLL_POLICY);
    expect(busy.hotMs).toBeGreaterThan(60_000);
  });

  it('polls a project never polled, and one whose interval has passed', () => {
    const plan = pollPlan(1, 1, DEFAULT_POLL_POLICY);
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(projectDue(undefined, plan, now)).toBe(true);
    const hot = afterPoll(undefined, [requisition({ status: 'under_review' })], { now: now - 30_000, full: true, project });
    expect(projectDue(hot, plan, now)).toBe(false);
    expect(projectDue(hot, plan, now + 30_000)).toBe(true);
    const cold = afterPoll(undefined, [requisition()], { now: now - 30_000, full: true, project });
    expect(projectDue(cold, plan, now + 30_000)).toBe(false);
  });
});

describe('the watermark', () => {
  it('moves to the newest updated_at seen and asks from it less the overlap', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const poll = afterPoll(undefined, [requisition({ updatedAt: '2026-11-30T10:00:00Z' }), requisition({ id: '2' as ProcoreId, updatedAt: '2026-11-30T11:00:00Z' })], { now, full: true, project });
    expect(poll.watermark).toBe('2026-11-30T11:00:00Z');
    expect(pollWindow(undefined, now)).toBeNull();
    expect(pollWindow(poll, now)![0]).toBe(new Date(Date.parse('2026-11-30T11:00:00Z') - DEFAULT_POLL_POLICY.overlapMs).toISOString());
  });

  it('keeps what is in flight across partial polls and forgets what left flight', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    const first = afterPoll(undefined, [requisition({ status: 'under_review' }), requisition({ id: '2' as ProcoreId, status: 'draft' })], { now, full: true, project });
    expect(Object.keys(first.inFlight).sort()).toEqual(['1', '2']);
    const next = afterPoll(first, [requisition({ status: 'approved' })], { now, full: false, project });
    expect(next.inFlight).toEqual({ 2: 'draft' });
  });
});

describe('backoff', () => {
  it('doubles from a minute up to six hours, counting attempts', () => {
    expect(retryDelayMs(1)).toBe(60_000);
    expect(retryDelayMs(3)).toBe(240_000);
    expect(retryDelayMs(30)).toBe(6 * 3_600_000);
    const now = Date.parse('2026-11-30T12:00:00Z');
    const once = recordFailure(undefined, { requisitionId: '1', projectId: '10', error: 'boom', now });
    const twice = recordFailure(once, { requisitionId: '1', projectId: '10', error: 'boom again', now: now + 60_000 });
    expect(twice).toMatchObject({ attempts: 2, firstAt: once.firstAt, error: 'boom again', nextAttemptAt: new Date(now + 60_000 + 120_000).toISOString() });
  });
});
