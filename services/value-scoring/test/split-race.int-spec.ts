import { topics } from '@o2o/contracts';
import { KafkaPublisher, TopicNames } from '@o2o/kafka';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { expectEventually, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { Connection } from 'mongoose';
import { loadValueScoringConfig, ValueScoringConfig } from '../src/config/value-scoring.config';
import { CostModelRegistry } from '../src/costs/application/cost-model.registry';
import { CostModelRepository } from '../src/costs/infrastructure/cost-model.repository';
import { StoredCostModel, StoredCostModelSchema } from '../src/costs/infrastructure/cost-model.schema';
import { ModelRegistry } from '../src/models/application/model.registry';
import { ModelVersionRepository } from '../src/models/infrastructure/model-version.repository';
import { ModelVersion, ModelVersionSchema, ValuationState, ValuationStateSchema } from '../src/models/infrastructure/model-version.schema';
import { SummaryInput, SummaryUpdater } from '../src/purchases/application/update-summaries/summary-updater';
import { applyEvents } from '../src/purchases/domain/summary-update';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import { PurchaseSummary, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import { CustomerScorer } from '../src/valuation/application/customer.scorer';

const run = uniqueId();

/** The repository as the service builds it, with a callback run once right after a single-summary read (the split's): where a live update can be put. */
class InterleavedRepository extends PurchaseSummaryRepository {
  afterFindOne: (() => Promise<void>) | undefined;

  override async findOne(customerId: string): Promise<PurchaseSummary | null> {
    const found = await super.findOne(customerId);
    const hook = this.afterFindOne;
    this.afterFindOne = undefined;
    if (hook) await hook();
    return found;
  }
}

/**
 * A split of a customer racing a live purchase of the same customer (the identity.changes and
 * identity.events consumers run side by side; two instances during a rebalance): the purchase is
 * written between the split's read and its write.
 */
describe('value-scoring: a split racing a live update (real Kafka, MongoDB)', () => {
  let config: ValueScoringConfig;
  let connection: Connection;
  let spy: TopicSpy;
  let publisher: KafkaPublisher;
  let interleaved: InterleavedRepository;
  let live: SummaryUpdater;
  let splitter: SummaryUpdater;
  const valueTopic = () => `${config.KAFKA_TOPIC_PREFIX}${topics.valueScores.name}`;

  beforeAll(async () => {
    config = loadValueScoringConfig(
      testEnvironment(run, 'value-split-race', {
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
    const logger = createLogger({ service: 'value-split-race-test', level: 'warn' });
    const registry = new ModelRegistry(versions, config, logger);
    const costs = new CostModelRegistry(new CostModelRepository(connection.model<StoredCostModel>(StoredCostModel.name, StoredCostModelSchema)), config, logger);
    const scorer = new CustomerScorer(registry, costs, config);
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [valueTopic()]);
    publisher = new KafkaPublisher(new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }), new TopicNames(config.KAFKA_TOPIC_PREFIX), new PlatformMetrics('value-split-race-test'));
    interleaved = new InterleavedRepository(summaries);
    live = new SummaryUpdater(new PurchaseSummaryRepository(summaries), scorer, publisher);
    splitter = new SummaryUpdater(interleaved, scorer, publisher);
  });

  afterAll(async () => {
    await publisher?.disconnect();
    await spy?.stop();
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
  });

  const purchase = (customerId: string, orderId: string, amount: number, identifier: string): SummaryInput => {
    const at = new Date('2026-11-02T10:00:00Z');
    const change = {
      eventId: `event-${orderId}`,
      origin: customerId,
      seenAt: at,
      purchase: { sourceId: 'test-store', orderId, kind: 'purchase' as const, at, amount, categories: ['shoes'], channel: 'store', identifiers: [identifier] },
    };
    return {
      customerId,
      followMerges: true,
      create: true,
      apply: (summary) => applyEvents(summary, [change], 200),
      cause: { trace: undefined, causationId: change.eventId, correlationId: undefined },
    };
  };

  it('keeps the purchase written between the split’s read and its write, in the store and in the latest published state', async () => {
    const customer = `${run}-kept`;
    const other = `${run}-part`;
    // Two people merged into one customer: one order each.
    await live.update([purchase(customer, 'o-1', 100, 'userId:anna'), purchase(customer, 'o-2', 30, 'userId:bert')]);
    // The split reads the customer (2 orders); a live purchase of Anna's is then written (3 orders, revision 2).
    interleaved.afterFindOne = () => live.update([purchase(customer, 'o-3', 50, 'userId:anna')]);
    const changed = await interleaved.split('split-1', customer, [
      { customerId: customer, identifiers: ['userId:anna'] },
      { customerId: other, identifiers: ['userId:bert'] },
    ]);
    await splitter.update(changed.map((customerId) => ({ customerId, followMerges: false, create: false, apply: () => undefined, cause: { trace: undefined, causationId: 'split-1', correlationId: undefined } })));

    const repository = new PurchaseSummaryRepository(connection.model<PurchaseSummary>(PurchaseSummary.name));
    // The interleaving happened: the live purchase was published with the revision the split did not read.
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      expect(states.map((m) => (m.value as { data: { revenue: number } }).data.revenue)).toContain(180);
    });
    expect(await repository.findOne(customer)).toMatchObject({ purchases: 2, revenue: 150 });
    expect(await repository.findOne(other)).toMatchObject({ purchases: 1, revenue: 30 });
    await expectEventually(() => {
      const states = spy.on(valueTopic()).filter((m) => m.key === customer);
      const latest = states.reduce((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? b : a));
      expect((latest.value as { data: { purchases: number; revenue: number } }).data).toMatchObject({ purchases: 2, revenue: 150 });
    });
  });
});
