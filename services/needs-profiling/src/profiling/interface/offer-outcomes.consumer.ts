import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics, type EventResolvedV1 } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import type { NeedsProfilingConfig } from '../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../needs.tokens';
import { ApplyEventsHandler } from '../application/apply-events/apply-events.handler';
import { offerOutcomeEvent } from '../domain';

/**
 * Offer outcomes (campaigns.outcomes.v1) teach the profile: acceptances raise the offer's
 * categories and the channel, declines and ignored offers lower them (profiling config
 * `outcomes`). Each outcome is folded like a resolved event of its customer (journal, merged ids
 * mapped to the survivor, splits replay it), in the same batched path.
 */
@Controller()
export class OfferOutcomesConsumer {
  constructor(
    private readonly apply: ApplyEventsHandler,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
  ) {}

  @BatchHandler(topics.campaignOutcomes)
  async onOutcomes(@Payload() batch: EventBatch<'campaignOutcomes'>): Promise<void> {
    await this.apply.execute(
      batch.messages.flatMap((m) => {
        if (m.kind !== 'event') return [];
        const { data, ...envelope } = m.event;
        const event: EventResolvedV1 = {
          ...envelope,
          type: 'customer-event.resolved',
          version: 1,
          data: offerOutcomeEvent(data, this.config.profiling),
        };
        return [{ event, trace: m.trace }];
      }),
    );
  }
}
