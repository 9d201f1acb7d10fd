import { expectEventually, uniqueId } from '@o2o/testing';
import { SummaryUpdater } from '../src/purchases/application/update-summaries/summary-updater';
import { PurchaseSummaryRepository } from '../src/purchases/infrastructure/purchase-summary.repository';
import { KafkaValueStatePublisher } from '../src/purchases/infrastructure/kafka-value-state.publisher';
import type { PurchaseSummary } from '../src/shared-kernel/domain';
import { SystemClock } from '../src/shared-kernel/infrastructure/system.clock';
import { latestState, purchaseInput, summaryRace } from './summary-race.helpers';

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
  const race = summaryRace(run, 'value-split-race');
  let interleaved: InterleavedRepository;
  let live: SummaryUpdater;
  let splitter: SummaryUpdater;

  beforeAll(() => {
    const publisher = new KafkaValueStatePublisher(race.publisher());
    const clock = new SystemClock();
    interleaved = new InterleavedRepository(race.parts().summaries);
    live = new SummaryUpdater(
      new PurchaseSummaryRepository(race.parts().summaries),
      race.parts().scorer,
      publisher,
      clock,
      race.parts().logger,
    );
    splitter = new SummaryUpdater(interleaved, race.parts().scorer, publisher, clock, race.parts().logger);
  });

  it('keeps the purchase written between the split’s read and its write, in the store and in the latest published state', async () => {
    const customer = `${run}-kept`;
    const other = `${run}-part`;
    // Two people merged into one customer: one order each.
    await live.update([purchaseInput(customer, 'o-1', 100, 'userId:anna'), purchaseInput(customer, 'o-2', 30, 'userId:bert')]);
    // The split reads the customer (2 orders); a live purchase of Anna's is then written (3 orders, revision 2).
    interleaved.afterFindOne = () => live.update([purchaseInput(customer, 'o-3', 50, 'userId:anna')]);
    const changed = await interleaved.split('split-1', customer, [
      { customerId: customer, identifiers: ['userId:anna'] },
      { customerId: other, identifiers: ['userId:bert'] },
    ]);
    await splitter.update(
      changed.map((customerId) => ({
        customerId,
        followMerges: false,
        create: false,
        apply: () => undefined,
        cause: { trace: undefined, causationId: 'split-1', correlationId: undefined },
      })),
    );

    const repository = new PurchaseSummaryRepository(race.parts().summaries);
    // The interleaving happened: the live purchase was published with the revision the split did not read.
    await expectEventually(() => {
      const states = race
        .parts()
        .spy.on(race.parts().valueTopic)
        .filter((m) => m.key === customer);
      expect(states.map((m) => (m.value as { data: { revenue: number } }).data.revenue)).toContain(180);
    });
    expect(await repository.findOne(customer)).toMatchObject({ purchases: 2, revenue: 150 });
    expect(await repository.findOne(other)).toMatchObject({ purchases: 1, revenue: 30 });
    await expectEventually(() =>
      expect(latestState(race.parts().spy, race.parts().valueTopic, customer)).toMatchObject({ purchases: 2, revenue: 150 }),
    );
  });
});
