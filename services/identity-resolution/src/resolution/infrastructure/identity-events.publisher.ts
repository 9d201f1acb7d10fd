import { Injectable } from '@nestjs/common';
import { CustomerSplitDataV1, ResolvedEventDataV1, topics } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import { PlannedMerge, REVIEW_ACCEPTED_RULE } from '../domain/identity-graph.model';
import { OPERATOR_MERGE_RULE } from '../application/merge-customers/merge-rules';
import { GraphChanges, IdentityEvents } from '../application/ports/identity-events.port';
import { IdentityGraphRepository } from './identity-graph.repository';
import { IdentityLookupCache } from './identity-lookup.cache';

const SOURCE = '/services/identity-resolution';

interface SplitForPublishing {
  readonly customerId: string;
  readonly parts: CustomerSplitDataV1['parts'];
  readonly reason: string;
  readonly id: string;
}

function mergeEventId(m: PlannedMerge): string {
  if (m.link.rule === REVIEW_ACCEPTED_RULE) return `merge:${m.mergedId}:${m.survivorId}:reviewed:${m.link.at}`;
  if (m.link.rule === OPERATOR_MERGE_RULE) return `merge:${m.mergedId}:${m.survivorId}:operator:${m.link.at}`;
  return `merge:${m.mergedId}:${m.survivorId}`;
}

/**
 * Publishes what a change of the graph means for everyone else, in one acknowledged request:
 * splits, then merges (a consumer of both topics sees them no later than the events that
 * depend on them; a moved record's split comes before the merge that takes it on), the resolved events, then snapshots of every touched customer. Afterwards the
 * lookup cache is rewritten from the stored state, so it never runs ahead of MongoDB.
 */
@Injectable()
export class IdentityEventsPublisher implements IdentityEvents {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly graph: IdentityGraphRepository,
    private readonly cache: IdentityLookupCache,
  ) {}

  async publish(input: GraphChanges): Promise<void> {
    const resolved = input.resolved ?? [];
    const merges = input.merges ?? [];
    const moves = input.moves ?? [];
    const now = new Date().toISOString();
    const removed = [...new Set(merges.map((m) => m.mergedId))];
    const touched = [
      ...new Set([
        ...resolved.map((r) => r.customerId),
        ...merges.map((m) => m.survivorId),
        ...(input.splits ?? []).flatMap((s) => [s.customerId, ...s.split.partIds]),
        ...moves.map((m) => m.fromId),
        // A part keeps the identifiers it took (unless a merge folds it into another): its
        // snapshot and its lookup entries are rewritten, or a lookup cached before the move
        // would still answer the customer the identifiers left.
        ...moves.map((m) => m.partId),
        ...(input.touched ?? []),
      ]),
    ].filter((id) => !removed.includes(id));
    const snapshots = await this.graph.snapshotsOf([...new Set([...touched, ...moves.map((m) => m.fromId)])]);
    const identifiersOf = (id: string) => snapshots.get(id)?.identifiers.map(({ type, value }) => ({ type, value })) ?? [];
    const splits: SplitForPublishing[] = [
      ...(input.splits ?? []).map(({ customerId, split }) => ({
        id: split.id,
        customerId,
        parts: [customerId, ...split.partIds].map((id) => ({ customerId: id, identifiers: identifiersOf(id) })),
        reason: split.reason,
      })),
      ...moves.map((m) => ({
        id: `move:${m.recordId}:${m.moves}`,
        customerId: m.fromId,
        parts: [
          { customerId: m.fromId, identifiers: identifiersOf(m.fromId) },
          { customerId: m.partId, identifiers: m.identifiers.map(({ type, value }) => ({ type, value })) },
        ],
        reason: m.reason,
      })),
    ];

    const resolvedEvents: OutgoingEvent[] = resolved.map(({ event, trace, customerId, identifiers }) => {
      const data: ResolvedEventDataV1 = { ...event.data, customerId, identifiers: identifiers.map(({ type, value }) => ({ type, value })) };
      return {
        key: customerId,
        trace,
        event: createEnvelope({
          type: 'customer-event.resolved',
          version: 1,
          id: event.id,
          source: SOURCE,
          subject: customerId,
          time: event.time,
          correlationid: event.correlationid,
          causationid: event.id,
          data,
        }),
      };
    });
    const resolvedById = new Map(resolved.map((r) => [r.event.id, r]));
    const movedFrom = new Map(moves.map((m) => [m.partId, m.fromId]));
    const changes: OutgoingEvent[] = [
      ...splits.map((s) => ({
        key: s.customerId,
        event: createEnvelope({
          type: 'customer.split',
          version: 1,
          id: s.id,
          source: SOURCE,
          subject: s.customerId,
          data: { customerId: s.customerId, parts: s.parts, reason: s.reason, splitAt: now },
        }),
      })),
      ...merges.map((m) => ({
        // A moved record's part is merged on the key of the split that made it, so that every
        // consumer sees the split first (one partition, in order).
        key: movedFrom.get(m.mergedId) ?? m.survivorId,
        // A merge an event caused continues that event's trace.
        trace: resolvedById.get(m.link.eventId)?.trace,
        event: createEnvelope({
          type: 'customer.merged',
          version: 1,
          // Deterministic: a merge published again after a crash is the same event downstream. A
          // person's merge (a reviewer's, an operator's) of customers once split apart is a new
          // fact and gets its own id.
          id: mergeEventId(m),
          source: SOURCE,
          subject: m.survivorId,
          time: m.link.at,
          correlationid: resolvedById.get(m.link.eventId)?.event.correlationid,
          causationid: m.link.eventId,
          data: {
            survivorId: m.survivorId,
            mergedId: m.mergedId,
            reason: m.reason,
            evidence: m.evidence.map(({ type, value }) => ({ type, value })),
            ...(m.link.score !== undefined ? { score: m.link.score } : {}),
            mergedAt: now,
          },
        }),
      })),
    ];
    // A snapshot continues the trace of the customer's last resolved event in this change (its
    // correlation too): downstream, the segment change it causes stays in the trace of the
    // request that caused it. Snapshots of merges, splits and moves alone carry the caller's context.
    const causeOf = new Map(resolved.map((r) => [r.customerId, r]));
    const snapshotEvents: OutgoingEvent[] = touched.map((customerId) => ({
      key: customerId,
      trace: causeOf.get(customerId)?.trace,
      event: createEnvelope({
        type: 'identity.snapshot',
        version: 1,
        source: SOURCE,
        subject: customerId,
        correlationid: causeOf.get(customerId)?.event.correlationid,
        causationid: causeOf.get(customerId)?.event.id,
        data: {
          customerId,
          identifiers: snapshots.get(customerId)?.identifiers ?? [],
          mergedIds: snapshots.get(customerId)?.mergedIds ?? [],
          updatedAt: now,
        },
      }),
    }));
    // A batch redone after its write failed (a dropped connection) publishes the same ids again:
    // resolved events, merges and splits keep their ids for good, so copies are left out.
    await this.publisher.publish(
      [
        { topic: topics.identityChanges, events: changes },
        { topic: topics.identityEvents, events: resolvedEvents },
        { topic: topics.identitySnapshots, events: snapshotEvents },
      ],
      { skipAcknowledged: true },
    );
    // A merged-away customer's state lives on in the survivor: its compacted key is erased.
    if (removed.length > 0) await this.publisher.publishTombstones(topics.identitySnapshots, removed);
    await this.cache.store(new Map(touched.map((id) => [id, snapshots.get(id)?.identifiers ?? []])));
  }
}
