import { Injectable } from '@nestjs/common';
import { ConsumedMessage } from '@o2o/kafka';
import { TopicEvent } from '@o2o/contracts';
import { SummaryInput, SummaryUpdater } from '../../purchases/application/update-summaries/summary-updater';
import type { PurchaseSummary } from '../../shared-kernel/domain';

/**
 * Applies a batch of needs profiles (compacted topic: full state per customer, newer updatedAt
 * wins, so replays change nothing) and tombstones (erased profiles: forget the archetypes), and
 * re-scores the customers whose peer group may have moved: one read, one publication, one
 * chunked bulk write for the batch (see SummaryUpdater).
 */
@Injectable()
export class ApplyNeedsProfilesHandler {
  constructor(private readonly updater: SummaryUpdater) {}

  async execute(messages: ReadonlyArray<ConsumedMessage<TopicEvent<'needsProfiles'>>>): Promise<void> {
    const inputs: SummaryInput[] = messages.map((message) => {
      if (message.kind === 'tombstone') {
        return {
          customerId: message.key,
          followMerges: false,
          create: false,
          apply: forgetNeeds,
          cause: { trace: message.trace, causationId: undefined, correlationId: undefined },
        };
      }
      const { event } = message;
      const archetypes = [...new Set(event.data.archetypes)].sort();
      const updatedAt = new Date(event.data.updatedAt);
      return {
        customerId: event.data.customerId,
        followMerges: false,
        create: true,
        apply: (summary: PurchaseSummary) =>
          summary.needsUpdatedAt !== undefined && summary.needsUpdatedAt >= updatedAt
            ? undefined
            : { ...summary, archetypes, needsUpdatedAt: updatedAt },
        cause: { trace: message.trace, causationId: event.id, correlationId: event.correlationid },
      };
    });
    await this.updater.update(inputs);
  }
}

function forgetNeeds(summary: PurchaseSummary): PurchaseSummary | undefined {
  if (summary.archetypes === undefined) return undefined;
  const { archetypes: _archetypes, needsUpdatedAt: _updatedAt, ...rest } = summary;
  return rest;
}
