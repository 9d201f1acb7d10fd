import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { EventRejectedDataV1, SegmentMessageV1, topics } from '@o2o/contracts';
import { BatchHandler, createEnvelope, KafkaBatchContext, KafkaPublisher, OutgoingEvent, RawBatch } from '@o2o/kafka';
import { AcceptEventsHandler } from '../application/accept-events/accept-events.handler';
import { MAX_EVENT_BYTES, ValidationIssue, validateMessage } from '../domain/message-validator';
import { checkPurpose, PurposePolicy } from '../domain/purpose-policy';
import type { IngestionConfig } from '../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../ingestion.tokens';
import { ActiveSource, SourceRepository } from '../../sources/infrastructure/source.repository';
import { IngestionMetrics } from '../infrastructure/ingestion.metrics';

/** Header carrying the write key of the source on the intake topic. */
export const INTAKE_WRITE_KEY_HEADER = 'write-key';

/**
 * The Kafka intake: channels that already run on Kafka produce Segment JSON here. Each message
 * is validated exactly as over HTTP; failures go to ingest.rejected with the reason, whole.
 */
@Controller()
export class IntakeConsumer {
  constructor(
    private readonly accept: AcceptEventsHandler,
    private readonly sources: SourceRepository,
    private readonly publisher: KafkaPublisher,
    private readonly metrics: IngestionMetrics,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
  ) {
    this.purposes = { requiredFor: config.PURPOSE_REQUIRED_FOR, purposes: config.PURPOSES };
  }

  private readonly purposes: PurposePolicy;

  @BatchHandler(topics.ingestIntake)
  async onIntake(@Payload() batch: RawBatch, @Ctx() _ctx: KafkaBatchContext): Promise<void> {
    const receivedAt = new Date();
    const bySource = new Map<string, { source: ActiveSource; messages: SegmentMessageV1[] }>();
    const rejected: OutgoingEvent[] = [];
    for (const message of batch.messages) {
      const raw = message.value.toString('utf8');
      const reject = (reason: string, issues: ValidationIssue[], sourceId?: string) => {
        this.metrics.rejected.inc({ source: sourceId ?? 'unknown', reason });
        const data: EventRejectedDataV1 = {
          reason,
          issues: issues.map((i) => ({ field: i.field, code: i.code, message: i.message })),
          raw,
          intakeTopic: batch.clusterTopic,
          partition: message.partition,
          offset: message.offset,
          rejectedAt: receivedAt.toISOString(),
          ...(sourceId ? { sourceId } : {}),
        };
        rejected.push({
          key: message.key ?? `${message.partition}:${message.offset}`,
          trace: message.trace,
          event: createEnvelope({
            type: 'customer-event.rejected',
            version: 1,
            id: `${batch.clusterTopic}:${message.partition}:${message.offset}`,
            source: '/services/ingestion',
            subject: message.key ?? `${message.partition}:${message.offset}`,
            data,
          }),
        });
      };
      const writeKey = message.headers[INTAKE_WRITE_KEY_HEADER]?.toString();
      const source = writeKey ? await this.sources.findByWriteKey(writeKey) : null;
      if (!source) {
        reject('unauthorized', [{ field: `headers.${INTAKE_WRITE_KEY_HEADER}`, code: 'required', message: 'a valid write key header is required' }]);
        continue;
      }
      if (!source.enabled) {
        reject('forbidden', [{ field: `headers.${INTAKE_WRITE_KEY_HEADER}`, code: 'invalid_value', message: `source ${source.id} is disabled` }], source.id);
        continue;
      }
      if (message.value.length > MAX_EVENT_BYTES) {
        reject('too_large', [{ field: '(body)', code: 'too_large', message: `at most ${MAX_EVENT_BYTES} bytes` }], source.id);
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        reject('invalid_json', [{ field: '(body)', code: 'invalid_type', message: 'not valid JSON' }], source.id);
        continue;
      }
      const result = validateMessage(json);
      if (!result.ok) {
        reject(result.issues[0]?.code ?? 'invalid_event', result.issues, source.id);
        continue;
      }
      const purposeIssue = checkPurpose(result.message, this.purposes);
      if (purposeIssue) {
        reject(purposeIssue.code === 'required' ? 'purpose_required' : 'invalid_purpose', [purposeIssue], source.id);
        continue;
      }
      const group = bySource.get(source.id) ?? { source, messages: [] };
      group.messages.push(result.message);
      bySource.set(source.id, group);
    }
    if (rejected.length > 0) await this.publisher.publish([{ topic: topics.ingestRejected, events: rejected }]);
    for (const { source, messages } of bySource.values()) {
      await this.accept.execute({ source: { id: source.id, channel: source.channel }, messages, receivedAt });
    }
  }
}
