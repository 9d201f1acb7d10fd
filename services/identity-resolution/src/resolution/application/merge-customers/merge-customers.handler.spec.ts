import { createLogger } from '@o2o/observability';
import { compileIdentityRules, defaultIdentityRules, IdentityRules, TypedIdentifier } from '../../../matching/domain';
import { UnknownCustomerError } from '../../domain/identity.errors';
import { PlannedMerge, REVIEW_ACCEPTED_RULE } from '../../domain/identity-graph.model';
import { AlreadyOneCustomerError, IdentifierLimitExceededError } from './merge-customers.errors';
import { exceededLimit, MergeCustomersHandler, survivorFirst } from './merge-customers.handler';
import { GraphChanges, IdentityEvents } from '../ports/identity-events.port';
import { RulesInForce } from '../ports/rules-in-force.port';
import { ManualMergeKind, MergeableCustomer, MergeGraph } from './merge-customers.ports';
import { OPERATOR_MERGE_RULE } from './merge-rules';

interface StoredCustomer extends MergeableCustomer {
  mergedInto?: string;
  announced?: boolean;
  members: string[];
  separatedFrom: string[];
  history: Array<{ kind: ManualMergeKind; reason: string; customerIds: string[] }>;
  identifiers: TypedIdentifier[];
}

/** The graph in memory, with the repository's semantics for what the merge uses. */
class InMemoryGraph implements MergeGraph {
  readonly customers = new Map<string, StoredCustomer>();
  readonly calls: string[] = [];

  add(id: string, createdAt: string, more: Partial<StoredCustomer> = {}): void {
    this.customers.set(id, {
      _id: id,
      createdAt: new Date(createdAt),
      members: [id],
      separatedFrom: [],
      history: [],
      identifiers: [],
      ...more,
    });
  }

  async currentCustomer(id: string): Promise<MergeableCustomer | undefined> {
    let customer = this.customers.get(id);
    for (let hop = 0; customer?.mergedInto !== undefined && hop < 10; hop += 1) customer = this.customers.get(customer.mergedInto);
    return customer;
  }

  async heldIdentifiers(customerIds: readonly string[]): Promise<ReadonlyMap<string, readonly TypedIdentifier[]>> {
    return new Map(customerIds.map((id) => [id, this.customers.get(id)?.identifiers ?? []]));
  }

  async applyMerges(merges: readonly PlannedMerge[]): Promise<void> {
    this.calls.push('applyMerges');
    for (const m of merges) {
      const merged = this.customers.get(m.mergedId);
      const survivor = this.customers.get(m.survivorId);
      if (merged === undefined || survivor === undefined || merged.mergedInto !== undefined) continue;
      merged.mergedInto = m.survivorId;
      merged.announced = false;
      survivor.members = [...new Set([...survivor.members, m.mergedId, ...m.members])];
      survivor.separatedFrom = [...new Set([...survivor.separatedFrom, ...m.separatedFrom])];
      survivor.identifiers = [...survivor.identifiers, ...merged.identifiers];
    }
  }

  async recordManualMerge(survivorId: string, mergedId: string, reason: string, kind: ManualMergeKind): Promise<void> {
    this.calls.push('recordManualMerge');
    const survivor = this.customers.get(survivorId);
    if (survivor === undefined) return;
    survivor.separatedFrom = survivor.separatedFrom.filter((id) => id !== mergedId);
    survivor.history.push({ kind, reason, customerIds: [survivorId, mergedId] });
  }

  async markAnnounced(mergedIds: readonly string[]): Promise<void> {
    this.calls.push('markAnnounced');
    for (const id of mergedIds) {
      const customer = this.customers.get(id);
      if (customer !== undefined) customer.announced = true;
    }
  }
}

class RecordingEvents implements IdentityEvents {
  readonly published: PlannedMerge[] = [];
  failing = false;

  async publish(changes: GraphChanges): Promise<void> {
    if (this.failing) throw new Error('Kafka is away');
    this.published.push(...(changes.merges ?? []));
  }
}

class FixedRules implements RulesInForce {
  constructor(private readonly rules: IdentityRules) {}

  current(): IdentityRules {
    return this.rules;
  }
}

const rules = compileIdentityRules(defaultIdentityRules);

function setUp() {
  const graph = new InMemoryGraph();
  const events = new RecordingEvents();
  const handler = new MergeCustomersHandler(graph, events, new FixedRules(rules), createLogger({ service: 'test', level: 'silent' }));
  return { graph, events, handler };
}

const now = new Date('2026-12-07T09:00:00.000Z');

describe('merge customers (the one merge command of a person: reviewer or operator)', () => {
  it('merges the younger customer into the older one for an operator, published with the operator rule', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_old', '2024-01-01T00:00:00Z');
    graph.add('cus_new', '2025-01-01T00:00:00Z', { members: ['cus_new', 'record:e-9'] });

    const result = await handler.execute({ decidedBy: 'operator', customerIds: ['cus_new', 'cus_old'], reason: 'same person' }, now);

    expect(result).toEqual({ customerId: 'cus_old', mergedId: 'cus_new' });
    expect(events.published).toHaveLength(1);
    const [merge] = events.published;
    expect(merge).toMatchObject({
      survivorId: 'cus_old',
      mergedId: 'cus_new',
      reason: 'same person',
      evidence: [],
      members: ['cus_new', 'record:e-9'],
      link: { rule: OPERATOR_MERGE_RULE, at: now.toISOString() },
    });
    expect(merge?.link.eventId).toMatch(/^operator-merge:[0-9a-f-]{36}$/);
    expect(graph.customers.get('cus_new')).toMatchObject({ mergedInto: 'cus_old', announced: true });
    expect(graph.customers.get('cus_old')?.history).toEqual([
      { kind: 'operator-merged', reason: 'same person', customerIds: ['cus_old', 'cus_new'] },
    ]);
    expect(graph.customers.get('cus_old')?.members).toEqual(['cus_old', 'cus_new', 'record:e-9']);
    // Written (with its outbox flag down) before it is published, announced after.
    expect(graph.calls).toEqual(['applyMerges', 'recordManualMerge', 'markAnnounced']);
  });

  it("records a reviewer's merge with the review item's evidence, event and score", async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-03-01T00:00:00Z');
    graph.add('cus_b', '2024-02-01T00:00:00Z');

    const result = await handler.execute(
      {
        decidedBy: 'review',
        customerIds: ['cus_a', 'cus_b'],
        reason: 'review accepted (probabilistic): close names',
        evidence: [{ type: 'email', value: 'a@b.c' }],
        eventId: 'ev-1',
        score: 7.5,
      },
      now,
    );

    expect(result).toEqual({ customerId: 'cus_b', mergedId: 'cus_a' });
    expect(events.published[0]).toMatchObject({
      survivorId: 'cus_b',
      mergedId: 'cus_a',
      evidence: [{ type: 'email', value: 'a@b.c' }],
      link: { rule: REVIEW_ACCEPTED_RULE, eventId: 'ev-1', at: now.toISOString(), score: 7.5 },
    });
    expect(graph.customers.get('cus_b')?.history[0]?.kind).toBe('review-accepted');
  });

  it('follows merged ids to the customers they stand for now', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_root', '2024-01-01T00:00:00Z');
    graph.add('cus_gone', '2023-01-01T00:00:00Z', { mergedInto: 'cus_root' });
    graph.add('cus_other', '2025-01-01T00:00:00Z');

    const result = await handler.execute({ decidedBy: 'operator', customerIds: ['cus_other', 'cus_gone'], reason: 'same person' }, now);

    expect(result).toEqual({ customerId: 'cus_root', mergedId: 'cus_other' });
    expect(events.published.map((m) => [m.survivorId, m.mergedId])).toEqual([['cus_root', 'cus_other']]);
  });

  it('overrides a split memory between the two: a person decided', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z', { separatedFrom: ['cus_b', 'cus_c'] });
    graph.add('cus_b', '2024-06-01T00:00:00Z', { separatedFrom: ['cus_a', 'cus_d'] });

    await handler.execute({ decidedBy: 'operator', customerIds: ['cus_a', 'cus_b'], reason: 'same person after all' }, now);

    // The merged customer's other split memories travel to the survivor; the one between them is gone.
    expect(events.published[0]?.separatedFrom).toEqual(['cus_d']);
    expect(graph.customers.get('cus_a')?.separatedFrom).toEqual(['cus_c', 'cus_d']);
  });

  it('refuses unknown customers with the domain error the controller maps to 404', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z');

    await expect(handler.execute({ decidedBy: 'operator', customerIds: ['cus_a', 'cus_missing'], reason: 'x' }, now)).rejects.toMatchObject(
      new UnknownCustomerError('cus_missing'),
    );
    expect(graph.calls).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it('tells an operator two ids already one customer; a late review decision just answers the customer', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z');
    graph.add('cus_b', '2024-06-01T00:00:00Z', { mergedInto: 'cus_a' });

    const refused = handler.execute({ decidedBy: 'operator', customerIds: ['cus_b', 'cus_a'], reason: 'x' }, now);
    await expect(refused).rejects.toBeInstanceOf(AlreadyOneCustomerError);
    await expect(refused).rejects.toMatchObject({ customerId: 'cus_a' });
    const reviewed = await handler.execute(
      { decidedBy: 'review', customerIds: ['cus_a', 'cus_b'], reason: 'r', evidence: [], eventId: 'ev-2' },
      now,
    );
    expect(reviewed).toEqual({ customerId: 'cus_a' });
    expect(graph.calls).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it('keeps a merge Kafka did not take unannounced, for the outbox relay', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z');
    graph.add('cus_b', '2024-06-01T00:00:00Z');
    events.failing = true;

    const result = await handler.execute({ decidedBy: 'operator', customerIds: ['cus_a', 'cus_b'], reason: 'same person' }, now);

    expect(result).toEqual({ customerId: 'cus_a', mergedId: 'cus_b' });
    expect(graph.customers.get('cus_b')).toMatchObject({ mergedInto: 'cus_a', announced: false });
    expect(graph.calls).toEqual(['applyMerges', 'recordManualMerge']);
  });

  it('picks the older survivor, the smaller id on a tie, whichever order the two come in', () => {
    const at = (iso: string) => new Date(iso);
    const a = { _id: 'cus_a', createdAt: at('2024-01-01T00:00:00Z') };
    const b = { _id: 'cus_b', createdAt: at('2024-01-01T00:00:00Z') };
    const c = { _id: 'cus_0', createdAt: at('2024-05-01T00:00:00Z') };
    expect(survivorFirst(a, b)[0]).toBe(a);
    expect(survivorFirst(b, a)[0]).toBe(a);
    expect(survivorFirst(c, b)[0]).toBe(b);
    expect(survivorFirst(b, c)[0]).toBe(b);
  });

  it('refuses an operator merge that would give one customer more identifiers of a type than the rules allow', async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z', { identifiers: [{ type: 'userId', value: 'u-1' }] });
    graph.add('cus_b', '2024-06-01T00:00:00Z', { identifiers: [{ type: 'userId', value: 'u-2' }] });

    await expect(handler.execute({ decidedBy: 'operator', customerIds: ['cus_a', 'cus_b'], reason: 'x' }, now)).rejects.toMatchObject(
      new IdentifierLimitExceededError('userId', 2, 1),
    );
    expect(graph.calls).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it("refuses a reviewer's merge the same way when a customer gained an identifier since the item was queued", async () => {
    const { graph, events, handler } = setUp();
    graph.add('cus_a', '2024-01-01T00:00:00Z', { identifiers: [{ type: 'userId', value: 'u-1' }] });
    graph.add('cus_b', '2024-06-01T00:00:00Z', { identifiers: [{ type: 'userId', value: 'u-2' }] });

    await expect(
      handler.execute(
        { decidedBy: 'review', customerIds: ['cus_a', 'cus_b'], reason: 'review accepted', evidence: [], eventId: 'ev-2' },
        now,
      ),
    ).rejects.toMatchObject(new IdentifierLimitExceededError('userId', 2, 1));
    expect(graph.calls).toEqual([]);
    expect(events.published).toEqual([]);
  });

  it('counts a value both hold once, and lets a customer already over a tightened limit keep what it has', () => {
    const email = (value: string) => ({ type: 'email', value });
    const userId = (value: string) => ({ type: 'userId', value });
    expect(exceededLimit([userId('u-1')], [userId('u-1'), email('a@b.c')], rules)).toBeUndefined();
    // Over the limit of 1 already (rules tightened after the fact): the merge adds nothing new of the type.
    expect(exceededLimit([userId('u-1'), userId('u-2')], [userId('u-2')], rules)).toBeUndefined();
    expect(exceededLimit([userId('u-1'), userId('u-2')], [userId('u-3')], rules)).toEqual({ type: 'userId', count: 3, max: 1 });
    const five = ['1', '2', '3', '4', '5'].map((n) => email(`${n}@x.org`));
    expect(exceededLimit(five.slice(0, 3), five.slice(3), rules)).toBeUndefined();
    expect(exceededLimit(five, [email('6@x.org')], rules)).toEqual({ type: 'email', count: 6, max: 5 });
    // No limit on devices.
    expect(exceededLimit([{ type: 'anonymousId', value: 'd-1' }], [{ type: 'anonymousId', value: 'd-2' }], rules)).toBeUndefined();
  });
});
