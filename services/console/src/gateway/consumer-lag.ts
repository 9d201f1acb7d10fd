import { Inject, Injectable } from '@nestjs/common';
import { platformServices, topics, type TopicDefinition } from '@o2o/contracts';
import { KAFKA, TopicNames } from '@o2o/kafka';
import type { Kafka } from 'kafkajs';

export interface GroupLag {
  group: string;
  topic: string;
  /** Messages on the topic not yet committed by the group, over all partitions. */
  lag: number;
  partitions: number;
}

/** Consumer lag of each platform service's group on each topic it consumes, read from Kafka's own offsets. */
@Injectable()
export class ConsumerLag {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly names: TopicNames,
  ) {}

  async read(): Promise<GroupLag[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const all = Object.values(topics) as TopicDefinition[];
      const out: GroupLag[] = [];
      // Several groups read one topic (privacy requests, identity events): its end offsets are asked once.
      const endOffsets = new Map<string, ReturnType<typeof admin.fetchTopicOffsets>>();
      const endsOf = (topic: string) => {
        const held = endOffsets.get(topic) ?? admin.fetchTopicOffsets(topic);
        endOffsets.set(topic, held);
        return held;
      };
      for (const group of platformServices) {
        const consumed = all.filter((t) => (t.consumers as readonly string[] | undefined)?.includes(group)).map((t) => this.names.of(t));
        if (consumed.length === 0) continue;
        // Groups carry the topic prefix like the topics (libs/kafka batch transport).
        const committed = await admin.fetchOffsets({ groupId: `${this.names.prefix}${group}`, topics: consumed });
        for (const { topic, partitions } of committed) {
          const ends = new Map((await endsOf(topic)).map((p) => [p.partition, p]));
          let lag = 0;
          for (const p of partitions) {
            const end = ends.get(p.partition);
            if (!end) continue;
            // A group that never committed on a partition is behind by everything still on it.
            const from = Number(p.offset) >= 0 ? Number(p.offset) : Number(end.low);
            lag += Math.max(0, Number(end.high) - from);
          }
          out.push({ group, topic: topic.slice(this.names.prefix.length), lag, partitions: partitions.length });
        }
      }
      return out;
    } finally {
      await admin.disconnect();
    }
  }
}
