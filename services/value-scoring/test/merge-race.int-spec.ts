import { testEnvironment, uniqueId } from '@o2o/testing';
import mongoose, { Connection, Model } from 'mongoose';
import { applyEvents, EventChange } from '../src/purchases/domain/summary-update';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import type { PurchaseSummary } from '../src/shared-kernel/domain';

const run = uniqueId();
const env = testEnvironment(run, 'value-merge-race');

/**
 * The repository as the service builds it, with one seam: a callback run right after the fold has
 * read the merged customer's summary, so a live write can be put exactly there (the window two
 * consumers, identity.changes and identity.events, hit now and then under load).
 */
class InterleavedRepository extends PurchaseSummaryRepository {
  afterRead: { id: string; run: () => Promise<void> } | undefined;

  override async findOne(customerId: string): Promise<PurchaseSummary | null> {
    const found = await super.findOne(customerId);
    const hook = this.afterRead;
    if (hook && hook.id === customerId) {
      this.afterRead = undefined;
      await hook.run();
    }
    return found;
  }
}

const order = (customerId: string, orderId: string, amount: number, at: Date): EventChange => ({
  eventId: `event-${orderId}`,
  origin: customerId,
  seenAt: at,
  purchase: {
    sourceId: 'test-store',
    orderId,
    kind: 'purchase',
    at,
    amount,
    categories: ['shoes'],
    channel: 'store',
    identifiers: [`userId:${customerId}`],
  },
});

/**
 * What SummaryUpdater does with a resolved event, without scoring: read (following merges),
 * apply, write conditional on the revision read, and on a lost race read and apply again.
 */
async function applyLive(repository: PurchaseSummaryRepository, change: EventChange): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const loaded = await repository.loadResolving([change.origin]);
    const target = loaded.survivorOf(change.origin);
    const doc = loaded.docs.get(target);
    const next = applyEvents(
      doc ?? { _id: target, orders: [], purchases: 0, revenue: 0, channels: [], categories: [], appliedEvents: [], revision: 0 },
      [change],
      200,
    );
    if (!next) return;
    const { orders, purchases, revenue, firstSeenAt, firstPurchaseAt, lastPurchaseAt, channels, categories, appliedEvents } = next;
    const lost = await repository.save([
      {
        customerId: target,
        expectedRevision: doc?.revision,
        set: {
          orders,
          purchases,
          revenue,
          firstSeenAt,
          firstPurchaseAt,
          lastPurchaseAt,
          channels,
          categories,
          appliedEvents,
          revision: (doc?.revision ?? 0) + 1,
        },
        unset: [],
      },
    ]);
    if (lost.size === 0) return;
  }
  throw new Error('live write still contended');
}

describe('value-scoring merge fold against a concurrent purchase (real MongoDB)', () => {
  let connection: Connection;
  let model: Model<PurchaseSummaryRecord>;
  let repository: InterleavedRepository;

  beforeAll(async () => {
    connection = await mongoose.createConnection(env['MONGO_URL'] ?? '', { dbName: env['MONGO_DB'] ?? '' }).asPromise();
    model = connection.model<PurchaseSummaryRecord>(PurchaseSummaryRecord.name, PurchaseSummarySchema);
    repository = new InterleavedRepository(model);
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
  });

  it('a purchase written to the merged customer while the fold runs ends up in the survivor', async () => {
    const survivor = `${run}-survivor`;
    const merged = `${run}-merged`;
    const day = new Date('2026-11-02T10:00:00Z');
    // Both customers already have a purchase.
    await applyLive(repository, order(survivor, 'o-1', 40, day));
    // The merged customer's summary exists before its second purchase is read.
    await applyLive(repository, order(merged, 'o-2', 60, day));

    // The live consumer reads the merged customer (not merged yet) ...
    const late = order(merged, 'o-3', 445.12, new Date('2026-11-02T11:00:00Z'));
    let liveDone: Promise<void> | undefined;
    repository.afterRead = {
      id: merged,
      // ... and writes its next purchase after the fold has read the merged summary, before the fold's writes.
      run: async () => {
        liveDone = applyLive(repository, late);
        await liveDone;
      },
    };
    await repository.fold(survivor, merged);
    // The interleaving happened: the live write ran inside the fold's window.
    expect(liveDone).toBeDefined();
    await liveDone;

    const after = await repository.findOne(survivor);
    expect(after?.orders.map((o) => o.orderId).sort()).toEqual(['o-1', 'o-2', 'o-3']);
    expect(after?.purchases).toBe(3);
    expect(after?.revenue).toBeCloseTo(40 + 60 + 445.12, 2);
    // Still once each when the merge is delivered again.
    await repository.fold(survivor, merged);
    const again = await repository.findOne(survivor);
    expect(again?.purchases).toBe(3);
    expect((await repository.findOne(merged))?.mergedInto).toBe(survivor);
  });
});
