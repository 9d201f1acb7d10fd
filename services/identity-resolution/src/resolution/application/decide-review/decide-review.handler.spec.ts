import { createLogger } from '@o2o/observability';
import { compileIdentityRules, defaultIdentityRules } from '../../../matching/domain';
import { ReviewAlreadyDecidedError, UnknownReviewError } from '../../domain/identity.errors';
import { PlannedMerge, REVIEW_ACCEPTED_RULE } from '../../domain/identity-graph.model';
import { MergeCustomersHandler } from '../merge-customers/merge-customers.handler';
import { MergeableCustomer, MergeGraph } from '../merge-customers/merge-customers.ports';
import { IdentityEvents } from '../ports/identity-events.port';
import { DecideReviewHandler } from './decide-review.handler';
import { ReviewItem, ReviewQueue } from './review-queue.port';

class Queue implements ReviewQueue {
  readonly items = new Map<string, ReviewItem & { note?: string }>();

  async list(status: ReviewItem['status']): Promise<ReviewItem[]> {
    return [...this.items.values()].filter((item) => item.status === status);
  }

  async get(id: string): Promise<ReviewItem | null> {
    return this.items.get(id) ?? null;
  }

  async decide(id: string, status: 'accepted' | 'rejected', note: string | undefined): Promise<boolean> {
    const item = this.items.get(id);
    if (item === undefined || item.status !== 'pending') return false;
    this.items.set(id, { ...item, status, ...(note !== undefined ? { note } : {}) });
    return true;
  }
}

/** Two standing customers; merges are recorded, not applied. */
class Graph implements MergeGraph {
  readonly merges: PlannedMerge[] = [];
  constructor(private readonly customers: Map<string, MergeableCustomer>) {}
  async currentCustomer(id: string) {
    return this.customers.get(id);
  }
  async heldIdentifiers() {
    return new Map();
  }
  async applyMerges(merges: readonly PlannedMerge[]) {
    this.merges.push(...merges);
  }
  async recordManualMerge() {}
  async markAnnounced() {}
}

const published: PlannedMerge[] = [];
const events: IdentityEvents = { publish: async ({ merges }) => void published.push(...(merges ?? [])) };

function setUp() {
  published.length = 0;
  const graph = new Graph(
    new Map([
      ['cus_a', { _id: 'cus_a', createdAt: new Date('2024-05-01T00:00:00Z') }],
      ['cus_b', { _id: 'cus_b', createdAt: new Date('2024-01-01T00:00:00Z') }],
    ]),
  );
  const queue = new Queue();
  const item: ReviewItem = {
    _id: 'rv_1',
    kind: 'probabilistic',
    status: 'pending',
    customerIds: ['cus_a', 'cus_b'],
    reason: 'names and birthday agree',
    score: 8.25,
    evidence: [{ type: 'email', value: 'a@b.c' }],
    eventId: 'ev-7',
  };
  queue.items.set(item._id, item);
  const merge = new MergeCustomersHandler(
    graph,
    events,
    { current: () => compileIdentityRules(defaultIdentityRules) },
    createLogger({ service: 'test', level: 'silent' }),
  );
  return { graph, queue, item, handler: new DecideReviewHandler(queue, merge) };
}

describe('decide review', () => {
  it('accepts through the merge command: the older customer survives, the reviewer note is in the reason', async () => {
    const { graph, queue, handler } = setUp();

    expect(await handler.accept('rv_1', 'same person')).toEqual({ reviewId: 'rv_1', status: 'accepted', customerId: 'cus_b' });

    expect(graph.merges).toEqual([
      expect.objectContaining({
        survivorId: 'cus_b',
        mergedId: 'cus_a',
        reason: 'review accepted (probabilistic): names and birthday agree; note: same person',
        evidence: [{ type: 'email', value: 'a@b.c' }],
        link: expect.objectContaining({ rule: REVIEW_ACCEPTED_RULE, eventId: 'ev-7', score: 8.25 }),
      }),
    ]);
    expect(published.map((m) => m.mergedId)).toEqual(['cus_a']);
    expect(queue.items.get('rv_1')).toMatchObject({ status: 'accepted', note: 'same person' });
  });

  it('refuses unknown and decided items, and an item whose customer is gone, merging nothing', async () => {
    const { graph, queue, item, handler } = setUp();
    await expect(handler.accept('rv_missing')).rejects.toBeInstanceOf(UnknownReviewError);
    await handler.reject('rv_1', 'different people');
    expect(queue.items.get('rv_1')?.status).toBe('rejected');
    await expect(handler.accept('rv_1')).rejects.toBeInstanceOf(ReviewAlreadyDecidedError);
    queue.items.set('rv_2', {
      ...item,
      _id: 'rv_2',
      status: 'pending',
      customerIds: ['cus_a', 'cus_erased'],
    });
    await expect(handler.accept('rv_2')).rejects.toBeInstanceOf(UnknownReviewError);
    expect(queue.items.get('rv_2')?.status).toBe('pending');
    expect(graph.merges).toEqual([]);
  });
});
