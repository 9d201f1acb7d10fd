import type { PublishOptions, TopicBatch } from '@o2o/kafka';
import type { ActiveSource } from '../../sources/domain/active-source';

// What collect's use cases need from the outside. Abstract classes are also Nest injection
// tokens: collect.module binds each to its infrastructure, unit tests pass plain fakes.

/** The sources as admission sees them (SourceRepository in the service). */
export abstract class SourceDirectory {
  abstract findByWriteKey(writeKey: string): Promise<ActiveSource | null>;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The per-source rate (SourceRateLimiter in the service). */
export abstract class SourceRate {
  abstract consume(sourceId: string, events: number): Promise<RateDecision>;
}

/** What a claim found for one messageId. */
export type ClaimOutcome = 'fresh' | 'done' | 'pending';

/** Deduplication by messageId per source (DedupStore on Redis in the service). */
export abstract class DedupClaims {
  /** Claims each id for a while; an id already done or claimed by another request is not fresh. */
  abstract claim(sourceId: string, messageIds: string[], pendingSeconds: number): Promise<ClaimOutcome[]>;
  /** Marks the ids written, remembered for the deduplication window. */
  abstract confirm(sourceId: string, messageIds: string[], windowSeconds: number): Promise<void>;
  /** Gives claims back after a failed write, so that the caller's retry is fresh. */
  abstract release(sourceId: string, messageIds: string[]): Promise<void>;
}

/** The event log (EventLogPublisher: ingest.events in Kafka transactions); resolves once committed. */
export abstract class EventLog {
  abstract publish(batches: TopicBatch[], options?: PublishOptions): Promise<void>;
}
