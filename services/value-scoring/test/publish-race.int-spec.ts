import { AsyncResource } from 'node:async_hooks';
import { KafkaPublisher, PublishOptions, TopicBatch } from '@o2o/kafka';
import { expectEventually, uniqueId } from '@o2o/testing';
import { RescoreCustomersHandler } from '../src/models/application/rescore-customers/rescore-customers.handler';
import { SummaryUpdater } from '../src/purchases/application/update-summaries/summary-updater';
import { LoadedSummaries } from '../src/purchases/application/ports/purchase-summaries.port';
import { KafkaValueStatePublisher } from '../src/purchases/infrastructure/kafka-value-state.publisher';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import type { ScoreWrite } from '../src/shared-kernel/domain';
import { SystemClock } from '../src/shared-kernel/infrastructure/system.clock';
import { latestState, purchaseInput, summaryRace } from './summary-race.helpers';

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

/**
 * The publisher as the service builds it, with a callback run once right before a publication
 * carrying events: another instance's work, so run outside the transaction the publication is in.
 */
class InterleavedPublisher extends KafkaPublisher {
  beforePublish: (() => Promise<void>) | undefined;
  private readonly elsewhere = new AsyncResource('another-instance');

  override async publish(batches: TopicBatch[], options: PublishOptions = {}): Promise<void> {
    const hook = this.beforePublish;
    if (hook && batches.some((b) => b.events.length > 0)) {
      this.beforePublish = undefined;
      await this.elsewhere.runInAsyncScope(hook);
    }
    return super.publish(batches, options);
  }
}

/** The repository as the service builds it, whose next score write fails: the process dying between a walk page's publication and its write. */
class FailingScoreWrites extends PurchaseSummaryRepository {
  failNext = false;

  override async writeScores(writes: ScoreWrite[]): Promise<string[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('killed between the page publication and its write');
    }
    return super.writeScores(writes);
  }
}

/**
 * Two instances' SummaryUpdaters (each its own publisher and repository, one database, one
 * topic), as two consumers of one group are during a rebalance, when both handle the same
 * customer's partition for a moment.
 */
describe('value-scoring: a state published by a write that then lost its race (real Kafka, MongoDB)', () => {
  const race = summaryRace(run, 'value-publish-race');
  let interleaved: InterleavedRepository;
  let first: SummaryUpdater;
  let second: SummaryUpdater;
  let walk: RescoreCustomersHandler;
  /** Another instance's walk: the same model-job transactional id as `walk`'s. */
  let otherWalk: RescoreCustomersHandler;
  let walkPublisher: InterleavedPublisher;
  let walkRepository: FailingScoreWrites;

  beforeAll(() => {
    const { summaries, scorer, registry, versions, config, logger } = race.parts();
    interleaved = new InterleavedRepository(summaries);
    const clock = new SystemClock();
    first = new SummaryUpdater(interleaved, scorer, new KafkaValueStatePublisher(race.publisher()), clock, logger);
    second = new SummaryUpdater(
      new PurchaseSummaryRepository(summaries),
      scorer,
      new KafkaValueStatePublisher(race.publisher()),
      clock,
      logger,
    );
    walkPublisher = race.publisherOf((kafka, names, metrics) => new InterleavedPublisher(kafka, names, metrics));
    const repository = (walkRepository = new FailingScoreWrites(summaries));
    walk = new RescoreCustomersHandler(
      repository,
      scorer,
      registry,
      versions,
      new KafkaValueStatePublisher(walkPublisher),
      config,
      new SummaryUpdater(repository, scorer, new KafkaValueStatePublisher(walkPublisher), clock, logger),
      clock,
      race.walkPages('model-job'),
    );
    const otherRepository = new PurchaseSummaryRepository(summaries);
    otherWalk = new RescoreCustomersHandler(
      otherRepository,
      scorer,
      registry,
      versions,
      new KafkaValueStatePublisher(race.publisher()),
      config,
      new SummaryUpdater(otherRepository, scorer, new KafkaValueStatePublisher(race.publisher()), clock, logger),
      clock,
      race.walkPages('model-job'),
    );
  });

  it('the latest state on value.scores holds every order, also when the loser of a race published after the winner', async () => {
    const customer = `${run}-c1`;
    await second.update([purchaseInput(customer, 'o-1', 100)]);
    // The first instance reads revision 1; the second then applies a large order and writes
    // revision 2 (publishing 150); the first publishes its state (106, without that order),
    // loses its write, re-reads and applies its small order again: 156 is within the
    // publication threshold of the 150 the database records as published.
    interleaved.afterLoad = () => second.update([purchaseInput(customer, 'o-2', 50)]);
    await first.update([purchaseInput(customer, 'o-3', 6)]);

    const stored = await new PurchaseSummaryRepository(race.parts().summaries).findOne(customer);
    expect(stored?.purchases).toBe(3);
    // The interleaving happened: the first instance published a state without o-2.
    await expectEventually(() => {
      const states = race
        .parts()
        .spy.on(race.parts().valueTopic)
        .filter((m) => m.key === customer);
      expect(states.map((m) => (m.value as { data: { revenue: number } }).data.revenue)).toEqual(expect.arrayContaining([100, 150, 106]));
    });
    await expectEventually(() =>
      expect(latestState(race.parts().spy, race.parts().valueTopic, customer)).toMatchObject({ purchases: 3, revenue: 156 }),
    );
  });

  it('the re-scoring walk never leaves its older state after a live update that published while the walk published', async () => {
    const customer = `${run}-c2`;
    await second.update([purchaseInput(customer, 'o-10', 60)]);
    // The walk has read and scored the customer (60, its tier changes, so it publishes); right
    // before its publication a live purchase reads, publishes (160) and writes, its tier unchanged (C).
    walkPublisher.beforePublish = () => second.update([purchaseInput(customer, 'o-11', 100)]);
    const outcome = await walk.execute({ shouldStop: () => false });
    expect(outcome.customers).toBeGreaterThanOrEqual(2);
    expect(outcome.published).toBeGreaterThanOrEqual(1);
    // The page's transaction committed, so what it stored as published is no longer pending.
    expect(await race.parts().summaries.countDocuments({ pendingPublish: true })).toBe(0);
    // The interleaving happened: the live state went out, and so did the walk's older one.
    await expectEventually(() => {
      const states = race
        .parts()
        .spy.on(race.parts().valueTopic)
        .filter((m) => m.key === customer);
      const revenues = states.map((m) => (m.value as { data: { revenue: number } }).data.revenue);
      expect(revenues).toContain(160);
      expect(revenues.lastIndexOf(60)).toBeGreaterThan(0);
    });
    await expectEventually(() =>
      expect(latestState(race.parts().spy, race.parts().valueTopic, customer)).toMatchObject({ purchases: 2, revenue: 160 }),
    );
    // The live state re-asserted after the walk's is a publication of its own, not a second copy
    // of the live one under its id (issue 21: the short form's poison-message flake), and no
    // state is on the topic twice.
    const ids = race
      .parts()
      .spy.on(race.parts().valueTopic)
      .filter((m) => m.key === customer)
      .map((m) => (m.value as { id: string }).id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => id.includes(':w')).length).toBeGreaterThanOrEqual(2);
  });

  it('a walk stopped between its publication and its write leaves nothing of the page on the topic', async () => {
    const customer = `${run}-c3`;
    await second.update([purchaseInput(customer, 'o-20', 60)]);
    // As above, a live purchase publishes (160) while the walk publishes its older state (60);
    // then the walk's process dies before it can store the page and re-assert the live state.
    walkPublisher.beforePublish = () => second.update([purchaseInput(customer, 'o-21', 100)]);
    walkRepository.failNext = true;
    await expect(walk.execute({ shouldStop: () => false })).rejects.toThrow('killed between');

    // A later state of another customer is seen, and the spy has read every partition to its end
    // (the marker's key may be on another partition than the customer's, read on its own).
    const marker = `${run}-c3-marker`;
    await second.update([purchaseInput(marker, 'o-22', 5)]);
    await expectEventually(() => expect(latestState(race.parts().spy, race.parts().valueTopic, marker)).toMatchObject({ purchases: 1 }));
    await race.parts().spy.waitUntilCaughtUp();
    const states = race
      .parts()
      .spy.on(race.parts().valueTopic)
      .filter((m) => m.key === customer);
    expect(states.map((m) => (m.value as { id: string }).id).filter((id) => id.includes(':w'))).toEqual([]);
    expect(latestState(race.parts().spy, race.parts().valueTopic, customer)).toMatchObject({ purchases: 2, revenue: 160 });
    // The live write is what MongoDB holds; the walk wrote nothing of the page.
    const stored = await new PurchaseSummaryRepository(race.parts().summaries).findOne(customer);
    expect(stored).toMatchObject({ purchases: 2, revenue: 160 });
  });

  it('instances that take turns at the walk under one transactional id each complete theirs', async () => {
    const customer = `${run}-c4`;
    await second.update([purchaseInput(customer, 'o-30', 60)]);
    // Each walk's producer fences the previous holder of the id; one kept connected from its
    // last walk would find itself fenced at its next one.
    await expect(walk.execute({ shouldStop: () => false })).resolves.toMatchObject({ customers: expect.any(Number) });
    await expect(otherWalk.execute({ shouldStop: () => false })).resolves.toMatchObject({ customers: expect.any(Number) });
    await second.update([purchaseInput(customer, 'o-31', 500)]);
    const outcome = await walk.execute({ shouldStop: () => false });
    expect(outcome.published).toBeGreaterThanOrEqual(1);
    await expectEventually(() =>
      expect(latestState(race.parts().spy, race.parts().valueTopic, customer)).toMatchObject({ purchases: 2, revenue: 560 }),
    );
  });
});
