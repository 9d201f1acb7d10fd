import { Injectable } from '@nestjs/common';
import { Context } from '@opentelemetry/api';
import { EventReceivedV1, IdentifierV1, ResolvedEventDataV1, topics } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import { chooseSurvivor, customerIdFor, identifierKey, identifiersOf, KnownCustomer } from '../../domain/resolution';
import { IdentityGraphRepository, Merge, NewIdentifier } from '../../infrastructure/identity-graph.repository';

export interface ReceivedEvent {
  event: EventReceivedV1;
  trace: Context;
}

const SOURCE = '/services/identity-resolution';
const MAX_RECONCILE_ROUNDS = 3;

/**
 * Resolves each event to one customer, in order, with one read and one write round per batch:
 * known identifiers attach the event to their customer, unknown ones create a customer with a
 * deterministic id, identifiers of several customers merge them into the oldest. If another
 * instance created an identifier concurrently, the batch is resolved again against the stored
 * graph, so both instances converge on what one instance would have built.
 */
@Injectable()
export class ResolveEventsHandler {
  constructor(
    private readonly graph: IdentityGraphRepository,
    private readonly publisher: KafkaPublisher,
  ) {}

  async execute(events: ReceivedEvent[]): Promise<void> {
    for (let round = 1; ; round++) {
      const outcome = await this.resolve(events);
      const stored = await this.graph.owners(outcome.created.map((n) => identifierKey(n.identifier)));
      const lostRaces = outcome.created.filter((n) => stored.get(identifierKey(n.identifier)) !== n.customerId);
      if (lostRaces.length === 0 || round === MAX_RECONCILE_ROUNDS) {
        await this.publish(outcome.resolved, outcome.merges);
        return;
      }
    }
  }

  private async resolve(events: ReceivedEvent[]) {
    const perEvent = events.map((e) => identifiersOf(e.event.data));
    const keys = [...new Set(perEvent.flat().map(identifierKey))];
    const owner = await this.graph.owners(keys);
    const customers = await this.graph.customersFollowingMerges([...owner.values()]);
    const current = (id: string): string => {
      let cursor = id;
      for (let hop = 0; hop < 20; hop++) {
        const next = customers.get(cursor)?.mergedInto;
        if (!next) return cursor;
        cursor = next;
      }
      return cursor;
    };

    const newCustomers: KnownCustomer[] = [];
    const created: NewIdentifier[] = [];
    const merges: Array<Merge & { evidence: IdentifierV1[] }> = [];
    const resolved: Array<{ source: ReceivedEvent; customerId: string; identifiers: IdentifierV1[] }> = [];

    events.forEach((source, index) => {
      const identifiers = perEvent[index] ?? [];
      const eventTime = new Date(source.event.data.timestamp);
      const owners = [...new Set(identifiers.map((i) => owner.get(identifierKey(i))).filter((o): o is string => !!o).map(current))];
      let customerId: string;
      if (owners.length === 0) {
        const first = identifiers[0];
        if (!first) throw new Error(`event ${source.event.id} carries no identifier`);
        customerId = customerIdFor(first);
        if (!customers.has(customerId)) {
          const customer = { id: customerId, createdAt: eventTime };
          customers.set(customerId, customer);
          newCustomers.push(customer);
        }
      } else {
        const candidates = owners.map((id) => customers.get(id) ?? { id, createdAt: eventTime });
        const survivor = chooseSurvivor(candidates);
        customerId = survivor.id;
        for (const other of candidates) {
          if (other.id === survivor.id) continue;
          customers.set(other.id, { ...other, mergedInto: survivor.id });
          merges.push({
            survivorId: survivor.id,
            mergedId: other.id,
            evidence: identifiers.filter((i) => owner.get(identifierKey(i)) !== undefined && current(owner.get(identifierKey(i)) ?? '') === survivor.id),
          });
        }
      }
      for (const identifier of identifiers) {
        const key = identifierKey(identifier);
        if (owner.has(key)) continue;
        owner.set(key, customerId);
        created.push({ identifier, customerId, rule: 'deterministic:same-identifier', eventId: source.event.id, seenAt: eventTime });
      }
      resolved.push({ source, customerId, identifiers });
    });

    await this.graph.write(newCustomers, created, merges);
    // An event resolved before a later event of the batch merged its customer keeps its id;
    // consumers map merged ids to survivors from identity.changes.
    return { resolved, created, merges: merges.map((m) => ({ ...m, survivorId: current(m.survivorId) })) };
  }

  private async publish(
    resolved: Array<{ source: ReceivedEvent; customerId: string; identifiers: IdentifierV1[] }>,
    merges: Array<Merge & { evidence: IdentifierV1[] }>,
  ): Promise<void> {
    const now = new Date().toISOString();
    const touched = [...new Set([...resolved.map((r) => r.customerId), ...merges.map((m) => m.survivorId)])];
    const [identifiers, mergedIds] = await Promise.all([this.graph.identifiersOf(touched), this.graph.mergedIdsOf(touched)]);
    const resolvedEvents: OutgoingEvent[] = resolved.map(({ source, customerId, identifiers: carried }) => {
      const data: ResolvedEventDataV1 = { ...source.event.data, customerId, identifiers: carried };
      return {
        key: customerId,
        trace: source.trace,
        event: createEnvelope({
          type: 'customer-event.resolved',
          version: 1,
          id: source.event.id,
          source: SOURCE,
          subject: customerId,
          time: source.event.time,
          correlationid: source.event.correlationid,
          causationid: source.event.id,
          data,
        }),
      };
    });
    const mergeEvents: OutgoingEvent[] = merges.map((m) => ({
      key: m.survivorId,
      event: createEnvelope({
        type: 'customer.merged',
        version: 1,
        id: `merge:${m.mergedId}:${m.survivorId}`,
        source: SOURCE,
        subject: m.survivorId,
        data: { survivorId: m.survivorId, mergedId: m.mergedId, reason: 'deterministic: a shared identifier', evidence: m.evidence, mergedAt: now },
      }),
    }));
    const snapshots: OutgoingEvent[] = touched.map((customerId) => ({
      key: customerId,
      event: createEnvelope({
        type: 'identity.snapshot',
        version: 1,
        source: SOURCE,
        subject: customerId,
        data: { customerId, identifiers: identifiers.get(customerId) ?? [], mergedIds: mergedIds.get(customerId) ?? [], updatedAt: now },
      }),
    }));
    // Merges first in the same request: a consumer of both topics sees them no later than the events.
    await this.publisher.publish([
      { topic: topics.identityChanges, events: mergeEvents },
      { topic: topics.identityEvents, events: resolvedEvents },
      { topic: topics.identitySnapshots, events: snapshots },
    ]);
  }
}
