import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process with the platform's common metrics. Services register their own
 * metrics on `registry` too, so /metrics shows everything.
 */
export class PlatformMetrics {
  readonly registry = new Registry();

  readonly eventsConsumed = new Counter({
    name: 'o2o_kafka_events_consumed_total',
    help: 'Messages consumed, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly eventsProduced = new Counter({
    name: 'o2o_kafka_events_produced_total',
    help: 'Messages produced (acknowledged by all in-sync replicas), by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly deadLettered = new Counter({
    name: 'o2o_kafka_dead_lettered_total',
    help: 'Messages moved to a dead-letter topic, by source topic and reason.',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });

  readonly skipped = new Counter({
    name: 'o2o_kafka_events_skipped_total',
    help: 'Messages skipped because their subject is erased (a replay must not bring it back), by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly shredded = new Counter({
    name: 'o2o_kafka_events_shredded_total',
    help: 'Messages skipped because the data key they are sealed under was destroyed by an erasure (crypto-shredding), by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly batchRetries = new Counter({
    name: 'o2o_kafka_batch_retries_total',
    help: 'Batch handler retries, by topic.',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'o2o_kafka_batch_size',
    help: 'Messages per consumed batch.',
    labelNames: ['topic'] as const,
    buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram({
    name: 'o2o_kafka_batch_duration_seconds',
    help: 'Time to process one batch, handler and offset commit included.',
    labelNames: ['topic'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'o2o_kafka_consumer_lag',
    help: 'Messages behind the high watermark after the last batch, by topic and partition.',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly eventLatency = new Histogram({
    name: 'o2o_event_processing_latency_seconds',
    help: 'From the message timestamp (when it was produced) to the end of its processing, by topic.',
    labelNames: ['topic'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly storeCommandDuration = new Histogram({
    name: 'o2o_mongo_command_duration_seconds',
    help: 'MongoDB commands as the driver timed them (round trip included), by collection and command; failed commands too.',
    labelNames: ['collection', 'command', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** With storeCommandDuration's count (commands) these give a service's database cost per event. */
  readonly storeDocumentsWritten = new Counter({
    name: 'o2o_mongo_documents_written_total',
    help: 'Write statements sent to MongoDB (documents inserted, update and delete statements, findAndModify), by collection and command.',
    labelNames: ['collection', 'command'] as const,
    registers: [this.registry],
  });

  readonly storeBytesWritten = new Counter({
    name: 'o2o_mongo_bytes_written_total',
    help: 'BSON bytes of the write statements sent to MongoDB (the documents, updates and filters, not the command envelope), by collection and command.',
    labelNames: ['collection', 'command'] as const,
    registers: [this.registry],
  });

  constructor(serviceName: string) {
    this.registry.setDefaultLabels({ service: serviceName });
    collectDefaultMetrics({ register: this.registry });
  }
}
