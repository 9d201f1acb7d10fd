import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { ApplyIdentityChangesHandler } from '../application/apply-identity-changes/apply-identity-changes.handler';
import { RecordPurchasesHandler } from '../application/record-purchases/record-purchases.handler';

@Controller()
export class ValueEventsConsumer {
  constructor(
    private readonly record: RecordPurchasesHandler,
    private readonly identityChanges: ApplyIdentityChangesHandler,
  ) {}

  @BatchHandler(topics.identityEvents)
  async onResolved(@Payload() batch: EventBatch<'identityEvents'>): Promise<void> {
    await this.record.execute(batch.messages.flatMap((m) => (m.kind === 'event' ? [{ event: m.event, trace: m.trace }] : [])));
  }

  /** In order, one at a time: a split may undo a merge earlier in the same batch. */
  @BatchHandler(topics.identityChanges)
  async onIdentityChange(@Payload() batch: EventBatch<'identityChanges'>): Promise<void> {
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const { event, trace } = message;
      const change = { eventId: event.id, correlationId: event.correlationid, trace };
      if (event.type === 'customer.merged') await this.identityChanges.merge(event.data, change);
      else await this.identityChanges.split(event.data, change);
    }
  }
}
