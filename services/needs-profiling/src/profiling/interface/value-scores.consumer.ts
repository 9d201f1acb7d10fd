import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { ApplyValueScoresHandler, type ValueMessage } from '../application/apply-value-scores/apply-value-scores.handler';

/** Value states (value.scores.v1, compacted): the customer's value weighs the worth of asking them (learning starts with the most valuable customers). */
@Controller()
export class ValueScoresConsumer {
  constructor(private readonly apply: ApplyValueScoresHandler) {}

  @BatchHandler(topics.valueScores)
  async onValueScores(@Payload() batch: EventBatch<'valueScores'>): Promise<void> {
    await this.apply.execute(
      batch.messages.map((m): ValueMessage => {
        if (m.kind === 'tombstone') return { kind: 'tombstone', customerId: m.key, trace: m.trace };
        const { customerId, tier, actualValue, strategicValue, updatedAt } = m.event.data;
        return {
          kind: 'state',
          customerId,
          value: { tier, actualValue, strategicValue, updatedAt: new Date(updatedAt).toISOString() },
          eventId: m.event.id,
          correlationId: m.event.correlationid,
          trace: m.trace,
        };
      }),
    );
  }
}
