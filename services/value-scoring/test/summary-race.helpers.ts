import { topics } from '@o2o/contracts';
import { ExactlyOnceBatches, KafkaPublisher, TopicNames } from '@o2o/kafka';
import { createLogger, Logger, PlatformMetrics } from '@o2o/observability';
import { testEnvironment, TopicSpy } from '@o2o/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { Connection, Model } from 'mongoose';
import { loadValueScoringConfig, ValueScoringConfig } from '../src/config/value-scoring.config';
import { CostModelRegistry } from '../src/costs/application/cost-model.registry';
import { CostModelRepository } from '../src/costs/infrastructure/cost-model.repository';
import { StoredCostModel, StoredCostModelSchema } from '../src/costs/infrastructure/cost-model.schema';
import { ModelRegistry } from '../src/models/application/model.registry';
import { KafkaWalkPageTransactions } from '../src/models/infrastructure/kafka-walk-page.transactions';
import { ModelVersionRepository } from '../src/models/infrastructure/model-version.repository';
import {
  ModelVersionRecord,
  ModelVersionSchema,
  ValuationStateRecord,
  ValuationStateSchema,
} from '../src/models/infrastructure/model-version.schema';
import { SummaryInput } from '../src/purchases/application/update-summaries/summary-updater';
import { applyEvents } from '../src/purchases/domain/summary-update';
import { PurchaseSummaryRecord, PurchaseSummarySchema } from '../src/purchases/infrastructure/purchase-summary.schema';
import { CustomerScorer } from '../src/valuation/application/customer.scorer';

/** What a race between two writers of purchase summaries is built from: the service's own parts, one database, one value.scores topic. */
export interface SummaryRaceParts {
  readonly config: ValueScoringConfig;
  readonly connection: Connection;
  readonly summaries: Model<PurchaseSummaryRecord>;
  readonly versions: ModelVersionRepository;
  readonly registry: ModelRegistry;
  readonly scorer: CustomerScorer;
  readonly logger: Logger;
  /** Reads value.scores (with the run's prefix) from its start. */
  readonly spy: TopicSpy;
  /** value.scores with the run's prefix. */
  readonly valueTopic: string;
}

export interface SummaryRace {
  /** The parts, once beforeAll has built them. */
  parts(): SummaryRaceParts;
  /** A publisher as the service builds it, disconnected after the file. */
  publisher(): KafkaPublisher;
  /** The same, of a subclass (one with a hook, say). */
  publisherOf<P extends KafkaPublisher>(make: PublisherFactory<P>): P;
  /** The re-scoring walk's page transactions as the service builds them (a producer of their own), disconnected after the file; one name, one transactional id. */
  walkPages(name: string): KafkaWalkPageTransactions;
}

export type PublisherFactory<P extends KafkaPublisher> = (kafka: Kafka, names: TopicNames, metrics: PlatformMetrics) => P;

/**
 * Registers beforeAll/afterAll for a race test of value-scoring's summary writers (as two
 * instances of one consumer group are during a rebalance): a run-unique database with costs set
 * free (races are told apart by revenue, and a state is published only when its value moves
 * materially), the interim model (no fitted model in a fresh database: value = net revenue), the
 * configured cost prices, and a spy on value.scores. Read the result inside tests.
 */
export function summaryRace(run: string, name: string): SummaryRace {
  let race: SummaryRaceParts | undefined;
  let kafka: Kafka | undefined;
  const publishers: KafkaPublisher[] = [];
  const walkPages: KafkaWalkPageTransactions[] = [];

  beforeAll(async () => {
    const config = loadValueScoringConfig(
      testEnvironment(run, name, {
        COST_PER_ORDER: '0',
        COST_PER_RETURN: '0',
        COST_PER_SERVICE_CALL: '0',
        COST_PER_CONTACT_DEFAULT: '0',
        COST_PER_CUSTOMER_YEAR: '0',
      }),
    );
    const connection = await mongoose.createConnection(config.MONGO_URL, { dbName: config.MONGO_DB }).asPromise();
    const logger = createLogger({ service: `${name}-test`, level: 'warn' });
    const versions = new ModelVersionRepository(
      connection.model<ModelVersionRecord>(ModelVersionRecord.name, ModelVersionSchema),
      connection.model<ValuationStateRecord>(ValuationStateRecord.name, ValuationStateSchema),
    );
    const registry = new ModelRegistry(versions, config, logger);
    const costs = new CostModelRegistry(
      new CostModelRepository(connection.model<StoredCostModel>(StoredCostModel.name, StoredCostModelSchema)),
      config,
      logger,
    );
    const valueTopic = `${config.KAFKA_TOPIC_PREFIX}${topics.valueScores.name}`;
    kafka = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    race = {
      config,
      connection,
      summaries: connection.model<PurchaseSummaryRecord>(PurchaseSummaryRecord.name, PurchaseSummarySchema),
      versions,
      registry,
      scorer: new CustomerScorer(registry, costs, config),
      logger,
      spy: await TopicSpy.start(config.KAFKA_BROKERS, [valueTopic]),
      valueTopic,
    };
  });

  afterAll(async () => {
    await Promise.all([...publishers.map((p) => p.disconnect()), ...walkPages.map((w) => w.onApplicationShutdown())]);
    await race?.spy.stop();
    await race?.connection.dropDatabase().catch(() => undefined);
    await race?.connection.close();
  });

  const started = (): SummaryRaceParts => {
    if (!race) throw new Error('the race is set up in beforeAll: read it inside a test or a later hook');
    return race;
  };
  const publisherOf = <P extends KafkaPublisher>(make: PublisherFactory<P>): P => {
    const { config } = started();
    if (!kafka) throw new Error('the race is set up in beforeAll');
    const publisher = make(kafka, new TopicNames(config.KAFKA_TOPIC_PREFIX), new PlatformMetrics(`${name}-test`));
    publishers.push(publisher);
    return publisher;
  };
  return {
    parts: started,
    publisher: () => publisherOf((k, names, metrics) => new KafkaPublisher(k, names, metrics)),
    publisherOf,
    walkPages: (walkName) => {
      const { config, logger } = started();
      if (!kafka) throw new Error('the race is set up in beforeAll');
      const client = kafka;
      const pages = new KafkaWalkPageTransactions(
        () => new ExactlyOnceBatches(client, { transactionalId: `${config.KAFKA_TOPIC_PREFIX}walk:${walkName}` }, logger),
      );
      walkPages.push(pages);
      return pages;
    },
  };
}

/** A purchase of one customer as the identity.events consumer hands it to the SummaryUpdater. */
export function purchaseInput(customerId: string, orderId: string, amount: number, identifier = `userId:${customerId}`): SummaryInput {
  const at = new Date('2026-11-02T10:00:00Z');
  const change = {
    eventId: `event-${orderId}`,
    origin: customerId,
    seenAt: at,
    purchase: {
      sourceId: 'test-store',
      orderId,
      kind: 'purchase' as const,
      at,
      amount,
      categories: ['shoes'],
      channel: 'store',
      identifiers: [identifier],
    },
  };
  return {
    customerId,
    followMerges: true,
    create: true,
    apply: (summary) => applyEvents(summary, [change], 200),
    cause: { trace: undefined, causationId: change.eventId, correlationId: undefined },
  };
}

/** The data of the last state published for a customer (by offset) among those the spy has read. */
export function latestState<T>(spy: TopicSpy, topic: string, customerId: string): T {
  const states = spy.on(topic).filter((m) => m.key === customerId);
  const latest = states.reduce((a, b) => (BigInt(b.offset) > BigInt(a.offset) ? b : a));
  return (latest.value as { data: T }).data;
}
