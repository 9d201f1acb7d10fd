import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { PrivacyRepository } from '../infrastructure/privacy.repository';

/** Collects every service's answer to a privacy request. */
@Controller()
export class PrivacyResponsesConsumer {
  constructor(private readonly repository: PrivacyRepository) {}

  @BatchHandler(topics.privacyResponses)
  async onResponse(@Payload() batch: EventBatch<'privacyResponses'>): Promise<void> {
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const response = message.event;
      const before = await this.repository.get(response.data.requestId);
      if (!before) continue;
      if (response.type === 'privacy.erasure-acknowledged') {
        const { deleted, tombstonedTopics, completedAt, service } = response.data;
        const after = await this.repository.answer(response.data.requestId, service, { at: completedAt, deleted, tombstonedTopics });
        await this.repository.record({
          requestId: before._id,
          kind: 'erasure',
          action: 'acknowledged',
          customerPseudonym: before.customerPseudonym,
          identifierType: '-',
          service,
        });
        if (after?.status === 'completed' && before.status !== 'completed') {
          await this.repository.record({
            requestId: before._id,
            kind: 'erasure',
            action: 'completed',
            customerPseudonym: before.customerPseudonym,
            identifierType: '-',
          });
        }
      } else {
        const { service, providedAt, data } = response.data;
        await this.repository.answer(response.data.requestId, service, { at: providedAt }, data);
      }
    }
  }
}
