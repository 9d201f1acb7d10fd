import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { PlatformMetrics } from '@o2o/observability';

@Injectable()
export class IngestionMetrics {
  readonly accepted: Counter<'source'>;
  readonly rejected: Counter<'source' | 'reason'>;
  readonly deduplicated: Counter<'source'>;
  readonly dedupUnavailable: Counter<string>;
  readonly rateLimited: Counter<'source'>;
  readonly latency: Histogram<'endpoint' | 'status'>;

  constructor(platform: PlatformMetrics) {
    const registers = [platform.registry];
    this.accepted = new Counter({
      name: 'o2o_ingest_accepted_total',
      help: 'Events accepted and stored in Kafka, by source.',
      labelNames: ['source'],
      registers,
    });
    this.rejected = new Counter({
      name: 'o2o_ingest_rejected_total',
      help: 'Events or requests rejected, by source and reason.',
      labelNames: ['source', 'reason'],
      registers,
    });
    this.deduplicated = new Counter({
      name: 'o2o_ingest_deduplicated_total',
      help: 'Events dropped as duplicates of a messageId seen within the window.',
      labelNames: ['source'],
      registers,
    });
    this.dedupUnavailable = new Counter({
      name: 'o2o_ingest_dedup_unavailable_total',
      help: 'Requests forwarded without dedup because Redis was unavailable.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'o2o_ingest_rate_limited_total',
      help: 'Events refused with 429 because the source exceeded its rate.',
      labelNames: ['source'],
      registers,
    });
    this.latency = new Histogram({
      name: 'o2o_ingest_request_duration_seconds',
      help: 'HTTP ingestion latency, by endpoint and status.',
      labelNames: ['endpoint', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
