import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { EventRejectedDataV1, SegmentMessageV1, topics } from '@o2o/contracts';
import { BatchHandler, createEnvelope, KafkaBatchContext, KafkaPublisher, OutgoingEvent, RawBatch } from '@o2o/kafka';
import { AcceptEventsHandler } from '../application/accept-events/accept-events.handler';
import { AdmitEventsHandler, IntakeRejection, RefusedElement } from '../application/admit-events/admit-events.handler';
import { ValidationIssue } from '../domain/message-validator';
import type { ActiveSource } from '../../sources/domain/active-source';
import { IngestionMetrics } from '../application/ingestion.metrics';

/** Header carrying the write key of the source on the intake topic. */
export const INTAKE_WRITE_KEY_HEADER = 'write-key';

/**
 * The Kafka intake: channels that already run on Kafka produce Segment JSON here. Each message
 * is admitted by the same use case as an HTTP call (AdmitEventsHandler); this consumer only turns
 * a refusal into a dead letter on ingest.rejected with its reason, the message kept whole.
 */
@Controller()
export class IntakeConsumer {
  constructor(
    private readonly admit: AdmitEventsHandler,
    private readonly accept: AcceptEventsHandler,
    private readonly publisher: KafkaPublisher,
    private readonly metrics: IngestionMetrics,
  ) {}

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
      const admission = await this.admit.admitIntakeMessage({
        body: raw,
        bytes: message.value.length,
        writeKey: message.headers[INTAKE_WRITE_KEY_HEADER]?.toString(),
      });
      if (!admission.admitted) {
        const { reason, issues } = deadLetterOf(admission.rejection);
        reject(reason, issues, 'sourceId' in admission.rejection ? admission.rejection.sourceId : undefined);
        continue;
      }
      const { source } = admission;
      const refused = admission.refused[0];
      const accepted = admission.messages[0];
      if (refused || !accepted) {
        reject(refusalReason(refused), refused?.issues ?? [], source.id);
        continue;
      }
      const group = bySource.get(source.id) ?? { source, messages: [] };
      group.messages.push(accepted);
      bySource.set(source.id, group);
    }
    if (rejected.length > 0) await this.publisher.publish([{ topic: topics.ingestRejected, events: rejected }]);
    for (const { source, messages } of bySource.values()) {
      await this.accept.execute({ source: { id: source.id, channel: source.channel }, messages, receivedAt });
    }
  }
}

const keyField = `headers.${INTAKE_WRITE_KEY_HEADER}`;

/** Admission's refusals as dead letters: the reason and the field at fault. */
function deadLetterOf(rejection: IntakeRejection): { reason: string; issues: ValidationIssue[] } {
  switch (rejection.kind) {
    case 'credential_missing':
    case 'credential_unknown':
      return { reason: 'unauthorized', issues: [{ field: keyField, code: 'required', message: 'a valid write key header is required' }] };
    case 'source_disabled':
      return {
        reason: 'forbidden',
        issues: [{ field: keyField, code: 'invalid_value', message: `source ${rejection.sourceId} is disabled` }],
      };
    case 'too_large':
      return { reason: 'too_large', issues: [{ field: '(body)', code: 'too_large', message: `at most ${rejection.limit} bytes` }] };
    case 'invalid_json':
      return {
        reason: 'invalid_json',
        issues: [
          { field: '(body)', code: 'invalid_type', message: rejection.expected === 'json' ? 'not valid JSON' : 'expected an object' },
        ],
      };
  }
}

/** A refused intake message's reason: the code of its first issue, or the purpose rule it broke. */
function refusalReason(refused: RefusedElement | undefined): string {
  if (refused?.kind === 'purpose_required' || refused?.kind === 'invalid_purpose') return refused.kind;
  return refused?.issues[0]?.code ?? 'invalid_event';
}
