import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { OutboundOnEntryHandler } from '../application/outbound-on-entry/outbound-on-entry.handler';

/** This service's own segment entries, read back: campaigns triggered on segment entry decide here. */
@Controller()
export class SegmentEntriesConsumer {
  constructor(private readonly outbound: OutboundOnEntryHandler) {}

  @BatchHandler(topics.segmentMembership)
  async onMembershipChanges(@Payload() batch: EventBatch<'segmentMembership'>): Promise<void> {
    await this.outbound.execute(batch.messages.flatMap((m) => (m.kind === 'event' ? [{ eventId: m.event.id, data: m.event.data }] : [])));
  }
}
