import { RecordedMessage, WatchedTopic } from '../measure/topic-recorder';

/** An ingested event as the bench saw it on ingest.events.v1. */
export interface Origin {
  messageId: string;
  receivedAt: number;
  traceId: string | undefined;
}

export interface CorrelationReport {
  topic: string;
  messages: number;
  /** Carry a correlationid that is an ingested messageId. */
  byCorrelationId: number;
  /** No usable correlationid, but their traceparent's trace id is one of an ingest request's. */
  byTraceId: number;
  uncorrelated: number;
}

export interface Correlated {
  record: RecordedMessage;
  origin: Origin;
  /** From ingestion's receivedAt to the producer timestamp of this message, ms. */
  latencyMs: number;
  via: 'correlationid' | 'traceparent';
}

/**
 * Finds the ingested event a downstream message descends from: by the envelope's correlationid
 * (= the ingested messageId), else by the W3C trace id every hop carries. One ingestion request
 * is one trace, so a trace id names a request, not an event; all events of a request share its
 * receive time, so the latency is the same either way.
 */
export class Correlator {
  private readonly byMessageId = new Map<string, Origin>();
  private readonly byTrace = new Map<string, Origin>();

  constructor(origins: Iterable<Origin>) {
    for (const o of origins) {
      this.byMessageId.set(o.messageId, o);
      if (o.traceId !== undefined) {
        const known = this.byTrace.get(o.traceId);
        if (!known || known.receivedAt > o.receivedAt) this.byTrace.set(o.traceId, o);
      }
    }
  }

  correlate(topic: WatchedTopic | string, records: readonly RecordedMessage[]): { report: CorrelationReport; correlated: Correlated[] } {
    const report: CorrelationReport = { topic, messages: 0, byCorrelationId: 0, byTraceId: 0, uncorrelated: 0 };
    const correlated: Correlated[] = [];
    for (const record of records) {
      if (record.tombstone) continue;
      report.messages++;
      const direct = record.correlationid === undefined ? undefined : this.byMessageId.get(record.correlationid);
      if (direct) {
        report.byCorrelationId++;
        correlated.push({ record, origin: direct, latencyMs: record.kafkaTs - direct.receivedAt, via: 'correlationid' });
        continue;
      }
      const traced = record.traceId === undefined ? undefined : this.byTrace.get(record.traceId);
      if (traced) {
        report.byTraceId++;
        correlated.push({ record, origin: traced, latencyMs: record.kafkaTs - traced.receivedAt, via: 'traceparent' });
        continue;
      }
      report.uncorrelated++;
    }
    return { report, correlated };
  }
}
