import { Injectable } from '@nestjs/common';
import type { MembershipChangedDataV1 } from '@o2o/contracts';
import { InjectLogger, type Logger } from '@o2o/observability';
import { isLive } from '../../../campaigns/domain/campaign-definition';
import { LiveCampaigns } from '../../../campaigns/application/ports';
import { DecideNextActionHandler, UnknownCustomerError } from '../decide-next-action/decide-next-action.handler';

/** Entries older than this are history, not a reason to contact anyone now. */
const ENTRY_MAX_AGE_MS = 24 * 3_600_000;

/** An entry decision's id: derived from the entry and the campaign, so a redelivered entry decides (and counts) once. */
export function entryDecisionId(membershipEventId: string, campaignId: string): string {
  return `entry:${membershipEventId}:${campaignId}`;
}

/**
 * Outbound on segment entry: when a customer enters the segment of a live campaign whose trigger
 * is on-segment-entry, the platform decides the offer and the channel (the customer's preferred
 * consented one) and publishes the decision on campaigns.decisions.v1 for delivery systems, through
 * the same path as a channel's request: caps reserved atomically, holdouts drawn, answered once
 * Kafka has it. The entries come from this service's own membership topic, after the projection
 * write that caused them, so a crash replays them and the derived decision id keeps the effect single.
 */
@Injectable()
export class OutboundOnEntryHandler {
  constructor(
    private readonly catalog: LiveCampaigns,
    private readonly decide: DecideNextActionHandler,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async execute(entries: ReadonlyArray<{ eventId: string; data: MembershipChangedDataV1 }>): Promise<number> {
    const entered = entries.filter((e) => e.data.change === 'entered');
    if (entered.length === 0) return 0;
    const now = new Date();
    const triggered = (await this.catalog.all()).filter((c) => c.trigger === 'on-segment-entry' && isLive(c, now));
    let decided = 0;
    for (const entry of entered) {
      // A replay of old entries (a new consumer group reading from the beginning) contacts nobody.
      const at = Date.parse(entry.data.changedAt);
      if (!(at >= now.getTime() - ENTRY_MAX_AGE_MS)) continue;
      for (const campaign of triggered.filter((c) => c.segmentId === entry.data.segmentId && Date.parse(c.startAt) <= at)) {
        try {
          const answer = await this.decide.execute(
            { type: 'customerId', value: entry.data.customerId, campaignId: campaign.id },
            { kind: 'decision', decisionId: entryDecisionId(entry.eventId, campaign.id) },
          );
          if (answer.action.kind !== 'none') decided += 1;
        } catch (error) {
          // An entry of a customer erased since then has nobody left to contact.
          if (error instanceof UnknownCustomerError) continue;
          throw error;
        }
      }
    }
    if (decided > 0) this.logger.info({ decided }, 'outbound decisions on segment entry');
    return decided;
  }
}
