import { Inject, Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { activeBatchTransaction, afterBatchCommit, OutgoingEvent, OutgoingTombstone } from '@o2o/kafka';
import { CoalescingGate } from '@o2o/mongo';
import { extractTraceContext, injectTraceContext, LOGGER, Logger } from '@o2o/observability';
import { Clock } from '../../../shared-kernel/application/clock';
import { emptySummary, PurchaseSummary, StoredCause } from '../../../shared-kernel/domain';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import { PurchaseSummaries, SummaryWrite } from '../ports/purchase-summaries.port';
import { ValueStatePublisher } from '../ports/value-state.publisher';

/** What caused a change: its trace and ids go on the value state it publishes. */
export interface ChangeCause {
  trace: Context | undefined;
  /** The envelope id of the consumed event (none for a tombstone). */
  causationId: string | undefined;
  /** The correlation id the consumed event carried (the ingested messageId), passed on. */
  correlationId: string | undefined;
}

/** One input of a batch, addressed to one customer's summary. */
export interface SummaryInput {
  customerId: string;
  /** Whether a merged-away id counts for its survivor (events) or stays itself (profiles, rescoring). */
  followMerges: boolean;
  /** Whether a missing summary is created for it (else the input is skipped). */
  create: boolean;
  /**
   * The summary's new state in memory, or undefined if the input changes nothing (already
   * applied, or older than what the summary holds): must be idempotent, because a lost race
   * applies it again to the re-read summary. Never changes the given summary in place: what it
   * keeps stays the same object, and only fields that are new objects (or other values) are written.
   */
  apply(summary: PurchaseSummary): PurchaseSummary | undefined;
  cause: ChangeCause;
  /** Publish the customer's state even if it did not move materially: the topic may hold a state the summary does not record. */
  republish?: boolean;
  /**
   * Publish the state under an id of this cause's own (`...:r<revision>:<model>:<this>:<digest>`),
   * not the live one. For a publication that must follow another of its cause's whatever the
   * live path did: the re-scoring walk re-asserts the current state of a customer it was
   * overtaken on, after its own older one. Under the live id that state may already be
   * acknowledged (then skipped: the walk's older state stays the latest) or still in an open
   * transaction of the live path (then a second copy of one id, issue 21).
   */
  republishAs?: string;
}

/** Lost optimistic-concurrency races re-read and re-apply; still contended after this many, the batch fails (the transport retries it). */
const MAX_ATTEMPTS = 5;

/** Fields an input may change (score fields are the scorer's). */
const SUMMARY_FIELDS = [
  'orders',
  'purchases',
  'revenue',
  'firstSeenAt',
  'firstPurchaseAt',
  'lastPurchaseAt',
  'channels',
  'categories',
  'appliedEvents',
  'archive',
  'costs',
  'archetypes',
  'needsUpdatedAt',
] as const satisfies ReadonlyArray<keyof PurchaseSummary>;

interface Target {
  id: string;
  doc: PurchaseSummary | undefined;
  summary: PurchaseSummary;
  changed: boolean;
  republish: boolean;
  republishAs: string | undefined;
  cause: ChangeCause;
}

/**
 * Applies a batch of inputs to purchase summaries in a fixed number of round trips, whatever the
 * batch size: one read of every summary concerned (plus survivors of merged ids), every input
 * applied in memory (several of one customer coalesce into one state), every changed or stale
 * summary scored, one publication of the material value moves, one chunked bulk write of the
 * new states with their scores, each conditional on the revision it was read at.
 *
 * Publishing comes before the write that records it, as everywhere in this service: a crash in
 * between re-reads the old state on redelivery and republishes the same state under the same
 * event id, which a compacted topic absorbs. A write that lost a race is re-read and re-applied;
 * if the customer was merged away meanwhile, the state published for it is tombstoned again.
 * The state a lost write had published is on the topic but not in the `published*` fields of
 * the summary (the winner's are), and it may have landed after the winner's: the re-applied
 * state is therefore published whether or not it moved materially from what the summary
 * records, or that lost state, missing the winner's change, would stay the latest (issue 21).
 */
@Injectable()
export class SummaryUpdater {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly scorer: CustomerScorer,
    private readonly publisher: ValueStatePublisher,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Calls that wait for each other (the consumer hands `identity.events` and `needs.profiles`
   * batches over at once, in one transaction) are combined: one read, one publication and one write per customer
   * for all of them, instead of one round per topic that would also race the other's writes.
   */
  private readonly gate = new CoalescingGate<{ inputs: readonly SummaryInput[]; tombstones: readonly OutgoingTombstone[] }, void>(
    (calls) =>
      this.apply(
        calls.flatMap((c) => c.inputs),
        calls.flatMap((c) => c.tombstones),
      ),
    // Combined only within one Kafka transaction: what is published goes into the transaction
    // whose commit moves the offsets of the events it carries.
    activeBatchTransaction,
  );

  update(inputs: readonly SummaryInput[], tombstones: readonly OutgoingTombstone[] = []): Promise<void> {
    return this.gate.submit({ inputs, tombstones });
  }

  private async apply(inputs: readonly SummaryInput[], tombstones: readonly OutgoingTombstone[]): Promise<void> {
    let pending = [...inputs];
    let extraTombstones = [...tombstones];
    const publishedFor = new Set<string>();
    for (let attempt = 1; pending.length > 0 || extraTombstones.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS)
        throw new Error(
          `summaries still contended after ${MAX_ATTEMPTS} attempts: ${[...new Set(pending.map((i) => i.customerId))].join(', ')}`,
        );
      const loaded = await this.summaries.loadResolving(pending.map((i) => i.customerId));
      const targetOf = (input: SummaryInput): string => (input.followMerges ? loaded.survivorOf(input.customerId) : input.customerId);

      const targets = new Map<string, Target>();
      for (const input of pending) {
        const id = targetOf(input);
        let target = targets.get(id);
        if (!target) {
          const doc = loaded.docs.get(id);
          if (!doc && !input.create) continue;
          // A state written with its event in a transaction that never committed (a crash in between) goes out again.
          target = {
            id,
            doc,
            summary: doc ?? emptySummary(id),
            changed: false,
            republish: doc?.pendingPublish === true,
            republishAs: undefined,
            cause: input.cause,
          };
          targets.set(id, target);
        }
        if (input.republish) target.republish = true;
        if (input.republishAs !== undefined) target.republishAs = input.republishAs;
        const next = input.apply(target.summary);
        if (next) {
          target.summary = next;
          target.changed = true;
          target.cause = input.cause;
        } else if (!target.changed) target.cause = input.cause;
      }

      const now = this.clock.now();
      const outgoing: OutgoingEvent[] = [];
      const writes: SummaryWrite[] = [];
      const published: Array<{ customerId: string; revision: number }> = [];
      for (const target of targets.values()) {
        const before = outgoing.length;
        const write = this.settle(target, now, outgoing, target.republish || publishedFor.has(target.id));
        if (write) writes.push(write);
        if (write && outgoing.length > before)
          published.push({ customerId: target.id, revision: (write.set['revision'] as number | undefined) ?? write.expectedRevision ?? 0 });
      }
      // A customer this batch published for and that was merged away since: its state must not outlive the merge.
      const repaired = [...publishedFor].filter((id) => loaded.docs.get(id)?.mergedInto !== undefined).map((key) => ({ key }));
      // A redo after a failed write computes the same states under the same ids (revision and
      // content in the id): what Kafka already has is not sent again.
      await this.publisher.publish({ events: outgoing, tombstones: [...extraTombstones, ...repaired] }, { skipAcknowledged: true });
      extraTombstones = [];
      for (const event of outgoing) publishedFor.add(event.key);

      const lost = await this.summaries.save(writes);
      pending = pending.filter((input) => lost.has(targetOf(input)));
      // In the consumer's transaction: once it committed, the states written with their events are no longer pending.
      const confirmed = published.filter((p) => !lost.has(p.customerId));
      await afterBatchCommit(() => this.summaries.confirmPublished(confirmed));
    }
  }

  /** The write for one target (and its publication, if material), or undefined if nothing moved. */
  private settle(target: Target, now: Date, outgoing: OutgoingEvent[], republish: boolean): SummaryWrite | undefined {
    const { doc } = target;
    const readRevision = doc?.revision ?? 0;
    const revision = target.changed ? readRevision + 1 : readRevision;
    const summary: PurchaseSummary = { ...target.summary, revision };
    const stale = !summary.mergedInto && (target.changed || republish || this.scorer.needsLines(summary));
    if (!target.changed && !stale) return undefined;
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    if (target.changed) {
      set['revision'] = revision;
      // Only what the inputs changed: a field an input kept is the same object as the stored
      // one (inputs copy what they change, never change in place), and the write is conditional
      // on the revision read, so the stored value is still it. Most events (views, answers)
      // and every needs profile leave the order lines alone, the bulk of a summary.
      for (const field of SUMMARY_FIELDS) {
        const value = summary[field];
        if (value !== undefined) {
          if (doc === undefined || value !== doc[field]) set[field] = value;
        } else if (doc?.[field] !== undefined) unset.push(field);
      }
    }
    if (stale) {
      const scored = this.scorer.score(summary, now);
      const settled = this.scorer.settle(
        scored,
        this.scorer.tiers.live(scored.valuation.actualValue),
        now,
        `r${revision}:${scored.model.version}${target.republishAs === undefined ? '' : `:${target.republishAs}`}`,
        undefined,
        republish,
      );
      Object.assign(set, settled.write.set);
      unset.push(...(settled.write.unset ?? []).filter((f) => !(f in set)));
      if (settled.event) {
        // A pending state published again unchanged goes out as its own cause's, stored with it.
        const pendingAgain = !target.changed && doc?.pendingPublish === true;
        const cause = pendingAgain && doc.pendingCause !== undefined ? causeOf(doc.pendingCause) : target.cause;
        // Left out by the publisher if this process knows it committed, or its transaction already holds it: which states and from where.
        if (pendingAgain)
          this.logger.warn(
            {
              customerId: target.id,
              revision: readRevision,
              eventId: settled.event.event.id,
              inTransaction: activeBatchTransaction() !== undefined,
              ...(target.republishAs === undefined ? {} : { republishAs: target.republishAs }),
            },
            'value state still pending publication published again',
          );
        set['pendingPublish'] = true;
        set['pendingCause'] = storedCause(cause);
        outgoing.push({
          key: settled.event.key,
          trace: cause.trace,
          event: {
            ...settled.event.event,
            ...(cause.causationId === undefined ? {} : { causationid: cause.causationId }),
            ...(cause.correlationId === undefined ? {} : { correlationid: cause.correlationId }),
          },
        });
      }
    }
    return { customerId: target.id, expectedRevision: doc ? readRevision : undefined, set, unset };
  }
}

/** A cause as a pending state keeps it: the trace as its W3C traceparent. */
function storedCause(cause: ChangeCause): StoredCause {
  const traceparent = cause.trace === undefined ? undefined : injectTraceContext(cause.trace)['traceparent'];
  return {
    ...(traceparent === undefined ? {} : { traceparent }),
    ...(cause.causationId === undefined ? {} : { causationId: cause.causationId }),
    ...(cause.correlationId === undefined ? {} : { correlationId: cause.correlationId }),
  };
}

function causeOf(stored: StoredCause): ChangeCause {
  return {
    trace: stored.traceparent === undefined ? undefined : extractTraceContext({ traceparent: stored.traceparent }),
    causationId: stored.causationId,
    correlationId: stored.correlationId,
  };
}
