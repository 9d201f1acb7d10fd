/**
 * Measures a page of the most-growable ranking (`GET /v1/reports/most-growable`) on the MongoDB
 * server named by the service's MONGO_URL (FerretDB locally; KAFKA_BROKERS and REDIS_URL must be set too): N purchase summaries with room to grow are
 * written to a scratch database (dropped at the end), then the first page and a deep page (after
 * `--deep` pages) are read, each `--repeat` times, by the former query (sort on growthValue) and by
 * the repository's band reads. Prints the median per query. Nothing is asserted on time.
 *
 *   source .local-servers/env.sh && node services/value-scoring/dist/cli/bench-growable.js [--customers 20000] [--limit 50] [--deep 20] [--repeat 5] [--lines 0]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { PurchaseSummaryRepository } from '../purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from '../purchases/infrastructure/purchase-summary.schema';
import { growthBand } from '../valuation/domain/growth-band';
import { loadValueScoringConfig } from '../config/value-scoring.config';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '20000' },
      limit: { type: 'string', default: '50' },
      deep: { type: 'string', default: '20' },
      repeat: { type: 'string', default: '5' },
      lines: { type: 'string', default: '0' },
    },
  });
  const customers = Number(values.customers);
  const limit = Number(values.limit);
  const deep = Number(values.deep);
  const repeat = Number(values.repeat);
  const lines = Number(values.lines);
  // The service's own configuration (KAFKA_BROKERS, MONGO_URL, REDIS_URL set): only its MONGO_URL is used.
  const url = loadValueScoringConfig().MONGO_URL;
  const dbName = `bench_growable_${randomUUID().slice(0, 8)}`;
  const connection = await mongoose.createConnection(url, { dbName, serverSelectionTimeoutMS: 10000 }).asPromise();
  try {
    const model = connection.model(PurchaseSummaryRecord.name, PurchaseSummarySchema);
    await model.syncIndexes();
    const repository = new PurchaseSummaryRepository(model);
    // Room to grow spread like value: log-normal around 100 (a few customers far above).
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const orders = JSON.stringify(
      Array.from({ length: lines }, (_, i) => ({ eventId: `e${i}`, at: '2026-01-01T00:00:00.000Z', amount: 10, category: 'books' })),
    );
    for (let start = 0; start < customers; start += 1000) {
      const docs = [];
      for (let i = start; i < Math.min(customers, start + 1000); i++) {
        const z = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
        const growthValue = random() < 0.1 ? 0 : Math.round(Math.exp(Math.log(100) + 1.2 * z) * 100) / 100;
        const band = growthBand(growthValue);
        docs.push({
          _id: `c${String(i).padStart(7, '0')}`,
          revision: 1,
          purchases: 1,
          revenue: 10,
          growthValue,
          ...(band ? { growthBand: band } : {}),
          ...(lines > 0 ? { orders } : {}),
        });
      }
      await model.collection.insertMany(docs as never[]);
    }
    const former = async (after: { growthValue: number; id: string } | undefined) => {
      const filter: Record<string, unknown> = { mergedInto: { $exists: false }, growthValue: { $gt: 0 } };
      if (after) filter['$or'] = [{ growthValue: { $lt: after.growthValue } }, { growthValue: after.growthValue, _id: { $gt: after.id } }];
      return model
        .find(filter, { orders: 0, appliedEvents: 0 })
        .sort({ growthValue: -1, _id: 1 })
        .limit(limit)
        .lean<Array<{ _id: string; growthValue: number }>>()
        .exec();
    };
    // The deep cursor: walk `deep` pages with the repository, checking both queries agree page by page.
    let cursor: { growthValue: number; id: string } | undefined;
    for (let p = 0; p < deep; p++) {
      const page = await repository.growablePage(cursor, limit);
      const check = await former(cursor);
      if (JSON.stringify(page.map((s) => s._id)) !== JSON.stringify(check.map((s) => s._id)))
        throw new Error(`page ${p}: band reads and the former query disagree`);
      const last = page.at(-1);
      if (last === undefined) break;
      cursor = { growthValue: last.growthValue ?? 0, id: last._id };
    }
    const time = async (read: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t = process.hrtime.bigint();
        await read();
        samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return median(samples);
    };
    const rows = [
      ['first page', await time(() => former(undefined)), await time(() => repository.growablePage(undefined, limit))],
      [`page ${deep + 1}`, await time(() => former(cursor)), await time(() => repository.growablePage(cursor, limit))],
    ] as const;
    console.log(
      `most-growable page of ${limit}, ${customers} summaries (${lines} order lines each), ${url.replace(/\/\/[^@]*@/, '//')}, median of ${repeat}`,
    );
    console.log('| page | former query (sort on growthValue) | band reads |');
    console.log('| --- | --- | --- |');
    for (const [name, before, after] of rows) console.log(`| ${name} | ${before.toFixed(1)} ms | ${after.toFixed(1)} ms |`);
  } finally {
    await connection.dropDatabase();
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
