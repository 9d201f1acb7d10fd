import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch, KafkaBatchContext } from '@o2o/kafka';
import { ResolveEventsHandler } from '../application/resolve-events/resolve-events.handler';

@Controller()
export class ReceivedEventsConsumer {
  constructor(private readonly resolve: ResolveEventsHandler) {}

  @BatchHandler(topics.ingestEvents)
  async onReceived(@Payload() batch: EventBatch<'ingestEvents'>, @Ctx() ctx: KafkaBatchContext): Promise<void> {
    const events = batch.messages.flatMap((m) => (m.kind === 'event' ? [{ event: m.event, trace: m.trace, offset: m.offset }] : []));
    const unresolvable = await this.resolve.execute(events);
    // Never silently dropped: an event without one usable identifier goes to the dead-letter topic.
    for (const item of unresolvable) ctx.reject({ offset: item.offset }, 'unresolvable', item.reason);
  }
}
