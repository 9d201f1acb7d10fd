import { KafkaBatchContext, Rejection } from './consumed-batch';
import { markFailed } from './message-tracing';
import { DeadLetter, DecodedItem, describeError, PartitionBatch } from './partition-batch';
import { RetryPolicy } from './retry-policy';

/** A handler call over some of a call's messages; `whole` when it is all of them. */
export type RunItems = (items: DecodedItem[], whole: boolean) => Promise<KafkaBatchContext>;

export interface IsolationOutcome {
  /** Messages the handler rejected (KafkaBatchContext.reject). */
  rejected: Rejection[];
  /** Messages that kept failing on their own: the poison ones. */
  failures: Map<DecodedItem, { error: unknown; attempts: number }>;
}

/**
 * Retry and isolation: the whole call is run under the retry policy; if it keeps failing for a
 * reason of its own (not the infrastructure's), each message is run alone under the same policy,
 * and those that still fail are the poison ones. A call sharing a fetch's transaction gets one
 * attempt and throws (the fetch then goes down the one-by-one path).
 */
export async function runIsolating(
  decoded: DecodedItem[],
  group: readonly PartitionBatch[],
  topic: string,
  retry: RetryPolicy,
  run: RunItems,
  oneAttempt: boolean,
): Promise<IsolationOutcome> {
  const outcome: IsolationOutcome = { rejected: [], failures: new Map() };
  if (decoded.length === 0) return outcome;
  if (oneAttempt) {
    outcome.rejected.push(...(await run(decoded, true)).rejected);
    return outcome;
  }
  const whole = await retry.run(group, topic, () => run(decoded, true));
  if (whole.ok) {
    outcome.rejected.push(...whole.value.rejected);
    return outcome;
  }
  if (whole.stale) return outcome;
  for (const item of decoded) {
    if (item.owner.stale) continue;
    const single = await retry.run(group, topic, () => run([item], false));
    if (single.ok) outcome.rejected.push(...single.value.rejected);
    else if (!single.stale) outcome.failures.set(item, { error: single.error, attempts: single.attempts });
  }
  return outcome;
}

/**
 * The dead letters of a call's outcome, in message order: poison messages as processing-failed,
 * rejections with the handler's reason (the first per message). Partitions that went to another
 * member are left to their new owner.
 */
export function outcomeLetters(decoded: readonly DecodedItem[], outcome: IsolationOutcome): DeadLetter[] {
  const letters: DeadLetter[] = [];
  if (outcome.failures.size === 0 && outcome.rejected.length === 0) return letters;
  const rejectionOf = new Map<string, Rejection>();
  for (const r of outcome.rejected) if (!rejectionOf.has(`${r.partition}:${r.offset}`)) rejectionOf.set(`${r.partition}:${r.offset}`, r);
  for (const item of decoded) {
    if (item.owner.stale) continue;
    const failure = outcome.failures.get(item);
    if (failure) {
      const error = describeError(failure.error);
      letters.push({ message: item.source, partition: item.partition, reason: 'processing-failed', error, attempts: failure.attempts });
      markFailed(item, error);
      continue;
    }
    const rejection = rejectionOf.get(`${item.partition}:${item.source.offset}`);
    if (rejection) {
      letters.push({ message: item.source, partition: item.partition, reason: rejection.reason, error: rejection.error, attempts: 1 });
      markFailed(item, rejection.reason);
    }
  }
  return letters;
}
