import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { ApplyEventsHandler } from '../application/apply-events/apply-events.handler';
import { FoldMergeHandler } from '../application/fold-merge/fold-merge.handler';
import { RebuildSplitHandler } from '../application/rebuild-split/rebuild-split.handler';

@Controller()
export class IdentityEventsConsumer {
  constructor(
    private readonly apply: ApplyEventsHandler,
    private readonly merge: FoldMergeHandler,
    private readonly split: RebuildSplitHandler,
  ) {}

  @BatchHandler(topics.identityEvents)
  async onResolved(@Payload() batch: EventBatch<'identityEvents'>): Promise<void> {
    await this.apply.execute(batch.messages.flatMap((m) => (m.kind === 'event' ? [{ event: m.event, trace: m.trace }] : [])));
  }

  /** In order, one at a time: a split may undo a merge earlier in the same batch. */
  @BatchHandler(topics.identityChanges)
  async onIdentityChange(@Payload() batch: EventBatch<'identityChanges'>): Promise<void> {
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const { event, trace } = message;
      const base = { eventId: event.id, correlationId: event.correlationid, trace };
      if (event.type === 'customer.merged') await this.merge.execute({ ...base, data: event.data });
      else await this.split.execute({ ...base, data: event.data });
    }
  }
}
