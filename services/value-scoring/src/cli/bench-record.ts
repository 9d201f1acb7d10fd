/**
 * The identity.events handler's own CPU per event (`npm run bench:value-record`): what
 * value-scoring does with a batch of resolved events between the transport and the database,
 * without either. Runs RecordPurchasesHandler (the fold into each summary, the score, the
 * publication's decision and payload, the write) over batches of the pipeline bench's event
 * mix, with the summaries kept in memory as BSON documents in their stored form: every read
 * decodes them (BSON, then fromStored), every write encodes its update as the driver would
 * (toStored, BSON) and applies it. The interim model (what the bench scores with: too few
 * buyers for a fit), a publisher that answers at once. Prints µs of process CPU per event for
 * each pass, and their median.
 *
 *   node services/value-scoring/dist/cli/bench-record.js [--customers 600] [--batch 300] [--batches 24] [--passes 5] [--seed 42]
 */
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BSON, type Document } from 'mongodb';
import { resolvedEventDataV1, type EventResolvedV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { loadWithSurvivors } from '@o2o/mongo';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { seededUniform } from '@o2o/random';
import { loadValueScoringConfig } from '../config/value-scoring.config';
import { defaultCostModel } from '../costs/application/cost-model.registry';
import type { FitInputs, LoadedSummaries, PurchaseSummaries, SummaryWrite } from '../purchases/application/ports/purchase-summaries.port';
import type { ValueStateBatch, ValueStatePublisher } from '../purchases/application/ports/value-state.publisher';
import { RecordPurchasesHandler } from '../purchases/application/record-purchases/record-purchases.handler';
import { SummaryUpdater } from '../purchases/application/update-summaries/summary-updater';
import { fromStored, toStored, type StoredPurchaseSummary } from '../purchases/infrastructure/purchase-summary.schema';
import type { PurchaseSummary, ScoreWrite } from '../shared-kernel/domain';
import { CustomerScorer } from '../valuation/application/customer.scorer';
import { interimModel, interimTierCutoffs } from '../valuation/domain/customer-valuation';

/** Summaries as BSON documents in their stored form, updated as the repository's bulk write would update them. */
class BsonSummaries implements PurchaseSummaries {
  private readonly docs = new Map<string, Uint8Array>();
  bytesWritten = 0;

  async loadResolving(ids: readonly string[]): Promise<LoadedSummaries> {
    return loadWithSurvivors(ids, async (missing) => new Map((await this.find(missing)).map((s) => [s._id, s])));
  }

  async find(ids: string[]): Promise<PurchaseSummary[]> {
    const found: PurchaseSummary[] = [];
    for (const id of new Set(ids)) {
      const bytes = this.docs.get(id);
      if (bytes !== undefined) found.push(fromStored(BSON.deserialize(bytes) as StoredPurchaseSummary));
    }
    return found;
  }

  async save(writes: readonly SummaryWrite[]): Promise<Set<string>> {
    for (const w of writes) {
      const update: Document = { $set: toStored(w.set) };
      if (w.unset.length > 0) update['$unset'] = Object.fromEntries(w.unset.map((f) => [f, 1]));
      // What the driver sends: the update, encoded; what the database holds afterwards.
      const sent = BSON.serialize({ q: { _id: w.customerId, revision: w.expectedRevision }, u: update });
      this.bytesWritten += sent.length;
      const current = this.docs.get(w.customerId);
      const doc: Document = current === undefined ? { _id: w.customerId } : BSON.deserialize(current);
      Object.assign(doc, update['$set'] as Document);
      for (const field of w.unset) Reflect.deleteProperty(doc, field);
      this.docs.set(w.customerId, BSON.serialize(doc));
    }
    return new Set();
  }

  async confirmPublished(): Promise<void> {}

  async findOne(): Promise<PurchaseSummary | null> {
    return notUsed();
  }
  async writeScores(_writes: ScoreWrite[]): Promise<string[]> {
    return notUsed();
  }
  async setRankValues(): Promise<void> {
    return notUsed();
  }
  async growablePage(): Promise<PurchaseSummary[]> {
    return notUsed();
  }
  async page(): Promise<PurchaseSummary[]> {
    return notUsed();
  }
  async fitPage(): Promise<FitInputs[]> {
    return notUsed();
  }
  async countWithPurchases(): Promise<number> {
    return notUsed();
  }
  async rankPage(): Promise<PurchaseSummary[]> {
    return notUsed();
  }
  async fold(): Promise<boolean> {
    return notUsed();
  }
  async split(): Promise<string[]> {
    return notUsed();
  }
}

function notUsed(): Promise<never> {
  return Promise.reject(new Error('not used by the event handler'));
}

class CountingPublisher implements ValueStatePublisher {
  sent = 0;
  async publish(batch: ValueStateBatch): Promise<void> {
    this.sent += batch.events.length;
  }
}

/** The pipeline bench's mix, roughly: views, orders (about one in seven), email, answers, identifies, consents, screens. */
function eventMix(customers: number, count: number, seed: number): EventResolvedV1[] {
  const rnd = seededUniform(seed);
  const categories = ['shoes', 'travel', 'home-office', 'books', 'garden', 'toys'];
  const t0 = Date.parse('2026-12-01T00:00:00.000Z');
  return Array.from({ length: count }, (_, seq) => {
    const c = Math.floor(rnd() * customers);
    const at = new Date(t0 + seq * 1000).toISOString();
    const r = rnd() * 100;
    const category = categories[Math.floor(rnd() * categories.length)] ?? 'shoes';
    const fields =
      r < 35
        ? { eventType: 'track', event: 'Product Viewed', properties: { product_id: `sku-${category}-1`, category, price: 40 } }
        : r < 50
          ? {
              eventType: 'track',
              event: 'Order Completed',
              properties: {
                order_id: `o-${seq}`,
                revenue: 80,
                currency: 'EUR',
                products: [{ product_id: 'sku', category, price: 80, quantity: 1 }],
              },
            }
          : r < 65
            ? { channel: 'email', eventType: 'track', event: 'Email Opened', properties: { campaign: 'weekly-news' } }
            : r < 85
              ? { eventType: 'identify', traits: { email: `c${c}@example.com`, firstName: 'Ann' } }
              : { channel: 'app', eventType: 'screen', name: 'Home', properties: { category } };
    const data: ResolvedEventDataV1 = resolvedEventDataV1.parse({
      messageId: `m-${seq}`,
      sourceId: 'web',
      channel: 'web',
      customerId: `cus_${c}`,
      identifiers: [{ type: 'email', value: `c${c}@example.com` }],
      timestamp: at,
      receivedAt: at,
      ...fields,
    });
    return {
      ...createEnvelope({
        id: `ingest:${data.messageId}`,
        type: 'customer-event.resolved',
        version: 1,
        source: '/bench',
        subject: data.customerId,
        data,
        correlationid: data.messageId,
      }),
      version: 1 as const,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '600' },
      batch: { type: 'string', default: '300' },
      batches: { type: 'string', default: '24' },
      passes: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
    },
  });
  const [customers, batchSize, batches, passes, seed] = [values.customers, values.batch, values.batches, values.passes, values.seed].map(
    Number,
  ) as [number, number, number, number, number];
  const config = loadValueScoringConfig({
    KAFKA_BROKERS: '127.0.0.1:9092',
    MONGO_URL: 'mongodb://127.0.0.1:27017',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
  const events = eventMix(customers, batchSize * batches, seed).map((event) => ({ event, trace: ROOT_CONTEXT }));
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const platform = new PlatformMetrics('bench');
  const costs = defaultCostModel(config);
  const scorer = new CustomerScorer(
    {
      model: () => interimModel,
      tierCutoffs: () => ({ cutoffs: interimTierCutoffs, fromWalk: false }),
      peerLevel: () => undefined,
    },
    { model: () => costs },
    config,
  );

  // Each pass starts from no summaries and applies every batch in turn, as a fresh population would be.
  const pass = async (handlerMetrics: PlatformMetrics): Promise<{ micros: number; sent: number; bytes: number }> => {
    const summaries = new BsonSummaries();
    const publisher = new CountingPublisher();
    const updater = new SummaryUpdater(summaries, scorer, publisher, { now: () => new Date() }, logger);
    const handler = new RecordPurchasesHandler(updater, config, logger, handlerMetrics);
    const start = process.cpuUsage();
    for (let i = 0; i < batches; i++) await handler.execute(events.slice(i * batchSize, (i + 1) * batchSize));
    const used = process.cpuUsage(start);
    return { micros: (used.user + used.system) / events.length, sent: publisher.sent, bytes: summaries.bytesWritten / events.length };
  };

  await pass(platform); // warm-up: the JIT
  const results: number[] = [];
  let last = { sent: 0, bytes: 0 };
  for (let i = 0; i < passes; i++) {
    // A registry per pass: the handler registers its counter on construction.
    const r = await pass(new PlatformMetrics(`bench${i}`));
    results.push(r.micros);
    last = r;
  }
  const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? 0;
  console.log(
    `value-scoring record: ${events.length} events, ${customers} customers, batches of ${batchSize}, ${last.sent} publications per pass, ` +
      `${Math.round(last.bytes)} update bytes per event; µs CPU per event: ${results.map((r) => r.toFixed(1)).join(' ')}; median ${median.toFixed(1)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
