import { createLogger } from '@o2o/observability';
import { CustomerMergedError, NothingToSplitError, UnknownCustomerError } from '../../domain/identity.errors';
import { KEYED_ID_MIGRATION_RULE } from '../migrate-customer-ids/migrate-customer-ids.handler';
import { GraphChanges, IdentityEvents } from '../ports/identity-events.port';
import { CustomerDocument, CustomerSnapshot, SplitOutboxEntry } from '../ports/identity-graph.records';
import { SplitCustomerHandler } from './split-customer.handler';
import { DetachedPart, SplitGraph } from './split-customer.ports';

const at = new Date('2024-03-01T00:00:00Z');

function customer(id: string, mergedInto?: string, rule = 'deterministic:email'): CustomerDocument {
  return {
    _id: id,
    createdAt: at,
    mergedIds: [],
    members: [id],
    separatedFrom: [],
    history: [],
    ...(mergedInto !== undefined
      ? {
          mergedInto,
          merge: { survivorId: mergedInto, reason: 'same e-mail', evidence: [], link: { rule, eventId: 'ev_1', at: at.toISOString() }, at },
        }
      : {}),
  };
}

/** cus_a holds cus_b (which holds cus_c) and cus_old, an id migration's rename of cus_a. */
class Graph implements SplitGraph {
  readonly customers = new Map(
    [customer('cus_a'), customer('cus_b', 'cus_a'), customer('cus_c', 'cus_b'), customer('cus_old', 'cus_a', KEYED_ID_MIGRATION_RULE)].map(
      (c) => [c._id, c],
    ),
  );
  detached: { customerId: string; parts: readonly DetachedPart[]; split: SplitOutboxEntry } | undefined;
  announced: string[] = [];

  async currentCustomer(id: string): Promise<CustomerDocument | undefined> {
    const found = this.customers.get(id);
    return found?.mergedInto !== undefined ? this.currentCustomer(found.mergedInto) : found;
  }
  async customersMergedInto(customerId: string): Promise<CustomerDocument[]> {
    return [...this.customers.values()].filter((c) => c.mergedInto === customerId);
  }
  async detach(customer: CustomerDocument, parts: readonly DetachedPart[], split: SplitOutboxEntry): Promise<void> {
    this.detached = { customerId: customer._id, parts, split };
  }
  async snapshotsOf(customerIds: readonly string[]): Promise<ReadonlyMap<string, CustomerSnapshot>> {
    return new Map(customerIds.map((id) => [id, { identifiers: [{ type: 'email', value: `${id}@example.org` }], mergedIds: [] }]));
  }
  async markSplitsAnnounced(splits: ReadonlyArray<{ customerId: string; split: SplitOutboxEntry }>): Promise<void> {
    this.announced.push(...splits.map((s) => s.split.id));
  }
}

class Events implements IdentityEvents {
  readonly published: GraphChanges[] = [];
  failing = false;
  async publish(changes: GraphChanges): Promise<void> {
    if (this.failing) throw new Error('Kafka is away');
    this.published.push(changes);
  }
}

function setUp() {
  const graph = new Graph();
  const events = new Events();
  return { graph, events, handler: new SplitCustomerHandler(graph, events, createLogger({ service: 'test', level: 'silent' })) };
}

describe('SplitCustomerHandler', () => {
  it('splits off each customer merged in with everything merged into it, never an id migration rename, and publishes the split from its outbox entry', async () => {
    const { graph, events, handler } = setUp();
    const result = await handler.execute({ customerId: 'cus_a', reason: 'two people' });
    expect(graph.detached?.parts).toEqual([{ id: 'cus_b', subtree: ['cus_b', 'cus_c'], members: ['cus_b'] }]);
    expect(result.parts.map((p) => p.customerId)).toEqual(['cus_a', 'cus_b']);
    expect(result.parts[1]?.identifiers).toEqual([{ type: 'email', value: 'cus_b@example.org' }]);
    const split = graph.detached?.split;
    expect(split?.partIds).toEqual(['cus_b']);
    expect(events.published).toEqual([{ splits: [{ customerId: 'cus_a', split }] }]);
    expect(graph.announced).toEqual([split?.id]);
  });

  it('keeps a split Kafka did not take in the outbox (written, not announced) and still answers', async () => {
    const { graph, events, handler } = setUp();
    events.failing = true;
    const result = await handler.execute({ customerId: 'cus_a', reason: 'two people' });
    expect(graph.detached?.customerId).toBe('cus_a');
    expect(graph.announced).toEqual([]);
    expect(result.customerId).toBe('cus_a');
  });

  it('refuses an unknown customer, a merged-away one, a part not merged into it and a customer with nothing to split', async () => {
    const { graph, handler } = setUp();
    await expect(handler.execute({ customerId: 'cus_x', reason: 'r' })).rejects.toBeInstanceOf(UnknownCustomerError);
    await expect(handler.execute({ customerId: 'cus_b', reason: 'r' })).rejects.toBeInstanceOf(CustomerMergedError);
    await expect(handler.execute({ customerId: 'cus_a', partIds: ['cus_old'], reason: 'r' })).rejects.toBeInstanceOf(NothingToSplitError);
    graph.customers.delete('cus_b');
    await expect(handler.execute({ customerId: 'cus_a', reason: 'r' })).rejects.toBeInstanceOf(NothingToSplitError);
    expect(graph.detached).toBeUndefined();
  });
});
