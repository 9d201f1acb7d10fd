import { Injectable } from '@nestjs/common';
import type { TopicDefinition } from '@o2o/contracts';
import { createEnvelope, type OutgoingEvent } from '@o2o/kafka';
import { PrivacyParticipant } from '@o2o/runtime';
import type { CustomerState } from '../../../profiles/domain/customer-state';
import { MembershipEvents } from '../../../segments/application/ports';
import { CampaignPersonalData } from '../ports';

const SOURCE = '/services/campaign-customization';

/**
 * Access and erasure for the combined projection. Erasing a member first publishes its exits on
 * the membership topic (downstream systems must drop the customer too), then deletes what the
 * service holds of it (CampaignPersonalData: the projection, its identifier index entries, offers
 * and outcomes, and its Redis keys: contact caps, the next-action copy).
 */
@Injectable()
export class CampaignPrivacyParticipant implements PrivacyParticipant {
  constructor(
    private readonly data: CampaignPersonalData,
    private readonly membership: MembershipEvents,
  ) {}

  exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    return this.data.exportData(customerIds);
  }

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const exits = membershipExits(await this.data.states(customerIds), new Date().toISOString());
    await this.membership.publish(exits);
    const deleted = await this.data.erase(customerIds);
    return { deleted: { ...deleted, 'kafka:membership_exits': exits.length }, tombstones: [] };
  }
}

/**
 * An exit from every segment each erased member is in, continuing its sequence (so the ids are
 * those its next changes would have had); merged-away customers are members of nothing.
 */
export function membershipExits(states: readonly CustomerState[], now: string): OutgoingEvent[] {
  const exits: OutgoingEvent[] = [];
  for (const state of states) {
    if (state.mergedInto) continue;
    const customerId = state.customerId;
    let sequence = state.sequence;
    for (const [segmentId, segmentVersion] of Object.entries(state.memberships).sort(([a], [b]) => a.localeCompare(b))) {
      sequence += 1;
      exits.push({
        key: customerId,
        event: createEnvelope({
          type: 'segment.membership-changed',
          version: 1,
          id: `membership:${customerId}:${sequence}`,
          source: SOURCE,
          subject: customerId,
          data: {
            customerId,
            segmentId,
            segmentVersion,
            change: 'exited',
            reason: 'customer erased',
            changedAt: now,
            sequence,
          },
        }),
      });
    }
  }
  return exits;
}
