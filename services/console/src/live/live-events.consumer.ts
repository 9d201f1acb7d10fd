import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { topics } from '@o2o/contracts';
import { BatchHandler, EventBatch } from '@o2o/kafka';
import { LiveChange, LiveHub } from './live-hub';
import { TimelineStore } from './timeline.store';
import { timelineEntryOf } from './timeline-entry';

type CustomerTopic = 'identityEvents' | 'needsProfiles' | 'valueScores' | 'segmentMembership' | 'campaignDecisions';

/** Changes of any customer, as they happen: the customer screen's live updates and its timeline. */
@Controller()
export class LiveEventsConsumer {
  constructor(
    private readonly hub: LiveHub,
    private readonly timeline: TimelineStore,
  ) {}

  @BatchHandler(topics.identityEvents)
  async onInteractions(@Payload() batch: EventBatch<'identityEvents'>): Promise<void> {
    const entries = batch.messages.flatMap((m) =>
      m.kind === 'event' ? [{ customerId: m.event.subject, entry: timelineEntryOf(m.event) }] : [],
    );
    await this.timeline.add(entries);
    await this.hub.publish(
      entries.map(({ customerId, entry }) => ({
        customerId,
        from: topics.identityEvents.name,
        type: 'interaction',
        time: entry.time,
        summary: entry.label,
      })),
    );
  }

  @BatchHandler(topics.needsProfiles)
  async onNeeds(@Payload() batch: EventBatch<'needsProfiles'>): Promise<void> {
    await this.hub.publish(this.changes(batch, 'needsProfiles', 'needs'));
  }

  @BatchHandler(topics.valueScores)
  async onValue(@Payload() batch: EventBatch<'valueScores'>): Promise<void> {
    await this.hub.publish(this.changes(batch, 'valueScores', 'value'));
  }

  @BatchHandler(topics.segmentMembership)
  async onMembership(@Payload() batch: EventBatch<'segmentMembership'>): Promise<void> {
    await this.hub.publish(this.changes(batch, 'segmentMembership', 'segments'));
  }

  @BatchHandler(topics.campaignDecisions)
  async onDecision(@Payload() batch: EventBatch<'campaignDecisions'>): Promise<void> {
    await this.hub.publish(this.changes(batch, 'campaignDecisions', 'decision'));
  }

  private changes<K extends CustomerTopic>(batch: EventBatch<K>, topic: K, type: string): LiveChange[] {
    return batch.messages.flatMap((m) => {
      if (m.kind !== 'event') return [];
      const event = m.event as { subject: string; time: string };
      return [{ customerId: event.subject, from: topics[topic].name, type, time: event.time }];
    });
  }
}
