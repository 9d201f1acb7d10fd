import { topics } from '@o2o/contracts';
import { KafkaPublisher, PublishOptions, TopicBatch, TopicNames } from '@o2o/kafka';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { expectEventually, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { Connection } from 'mongoose';
import { loadValueScoringConfig, ValueScoringConfig } from '../src/config/value-scoring.config';
import { CostModelRegistry } from '../src/costs/application/cost-model.registry';
import { CostModelRepository } from '../src/costs/infrastructure/cost-model.repository';
import { StoredCostModel, StoredCostModelSchema } from '../src/costs/infrastructure/cost-model.schema';
import { ModelRegistry } from '../src/models/application/model.registry';
import { RescoreCustomersHandler } from '../src/models/application/rescore-customers/rescore-customers.handler';
import { ModelVersionRepository } from '../src/models/infrastructure/model-version.repository';
import { ModelVersion, ModelVersionSchema, ValuationState, ValuationStateSchema } from '../src/models/infrastructure/model-version.schema';
import { SummaryInput, SummaryUpdater } from '../src/purchases/application/update-summaries/summary-updater';
import { applyEvents } from '../src/purchases/domain/summary-update';
import { LoadedSummaries, PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummary, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import { CustomerScorer } from '../src/valuation/application/customer.scorer';

const run = uniqueId();

/** The repository as the service builds it, with a callback run once right after a read: where another instance's whole update can be put. */
class InterleavedRepository extends PurchaseSummaryRepository {
  afterLoad: (() => Promise<void>) | undefined;

  override async loadResolving(customerIds: readonly string[]): Promise<LoadedSummaries> {
    const loaded = await super.loadResolving(customerIds);
    const hook = this.afterLoad;
    this.afterLoad = undefined;
    if (hook) await hook();
    return loaded;
  }
}

/** The publisher as the service builds it, with a callback run once right before a publication carrying events. */
class InterleavedPublisher extends KafkaPublisher {
  beforePublish: (() => Promise<void>) | undefined;

  override async publish(batches: TopicBatch[], options: PublishOptions = {}): Promise<void> {
    const hook = this.beforePublish;
    if (hook && batches.some((b) => b.events.length > 0)) {
      this.beforePublish = undefined;
      await hook();
    }
    return super.publish(batches, options);
  }
}

/**
 * Two instances' SummaryUpdaters (each its own publisher and repository, one database, one
 * topic), as two consumers of one group are during a rebalance, when both handle the same
 * customer's partition for a moment.
 */
describe('value-scoring: a state published by a write that then lost its race (real Kafka, MongoDB)', () => {
  let config: ValueScoringConfig;
  let connection: Connection;
  let registry: ModelRegistry;
  let spy: TopicSpy;
  const publishers: KafkaPublisher[] = [];
  let interleaved: InterleavedRepository;
  let first: SummaryUpdater;
  let second: SummaryUpdater;
  let walk: RescoreCustomersHandler;
  let walkPublisher: InterleavedPublisher;
  const valueTopic = () => `${config.KAFKA_TOPIC_PREFIX}${topics.valueScores.name}`;

  beforeAll(async () => {
    config = loadValueScoringConfig(
      testEnvironment(run, 'value-publish-race', {
        // Costs free: the races are told apart by revenue, and a state is published only when its value moves materially.
        COST_PER_ORDER: '0',
        COST_PER_RETURN: '0',
        COST_PER_SERVICE_CALL: '0',
        COST_PER_CONTACT_DEFAULT: '0',
        COST_PER_CUSTOMER_YEAR: '0',
      }),
    );
    connection = await mongoose.createConnection(config.MONGO_URL, { dbName: config.MONGO_DB }).asPromise();
    const summaries = connection.model<PurchaseSummary>(PurchaseSummary.name, PurchaseSummarySchema);
    const versions = new ModelVersionRepository(connection.model<ModelVersion>(ModelVersion.name, ModelVersionSchema), connection.model<ValuationState>(ValuationState.name, ValuationStateSchema));
    // No fitted model in a fresh database: the interim model scores (value = net revenue).
    registry = new ModelRegistry(versions, config, createLogger({ service: 'value-publish-race-test', level: 'warn' }));
    // The configured cost prices (this database holds no edited cost model).
    const costs = new CostModelRegistry(new CostModelRepository(connection.model<StoredCostModel>(StoredCostModel.name, StoredCostModelSchema)), config, createLogger({ service: 'value-publish-race-test', level: 'warn' }));
    const scorer = new CustomerScorer(registry, costs, config);
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [valueTopic()]);
    const kafka = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    const publisher = () => {
      const p = new KafkaPublisher(kafka, new TopicNames(config.KAFKA_TOPIC_PREFIX), new PlatformMetrics('value-publish-race-test'));
      publishers.push(p);
      return p;
    };
    interleaved = new InterleavedRepository(summaries);
    first = new SummaryUpdater(interleaved, scorer, publisher());
    second = new SummaryUpdater(new PurchaseSummaryRepository(summaries), scorer, publisher());
    walkPublisher = new InterleavedPublisher(kafka, new TopicNames(config.KAFKA_TOPIC_PREFIX), new PlatformMetrics('value-publish-race-test'));
    publishers.push(walkPublisher);
    const repository = new PurchaseSummaryRepository(summaries);
    walk = new RescoreCustomersHandler(repository, scorer, registry, versions, walkPublisher, config, new SummaryUpdater(repository, scorer, walkPublisher));
  });

  afterAll(async () => {
    await Promise.all(publishers.map((p) => p.disconnect()));
    await spy?.stop();
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
  });

  const purchase = (customerId: string, orderId: string, amount: number): SummaryInput => {
    const at = new Date('2026-11-02T10:00:00Z');
    const change = {
      eventId: `event-${orderId}`,
      origin: customerId,
      seenAt: at,
      purchase: { sourceId: 'test-store', orderId, kind: 'purchase' as const, at, amount, categories: ['shoes'], channel: 'store', identifiers: [`userId:${customerId}`] },
    };
    return {
      customerId,
      followMerges: true,
      create: true,
      apply: (summary) => applyEvents(summary, [change], 200),
      cause: { trace: undefined, causationId: change.eventId, correlationId: undefined },
    };
  };

  it('the latest state on value.scores holds every order, also when the loser of a race published after the winner', async () => {
    const customer = `${run}-c1`;
    await second.update([purchase(customer, 'o-1', 100)]);
    // The first instance reads revision 1; the second then applies a large order and writes
    // revision 2 (publishing 150); the first publishes its state (106, without that order),
    // loses its write, re-reads and applies its small order again: 156 is within the
    // publication threshold of the 150 the database records as published.
    interleaved.afterLoad = () => second.update([purchase(customer, 'o-2', 50)]);
    await first.update([purchase(customer, 'o-3', 6)]);

    const stored = await new PurchaseSummaryRepository(connection.model<PurchaseSummary>(PurchaseSummary.name)).findOne(customer);
    expect(stored?.purchases).toBe(3);
    // The interleaving happened: the first instance published a state without o-2.
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      expect(states.map((m) => (m.value as { data: { revenue: number } }).data.revenue)).toEqual(expect.arrayContaining([100, 150, 106]));
    });
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      const latest = states.reduce((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? b : a));
      expect((latest.value as { data: { purchases: number; revenue: number } }).data).toMatchObject({ purchases: 3, revenue: 156 });
    });
  });

  it('the re-scoring walk never leaves its older state after a live update that published while the walk published', async () => {
    const customer = `${run}-c2`;
    await second.update([purchase(customer, 'o-10', 40)]);
    // The walk has read and scored the customer (40, its tier changes, so it publishes); right
    // before its publication a live purchase reads, publishes (140) and writes.
    walkPublisher.beforePublish = () => second.update([purchase(customer, 'o-11', 100)]);
    const outcome = await walk.execute({ shouldStop: () => false });
    expect(outcome.customers).toBeGreaterThanOrEqual(2);
    // The interleaving happened: the live state went out, and so did the walk's older one.
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      const revenues = states.map((m) => (m.value as { data: { revenue: number } }).data.revenue);
      expect(revenues).toContain(140);
      expect(revenues.lastIndexOf(40)).toBeGreaterThan(0);
    });
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      const latest = states.reduce((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? b : a));
      expect((latest.value as { data: { purchases: number; revenue: number } }).data).toMatchObject({ purchases: 2, revenue: 140 });
    });
  });
});
