import mongoose, { type Connection } from 'mongoose';
import fc from 'fast-check';
import { assertTestDatabase, testEnvironment, uniqueId } from '@o2o/testing';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import { growthBand } from '../src/valuation/domain/growth-band';

/**
 * The most-growable page read band by band (equality on growthBand, index-backed on FerretDB)
 * returns exactly the ranking by (growthValue desc, _id asc) after the cursor: everyone with room
 * to grow once, no merged customer, whatever the spread of values (ties, one crowded band, values
 * far apart).
 */
describe('most-growable pages by growth band (real MongoDB)', () => {
  const run = uniqueId();
  let connection: Connection;
  let repository: PurchaseSummaryRepository;
  let model: mongoose.Model<PurchaseSummaryRecord>;

  beforeAll(async () => {
    const env = testEnvironment(run, 'value-scoring');
    const db = env['MONGO_DB'] ?? '';
    assertTestDatabase(db);
    connection = await mongoose.createConnection(env['MONGO_URL'] ?? '', { dbName: db, serverSelectionTimeoutMS: 10000 }).asPromise();
    model = connection.model(PurchaseSummaryRecord.name, PurchaseSummarySchema);
    await model.syncIndexes();
    repository = new PurchaseSummaryRepository(model);
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('pages through everyone with room to grow, in order, once', async () => {
    const growth = fc.sample(
      fc.oneof(
        fc.constant(0),
        fc.constant(-12),
        fc.constant(250),
        fc.double({ min: 0.5, max: 5e6, noNaN: true }).map((x) => Math.round(x * 100) / 100),
        fc.double({ min: 100, max: 110, noNaN: true }),
      ),
      { numRuns: 400, seed: 18 },
    );
    const docs = growth.map((g, i) => {
      const band = growthBand(g);
      return {
        _id: `c${String(i).padStart(4, '0')}`,
        revision: 1,
        purchases: 1,
        revenue: 10,
        growthValue: g,
        ...(band ? { growthBand: band } : {}),
        ...(i % 37 === 0 ? { mergedInto: 'someone' } : {}),
      };
    });
    await model.collection.insertMany(docs as never[]);
    const expected = docs
      .filter((d) => d.growthValue > 0 && !('mergedInto' in d))
      .sort((a, b) => b.growthValue - a.growthValue || (a._id < b._id ? -1 : 1))
      .map((d) => d._id);
    expect(expected.length).toBeGreaterThan(100);

    const seen: string[] = [];
    let after: { growthValue: number; id: string } | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const page = await repository.growablePage(after, 9);
      seen.push(...page.map((s) => s._id));
      const last = page.at(-1);
      if (page.length < 9 || last === undefined) break;
      after = { growthValue: last.growthValue ?? 0, id: last._id };
    }
    expect(seen).toEqual(expected);
  });
});
