import { Logger, PlatformMetrics } from '@o2o/observability';
import { isTransientFailure } from '../failure-kind';
import { PartitionBatch } from './partition-batch';

export type Attempt<T> = { ok: true; value: T } | { ok: false; stale: boolean; error: unknown; attempts: number };

export interface RetryPolicyOptions {
  /** Attempts after the first for failures that are not the infrastructure's. */
  retries: number;
  /** First backoff between attempts (doubling; default 200 ms). */
  retryBackoffMs?: number | undefined;
  /** Cap of the backoff while the infrastructure is away (default 5 s). */
  maxRetryBackoffMs?: number | undefined;
  logger: Logger;
  metrics: Pick<PlatformMetrics, 'batchRetries'>;
  /** True once the transport is closing: a call waiting for a retry is let go uncommitted. */
  closing: () => boolean;
}

/** Backoff before the next attempt: transient failures double up to the cap, others double without one (they are few). */
export function backoffMs(transient: boolean, streak: number, first: number, cap: number): number {
  if (transient) return Math.min(cap, first * 2 ** Math.min(streak - 1, 16));
  return first * 2 ** (streak - 1);
}

/** Heartbeat errors that say the group is rebalancing (the member must rejoin). */
export function isRebalanceError(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'UNKNOWN_MEMBER_ID' || type === 'ILLEGAL_GENERATION' || type === 'FENCED_INSTANCE_ID';
}

/**
 * Transient versus poison. Runs `work` until it succeeds. Transient failures (the
 * infrastructure: isTransientFailure) are retried for as long as they last, with a backoff capped
 * at maxRetryBackoffMs, and the topic is reported waiting meanwhile (readiness); other failures
 * `retries` more times. Gives up early (stale) when every partition of the call went to another
 * member, the group is rebalancing, or the transport is closing: then nothing is dead-lettered or
 * committed, and the batch comes again.
 */
export class RetryPolicy {
  /** Topics whose call is waiting for the infrastructure to come back, with the time it started. */
  private readonly waiting = new Map<string, number>();

  constructor(private readonly options: RetryPolicyOptions) {}

  /** Topics whose batch is waiting for the infrastructure. */
  waitingTopics(): string[] {
    return [...this.waiting.keys()];
  }

  isWaiting(): boolean {
    return this.waiting.size > 0;
  }

  async run<T>(
    group: readonly PartitionBatch[],
    topic: string,
    work: () => Promise<T>,
    retries = this.options.retries,
  ): Promise<Attempt<T>> {
    const attempts = retries + 1;
    const first = this.options.retryBackoffMs ?? 200;
    const cap = this.options.maxRetryBackoffMs ?? 5000;
    let failures = 0;
    let transientStreak = 0;
    let lastLog = 0;
    for (;;) {
      try {
        const value = await work();
        this.recovered(topic);
        return { ok: true, value };
      } catch (error) {
        let backoff: number;
        if (isTransientFailure(error)) {
          transientStreak++;
          failures = 0;
          if (!this.waiting.has(topic)) this.waiting.set(topic, Date.now());
          if (Date.now() - lastLog >= 30000) {
            lastLog = Date.now();
            this.options.logger.warn(
              { err: error, topic, attempt: transientStreak },
              'infrastructure unavailable; holding the batch and retrying until it is back',
            );
          }
          backoff = backoffMs(true, transientStreak, first, cap);
        } else {
          failures++;
          transientStreak = 0;
          this.options.logger.warn({ err: error, topic, attempt: failures, of: attempts }, 'batch handler failed');
          if (failures >= attempts) return { ok: false, stale: false, error, attempts: failures };
          backoff = backoffMs(false, failures, first, cap);
        }
        this.options.metrics.batchRetries.inc({ topic });
        await sleep(backoff);
        if (this.options.closing()) {
          // Shutting down: leave the batch uncommitted for whoever consumes next.
          for (const member of group) member.stale = true;
          return { ok: false, stale: true, error, attempts: failures };
        }
        // One heartbeat speaks for the whole consumer (every partition of the group is its own).
        // While the broker is away it fails and the batch keeps waiting; when the group is
        // rebalancing, the batch is let go uncommitted so that kafkajs can rejoin (this member
        // or the partitions' next owner gets it again).
        const rebalancing = await group[0]?.payload.heartbeat().then(
          () => false,
          (heartbeatError: unknown) => isRebalanceError(heartbeatError),
        );
        if (rebalancing) {
          for (const member of group) member.stale = true;
          return { ok: false, stale: true, error, attempts: failures };
        }
        for (const member of group) if (member.payload.isStale()) member.stale = true;
        if (group.every((m) => m.stale)) return { ok: false, stale: true, error, attempts: failures };
      }
    }
  }

  private recovered(topic: string): void {
    const since = this.waiting.get(topic);
    if (since === undefined) return;
    this.waiting.delete(topic);
    this.options.logger.warn({ topic, waitedMs: Date.now() - since }, 'infrastructure back; batch processed');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
