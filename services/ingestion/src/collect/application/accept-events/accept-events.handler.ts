import { Inject, Injectable } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { EventRejectedDataV2, ReceivedEventDataV1, SegmentMessageV1, topics } from '@o2o/contracts';
import { createEnvelope, OutgoingEvent, TopicBatch, TransactionOutcomeUnknownError } from '@o2o/kafka';
import { InjectLogger, Logger, tracer } from '@o2o/observability';
import { INGESTION_CONFIG } from '../../../ingestion.tokens';
import type { IngestionConfig } from '../../../config/ingestion.config';
import { normaliseMessage, routingKey, SourceRef } from '../../domain/segment-normaliser';
import { IngestionMetrics } from '../ingestion.metrics';
import { DedupClaims, EventLog } from '../ports';

/** A message of an HTTP request that failed validation: it goes to ingest.rejected with its reasons. */
export interface RefusedMessage {
  /** Kafka key: the message's userId or anonymousId when it has one, else the request id. */
  key: string;
  reason: string;
  issues: EventRejectedDataV2['issues'];
  raw: string;
  http: NonNullable<EventRejectedDataV2['http']>;
}

export interface AcceptEventsCommand {
  source: SourceRef;
  messages: SegmentMessageV1[];
  receivedAt: Date;
  /** The caller's address, filled into context.ip when a message has none. */
  clientIp?: string;
  /** Messages of the same request that were refused; stored with the accepted ones, in one write. */
  refused?: RefusedMessage[];
}

export interface AcceptEventsResult {
  accepted: number;
  duplicates: number;
}

/** Kafka did not acknowledge the write: nothing was accepted, the caller should retry. */
export class EventStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the event log is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'EventStoreUnavailableError';
  }
}

const SOURCE = '/services/ingestion';

/**
 * Accepts validated messages from one source: normalise, drop duplicates by messageId, and
 * write them to ingest.events. It resolves only after Kafka committed the write (acks=all, in a
 * transaction), which is what "accepted" means to the caller; a write it gave up on is aborted,
 * so the caller's retry is the only copy.
 */
@Injectable()
export class AcceptEventsHandler {
  constructor(
    private readonly publisher: EventLog,
    private readonly dedup: DedupClaims,
    private readonly metrics: IngestionMetrics,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async execute(command: AcceptEventsCommand): Promise<AcceptEventsResult> {
    const span = tracer().startSpan('ingest accept', { kind: SpanKind.PRODUCER, attributes: { 'o2o.source': command.source.id } });
    const spanContext = trace.setSpan(context.active(), span);
    try {
      const events = this.uniqueWithinRequest(
        command.messages.map((m) => normaliseMessage(m, command.source, command.receivedAt, command.clientIp)),
      );
      const { fresh, inFlight, claimed } =
        events.length > 0 ? await this.claimFresh(command.source.id, events) : { fresh: [], inFlight: 0, claimed: false };
      const duplicates = command.messages.length - fresh.length - inFlight;
      const refused = command.refused ?? [];
      if (fresh.length > 0 || refused.length > 0) {
        const batches: TopicBatch[] = [];
        if (refused.length > 0)
          batches.push({ topic: topics.ingestRejected, events: refused.map((r) => this.rejectedEvent(r, command, spanContext)) });
        if (fresh.length > 0) {
          batches.push({
            topic: topics.ingestEvents,
            events: fresh.map((data) => ({
              key: routingKey(data),
              trace: spanContext,
              event: createEnvelope({
                type: 'customer-event.received',
                version: 1,
                id: `${data.sourceId}:${data.messageId}`,
                source: SOURCE,
                subject: routingKey(data),
                time: data.timestamp,
                correlationid: data.messageId,
                data,
              }),
            })),
          });
        }
        try {
          await this.publisher.publish(batches, { deadline: Date.now() + this.config.PUBLISH_TIMEOUT_MS });
        } catch (error) {
          // A commit whose outcome is unknown may have written the events: the claims stay
          // pending until they expire, so a retry meanwhile is answered 503, not written again.
          // Anything else was not written (the transaction was aborted or never committed).
          if (error instanceof TransactionOutcomeUnknownError) throw new EventStoreUnavailableError(error);
          await this.dedup
            .release(
              command.source.id,
              fresh.map((e) => e.messageId),
            )
            .catch((releaseError: unknown) => {
              this.logger.warn({ err: releaseError }, 'could not release dedup claims after a failed write');
            });
          throw new EventStoreUnavailableError(error);
        }
        if (claimed)
          await this.dedup
            .confirm(
              command.source.id,
              fresh.map((e) => e.messageId),
              this.config.DEDUP_WINDOW_SECONDS,
            )
            .catch((confirmError: unknown) => {
              // The claims expire instead: a retry after that writes the events again (same ids, downstream is idempotent).
              this.logger.warn({ err: confirmError }, 'could not confirm dedup claims after the write');
            });
      }
      // Not stored yet (another request holds the claim, or an ingestion died holding it): only
      // a retry after the claim is confirmed or expired may be answered as a duplicate.
      if (inFlight > 0)
        throw new EventStoreUnavailableError(new Error(`${inFlight} events of this request are being written by another request`));
      this.metrics.accepted.inc({ source: command.source.id }, fresh.length);
      if (duplicates > 0) this.metrics.deduplicated.inc({ source: command.source.id }, duplicates);
      span.setAttribute('o2o.accepted', fresh.length);
      return { accepted: fresh.length, duplicates };
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  private rejectedEvent(refused: RefusedMessage, command: AcceptEventsCommand, trace: OutgoingEvent['trace']): OutgoingEvent {
    const id = `rejected:http:${refused.http.requestId}:${refused.http.index ?? 0}`;
    const data: EventRejectedDataV2 = {
      reason: refused.reason,
      issues: refused.issues,
      raw: refused.raw,
      sourceId: command.source.id,
      rejectedAt: command.receivedAt.toISOString(),
      http: refused.http,
    };
    return {
      key: refused.key,
      trace,
      event: createEnvelope({
        type: 'customer-event.rejected',
        version: 2,
        id,
        source: SOURCE,
        subject: refused.key,
        time: data.rejectedAt,
        data,
      }),
    };
  }

  private uniqueWithinRequest(events: ReceivedEventDataV1[]): ReceivedEventDataV1[] {
    const seen = new Set<string>();
    return events.filter((e) => (seen.has(e.messageId) ? false : (seen.add(e.messageId), true)));
  }

  /**
   * Redis down: accept and forward (fail open). Dropping would lose data and rejecting would stop
   * every channel; downstream projections are idempotent, so a duplicate costs only work.
   */
  private async claimFresh(
    sourceId: string,
    events: ReceivedEventDataV1[],
  ): Promise<{ fresh: ReceivedEventDataV1[]; inFlight: number; claimed: boolean }> {
    try {
      // Pending for as long as a write may take, then a little: a live writer confirms before it expires.
      const pendingSeconds = Math.ceil(this.config.PUBLISH_TIMEOUT_MS / 1000) + 5;
      const outcomes = await this.dedup.claim(
        sourceId,
        events.map((e) => e.messageId),
        pendingSeconds,
      );
      return {
        fresh: events.filter((_, i) => outcomes[i] === 'fresh'),
        inFlight: outcomes.filter((o) => o === 'pending').length,
        claimed: true,
      };
    } catch (error) {
      this.metrics.dedupUnavailable.inc();
      this.logger.warn({ err: error }, 'dedup store unavailable: forwarding without deduplication');
      return { fresh: events, inFlight: 0, claimed: false };
    }
  }
}
