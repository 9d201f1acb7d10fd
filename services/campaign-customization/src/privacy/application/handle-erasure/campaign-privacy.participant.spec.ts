import { emptyState, type CustomerState } from '../../../profiles/domain/customer-state';
import { membershipExits } from './campaign-privacy.participant';

const NOW = '2026-12-07T12:00:00.000Z';

function member(customerId: string, sequence: number, memberships: Record<string, number>, mergedInto?: string): CustomerState {
  return { ...emptyState(customerId), sequence, memberships, ...(mergedInto !== undefined ? { mergedInto } : {}) };
}

describe('the membership exits of an erasure', () => {
  it('exits every segment of each member, in segment order, continuing its sequence', () => {
    const exits = membershipExits([member('c-1', 4, { silver: 2, gold: 1 }), member('c-2', 0, { gold: 3 })], NOW);
    expect(exits.map((e) => ({ key: e.key, id: e.event.id, subject: e.event.subject, data: e.event.data }))).toEqual([
      {
        key: 'c-1',
        id: 'membership:c-1:5',
        subject: 'c-1',
        data: {
          customerId: 'c-1',
          segmentId: 'gold',
          segmentVersion: 1,
          change: 'exited',
          reason: 'customer erased',
          changedAt: NOW,
          sequence: 5,
        },
      },
      {
        key: 'c-1',
        id: 'membership:c-1:6',
        subject: 'c-1',
        data: {
          customerId: 'c-1',
          segmentId: 'silver',
          segmentVersion: 2,
          change: 'exited',
          reason: 'customer erased',
          changedAt: NOW,
          sequence: 6,
        },
      },
      {
        key: 'c-2',
        id: 'membership:c-2:1',
        subject: 'c-2',
        data: {
          customerId: 'c-2',
          segmentId: 'gold',
          segmentVersion: 3,
          change: 'exited',
          reason: 'customer erased',
          changedAt: NOW,
          sequence: 1,
        },
      },
    ]);
    expect(exits.every((e) => e.event.type === 'segment.membership-changed' && e.event.version === 1)).toBe(true);
  });

  it('publishes nothing for a customer merged away or in no segment', () => {
    expect(membershipExits([member('c-1', 2, { gold: 1 }, 'c-9'), member('c-2', 3, {})], NOW)).toEqual([]);
  });
});
