import { testEnvironment, uniqueId } from '@o2o/testing';
import mongoose, { Connection } from 'mongoose';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';

const run = uniqueId();

/**
 * The summary writes the updater sends since it writes only what changed: fields left out stay
 * as stored (real MongoDB or FerretDB, as the service's repository sends them).
 */
describe('value-scoring: partial summary writes (real MongoDB)', () => {
  let connection: Connection;
  let repository: PurchaseSummaryRepository;

  beforeAll(async () => {
    const config = loadValueScoringConfig(testEnvironment(run, 'value-summary-writes'));
    connection = await mongoose.createConnection(config.MONGO_URL, { dbName: config.MONGO_DB }).asPromise();
    repository = new PurchaseSummaryRepository(connection.model<PurchaseSummaryRecord>(PurchaseSummaryRecord.name, PurchaseSummarySchema));
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
  });

  it('leaves the fields a write leaves out as they were, and writes nothing at a revision it no longer has', async () => {
    const line = {
      eventId: 'e0',
      sourceId: 'web',
      orderId: 'o-1',
      kind: 'purchase' as const,
      at: new Date('2026-12-01T10:00:00.000Z'),
      amount: 30,
      categories: ['shoes'],
      channel: 'web',
      origin: 'cus_w',
      identifiers: [],
    };
    const created = await repository.save([
      {
        customerId: 'cus_w',
        expectedRevision: undefined,
        set: { revision: 1, orders: [line], purchases: 1, revenue: 30, channels: ['web'], categories: ['shoes'], appliedEvents: ['e0'] },
        unset: [],
      },
    ]);
    expect(created.size).toBe(0);

    // A view: its event id and the revision, nothing else.
    const lost = await repository.save([
      { customerId: 'cus_w', expectedRevision: 1, set: { revision: 2, appliedEvents: ['e0', 'e1'] }, unset: [] },
    ]);
    expect(lost.size).toBe(0);

    const [read] = await repository.find(['cus_w']);
    expect(read).toMatchObject({
      revision: 2,
      purchases: 1,
      revenue: 30,
      channels: ['web'],
      categories: ['shoes'],
      appliedEvents: ['e0', 'e1'],
    });
    expect(read?.orders).toEqual([line]);

    const stale = await repository.save([
      { customerId: 'cus_w', expectedRevision: 1, set: { revision: 2, appliedEvents: ['e0', 'late'] }, unset: [] },
    ]);
    expect([...stale]).toEqual(['cus_w']);
    expect((await repository.find(['cus_w']))[0]?.appliedEvents).toEqual(['e0', 'e1']);
  });
});
