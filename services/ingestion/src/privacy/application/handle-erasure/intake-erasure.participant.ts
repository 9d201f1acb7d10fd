import { Inject, Injectable } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { TopicDefinition, topics } from '@o2o/contracts';
import { KAFKA, TopicNames } from '@o2o/kafka';
import { InjectLogger, Logger } from '@o2o/observability';
import { PrivacyParticipant } from '@o2o/runtime';
import type { IngestionConfig } from '../../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../../ingestion.tokens';

/**
 * Ingestion keeps nothing about customers, but the Kafka intake holds what channels produced, in
 * clear (the platform cannot seal what it does not write). Everything ingestion has consumed from
 * it was copied, sealed, to ingest.events or ingest.rejected, so an erasure deletes the intake's
 * records up to this group's committed offsets (Kafka DeleteRecords): a replay of the intake
 * finds none of them. Messages not consumed yet are handled as they arrive, and what is produced
 * afterwards stays until the topic's retention.
 */
@Injectable()
export class IntakeErasureParticipant implements PrivacyParticipant {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly names: TopicNames,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async exportData(): Promise<Record<string, unknown>> {
    return { note: 'ingestion keeps no data about individual customers' };
  }

  async erase(): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const topic = this.names.of(topics.ingestIntake);
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: `${this.names.prefix}${this.config.KAFKA_GROUP_ID}`, topics: [topic] });
      const low = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.low)]));
      const partitions = (committed?.partitions ?? [])
        .map((p) => ({ partition: p.partition, offset: p.offset }))
        .filter((p) => Number(p.offset) > (low.get(p.partition) ?? 0));
      if (partitions.length > 0) await admin.deleteTopicRecords({ topic, partitions });
      const deleted = partitions.reduce((n, p) => n + Number(p.offset) - (low.get(p.partition) ?? 0), 0);
      this.logger.info({ topic, deleted }, 'intake records consumed so far deleted for an erasure');
      return { deleted: { 'kafka:intake_records': deleted }, tombstones: [] };
    } finally {
      await admin.disconnect();
    }
  }
}
