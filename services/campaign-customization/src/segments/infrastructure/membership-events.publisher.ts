import { Injectable } from '@nestjs/common';
import { topics } from '@o2o/contracts';
import { KafkaPublisher, type OutgoingEvent } from '@o2o/kafka';
import type { MembershipEvents } from '../application/ports';

/** Membership changes on segments.membership.v1, through the service's one Kafka publisher. */
@Injectable()
export class KafkaMembershipEvents implements MembershipEvents {
  constructor(private readonly publisher: KafkaPublisher) {}

  async publish(events: readonly OutgoingEvent[], options: { skipAcknowledged?: boolean } = {}): Promise<void> {
    await this.publisher.publish([{ topic: topics.segmentMembership, events: [...events] }], options);
  }
}
