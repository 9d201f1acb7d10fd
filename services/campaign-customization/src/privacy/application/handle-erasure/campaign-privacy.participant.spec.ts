import type { OutgoingEvent } from '@o2o/kafka';
import { emptyState, type CustomerState } from '../../../profiles/domain/customer-state';
import type { MembershipEvents } from '../../../segments/application/ports';
import type { CampaignPersonalData } from '../ports';
import { CampaignPrivacyParticipant, membershipExits } from './campaign-privacy.participant';

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

/** The stores as erasure sees them, writing down each call in order. */
class RecordingData implements CampaignPersonalData {
  readonly calls: string[] = [];

  constructor(private readonly held: CustomerState[]) {}

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    this.calls.push(`export ${customerIds.join(',')}`);
    return { profiles: this.held.filter((s) => customerIds.includes(s.customerId)).map((s) => s.customerId) };
  }

  async states(customerIds: string[]): Promise<CustomerState[]> {
    this.calls.push(`states ${customerIds.join(',')}`);
    return this.held.filter((s) => customerIds.includes(s.customerId));
  }

  async erase(customerIds: string[]): Promise<Record<string, number>> {
    this.calls.push(`erase ${customerIds.join(',')}`);
    return { 'mongo:customers': customerIds.length, 'redis:keys': 0 };
  }
}

class RecordingMembership implements MembershipEvents {
  constructor(
    private readonly calls: string[],
    readonly published: OutgoingEvent[] = [],
  ) {}

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    this.calls.push(`publish ${events.map((e) => e.event.id).join(',')}`);
    this.published.push(...events);
  }
}

describe('erasing a customer', () => {
  it('publishes the exits before anything is deleted, and counts them with what was deleted', async () => {
    const data = new RecordingData([member('c-1', 1, { gold: 1 })]);
    const membership = new RecordingMembership(data.calls);
    const result = await new CampaignPrivacyParticipant(data, membership).erase(['c-1']);
    expect(data.calls).toEqual(['states c-1', 'publish membership:c-1:2', 'erase c-1']);
    expect(result).toEqual({ deleted: { 'mongo:customers': 1, 'redis:keys': 0, 'kafka:membership_exits': 1 }, tombstones: [] });
  });

  it('deletes nothing when the exits could not be published (the request is retried)', async () => {
    const data = new RecordingData([member('c-1', 1, { gold: 1 })]);
    const failing: MembershipEvents = {
      publish: async () => {
        throw new Error('Kafka is away');
      },
    };
    await expect(new CampaignPrivacyParticipant(data, failing).erase(['c-1'])).rejects.toThrow('Kafka is away');
    expect(data.calls).toEqual(['states c-1']);
  });

  it('exports what the stores hold of the customers', async () => {
    const data = new RecordingData([member('c-1', 1, { gold: 1 }), member('c-2', 0, {})]);
    const exported = await new CampaignPrivacyParticipant(data, new RecordingMembership(data.calls)).exportData(['c-2']);
    expect(exported).toEqual({ profiles: ['c-2'] });
  });
});
