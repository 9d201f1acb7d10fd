import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { ResolveEventsHandler } from '../application/resolve-events/resolve-events.handler';

@Controller()
export class ReceivedEventsConsumer {
  constructor(private readonly resolve: ResolveEventsHandler) {}

  @BatchHandler(topics.ingestEvents)
  async onReceived(@Payload() batch: EventBatch<'ingestEvents'>): Promise<void> {
    const events = batch.messages.flatMap((m) => (m.kind === 'event' ? [{ event: m.event, trace: m.trace }] : []));
    await this.resolve.execute(events);
  }
}
