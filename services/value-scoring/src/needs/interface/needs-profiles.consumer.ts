import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { ApplyNeedsProfilesHandler } from '../application/apply-needs-profiles.handler';

/**
 * Keeps, of each needs profile, only the archetypes (the needs half of the peer-group key) on
 * the customer's summary; a changed profile can move the customer's peer group and so its
 * strategic value.
 */
@Controller()
export class NeedsProfilesConsumer {
  constructor(private readonly profiles: ApplyNeedsProfilesHandler) {}

  @BatchHandler(topics.needsProfiles)
  async onProfiles(@Payload() batch: EventBatch<'needsProfiles'>): Promise<void> {
    await this.profiles.execute(batch.messages);
  }
}
