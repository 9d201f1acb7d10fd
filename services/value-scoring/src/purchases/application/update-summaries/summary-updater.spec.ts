import { propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { APPLIED_EVENTS_KEPT, loadWithSurvivors } from '@o2o/mongo';
import { createLogger } from '@o2o/observability';
import { readCopies } from '@o2o/testing';
import { loadValueScoringConfig } from '../../../config/value-scoring.config';
import { Clock } from '../../../shared-kernel/application/clock';
import { emptySummary, PurchaseSummary } from '../../../shared-kernel/domain';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import { CostModels, ValueModels } from '../../../valuation/application/ports/valuation-inputs.port';
import { cdnowModel } from '../../../valuation/domain/cdnow-model.fixture';
import { interimModel, interimTierCutoffs } from '../../../valuation/domain/customer-valuation';
import type { CostModel } from '../../../valuation/domain/cost-model';
import { defaultCostModel } from '../../../costs/application/cost-model.registry';
import { EventChange, applyEvents } from '../../domain/summary-update';
import { LoadedSummaries, SummaryWrite } from '../ports/purchase-summaries.port';
import { RefusingSummaries } from '../ports/purchase-summaries.test-helper';
import { ValueStateBatch, ValueStatePublisher } from '../ports/value-state.publisher';
import { SummaryInput, SummaryUpdater } from './summary-updater';

/** Summaries in memory with the port's contract: conditional on revision, round trips counted. Only what the updater calls is kept. */
class MemorySummaries extends RefusingSummaries {
  readonly docs = new Map<string, PurchaseSummary>();
  loads = 0;
  saves: SummaryWrite[][] = [];
  /** Runs before the next save's writes are applied: a concurrent writer. */
  beforeSave: (() => void) | undefined;

  override async loadResolving(ids: readonly string[]): Promise<LoadedSummaries> {
    this.loads++;
    return loadWithSurvivors(ids, readCopies(this.docs));
  }

  override async save(writes: readonly SummaryWrite[]): Promise<Set<string>> {
    this.saves.push([...writes]);
    const race = this.beforeSave;
    this.beforeSave = undefined;
    race?.();
    const lost = new Set<string>();
    for (const w of writes) {
      const current = this.docs.get(w.customerId) ?? emptySummary(w.customerId);
      if (current.revision !== (w.expectedRevision ?? 0)) {
        lost.add(w.customerId);
        continue;
      }
      const next: PurchaseSummary = Object.assign(structuredClone(current), w.set);
      for (const field of w.unset) Reflect.deleteProperty(next, field);
      this.docs.set(w.customerId, next);
    }
    return lost;
  }

  /** Whether confirmations are applied: off, a crash between the write and the transaction's commit. */
  confirming = true;

  override async confirmPublished(published: ReadonlyArray<{ customerId: string; revision: number }>): Promise<void> {
    if (!this.confirming) return;
    for (const p of published) {
      const doc = this.docs.get(p.customerId);
      if (doc && doc.revision === p.revision) {
        delete doc.pendingPublish;
        delete doc.pendingCause;
      }
    }
  }
}

class RecordingPublisher implements ValueStatePublisher {
  readonly calls: ValueStateBatch[] = [];
  async publish(batch: ValueStateBatch): Promise<void> {
    this.calls.push(batch);
  }
}

/** The interim model and no walk yet: what a fresh service scores with. */
const interim: ValueModels = {
  model: () => interimModel,
  tierCutoffs: () => ({ cutoffs: interimTierCutoffs, fromWalk: false }),
  peerLevel: () => undefined,
};

const clock: Clock = { now: () => new Date() };

// Costs free (no contact events here): these cases are about races and merges, and publish on revenue moves alone.
const config = loadValueScoringConfig({
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  REDIS_URL: 'redis://127.0.0.1:6379',
  COST_PER_ORDER: '0',
  COST_PER_RETURN: '0',
  COST_PER_SERVICE_CALL: '0',
  COST_PER_CONTACT_DEFAULT: '0',
  COST_PER_CUSTOMER_YEAR: '0',
});

const freeCosts: CostModel = defaultCostModel(config);
const free: CostModels = { model: () => freeCosts };

/** A fitted model: what scores once the model job has run. */
const fitted: ValueModels = {
  model: () => cdnowModel,
  tierCutoffs: () => ({ cutoffs: interimTierCutoffs, fromWalk: false }),
  peerLevel: () => undefined,
};

function setup(models: ValueModels = interim) {
  const repository = new MemorySummaries();
  const publisher = new RecordingPublisher();
  const logged: string[] = [];
  const logger = createLogger({
    service: 'summary-updater-spec',
    level: 'warn',
    destination: { write: (line: string) => logged.push(line) },
  });
  const updater = new SummaryUpdater(repository, new CustomerScorer(models, free, config), publisher, clock, logger);
  return { repository, publisher, updater, logged };
}

const day = (d: number) => new Date(Date.UTC(2025, 0, d));

function purchase(customerId: string, eventId: string, amount: number, correlationId = `m-${eventId}`): SummaryInput {
  const change: EventChange = {
    eventId,
    origin: customerId,
    seenAt: day(1),
    purchase: {
      sourceId: 'web-shop',
      orderId: `o-${eventId}`,
      kind: 'purchase',
      at: day(1),
      amount,
      categories: ['shoes'],
      channel: 'web',
      identifiers: [],
    },
  };
  return {
    customerId,
    followMerges: true,
    create: true,
    apply: (summary) => applyEvents(summary, [change], APPLIED_EVENTS_KEPT),
    cause: { trace: ROOT_CONTEXT, causationId: eventId, correlationId },
  };
}

const published = (publisher: RecordingPublisher) => publisher.calls.flatMap((batch) => batch.events);

describe('SummaryUpdater', () => {
  it('writes one state per customer for a batch, with one read, one publication and one save', async () => {
    const { repository, publisher, updater } = setup();

    await updater.update([purchase('cus_a', 'e1', 10), purchase('cus_b', 'e2', 20), purchase('cus_a', 'e3', 30)]);

    expect(repository.loads).toBe(1);
    expect(repository.saves).toHaveLength(1);
    expect(repository.saves[0]?.map((w) => w.customerId).sort()).toEqual(['cus_a', 'cus_b']);
    expect(publisher.calls).toHaveLength(1);
    expect(repository.docs.get('cus_a')).toMatchObject({
      revenue: 40,
      purchases: 2,
      revision: 1,
      scoredRevision: 1,
      appliedEvents: ['e1', 'e3'],
    });
    expect(repository.docs.get('cus_b')).toMatchObject({ revenue: 20, revision: 1, scoredRevision: 1 });
    // The published state carries the ids of the event that last changed it.
    const a = published(publisher).find((e) => e.key === 'cus_a');
    expect(a?.event).toMatchObject({ correlationid: 'm-e3', causationid: 'e3', data: { revenue: 40, purchases: 2 } });
  });

  it('publishes every order, also one that leaves the value where it was', async () => {
    // Under a fitted model a second order on the day of the first changes neither the repeat
    // purchase days nor their mean spend, so the value stays: the purchase count moved all the same.
    const { publisher, updater } = setup(fitted);
    await updater.update([purchase('cus_a', 'e1', 30)]);
    await updater.update([purchase('cus_a', 'e2', 30)]);

    const states = published(publisher).map((e) => e.event.data as { purchases: number; revenue: number; actualValue: number });
    expect(states.map((s) => [s.purchases, s.revenue])).toEqual([
      [1, 30],
      [2, 60],
    ]);
    expect(states[1]?.actualValue).toBe(states[0]?.actualValue);
  });

  it('writes only the fields an input changed, and the stored state ends as if it had written them all', async () => {
    const { repository, updater } = setup();
    await updater.update([purchase('cus_a', 'e1', 10)]);
    const view = (eventId: string): SummaryInput => {
      const change: EventChange = { eventId, origin: 'cus_a', seenAt: day(2), purchase: null };
      return {
        customerId: 'cus_a',
        followMerges: true,
        create: true,
        apply: (summary) => applyEvents(summary, [change], APPLIED_EVENTS_KEPT),
        cause: { trace: ROOT_CONTEXT, causationId: eventId, correlationId: `m-${eventId}` },
      };
    };

    await updater.update([view('e2')]);

    const write = repository.saves.at(-1)?.[0];
    // A view adds its event id; the order lines, channels and categories are not sent again.
    expect(write?.set['appliedEvents']).toEqual(['e1', 'e2']);
    for (const field of ['orders', 'channels', 'categories', 'purchases', 'revenue', 'firstSeenAt', 'lastPurchaseAt'])
      expect(write?.set).not.toHaveProperty(field);
    expect(write?.set).toHaveProperty('revision', 2);
    expect(repository.docs.get('cus_a')).toMatchObject({
      revision: 2,
      scoredRevision: 2,
      revenue: 10,
      purchases: 1,
      channels: ['web'],
      categories: ['shoes'],
      appliedEvents: ['e1', 'e2'],
    });
    expect(repository.docs.get('cus_a')?.orders.map((o) => o.orderId)).toEqual(['o-e1']);

    // A purchase after it sends the lines (all of them) again.
    await updater.update([purchase('cus_a', 'e3', 5)]);
    expect((repository.saves.at(-1)?.[0]?.set['orders'] as Array<{ orderId: string }>).map((o) => o.orderId)).toEqual(['o-e1', 'o-e3']);
    expect(repository.docs.get('cus_a')).toMatchObject({ revenue: 15, purchases: 2, revision: 3 });
  });

  it('writes every field of a summary it creates', async () => {
    const { repository, updater } = setup();
    await updater.update([purchase('cus_new', 'e1', 10)]);
    const write = repository.saves.at(-1)?.[0];
    expect(write?.expectedRevision).toBeUndefined();
    expect(write?.set).toMatchObject({ purchases: 1, revenue: 10, channels: ['web'], categories: ['shoes'], appliedEvents: ['e1'] });
    expect(write?.set['orders']).toHaveLength(1);
  });

  it('changes, scores and publishes nothing on a redelivery', async () => {
    const { repository, publisher, updater } = setup();
    await updater.update([purchase('cus_a', 'e1', 10), purchase('cus_a', 'e2', 5)]);
    const before = structuredClone(repository.docs.get('cus_a'));

    await updater.update([purchase('cus_a', 'e1', 10), purchase('cus_a', 'e2', 5)]);

    expect(repository.saves.at(-1)).toEqual([]);
    expect(published(publisher)).toHaveLength(1);
    expect(repository.docs.get('cus_a')).toEqual(before);
  });

  it('publishes a state again on redelivery when the transaction it went out in never committed, and only then', async () => {
    const { repository, publisher, updater } = setup();
    // Killed after the write, before the commit: the event was in a transaction the broker aborted.
    repository.confirming = false;
    await updater.update([purchase('cus_a', 'e1', 10)]);
    expect(repository.docs.get('cus_a')).toMatchObject({ revision: 1, pendingPublish: true });
    const first = published(publisher)[0];

    repository.confirming = true;
    await updater.update([purchase('cus_a', 'e1', 10)]);

    const again = published(publisher);
    expect(again).toHaveLength(2);
    // Same state, same id: the aborted copy was never read, this one is the only one.
    expect(again[1]?.event.id).toBe(first?.event.id);
    expect(again[1]?.event.data).toMatchObject({ revenue: 10, purchases: 1 });
    expect(repository.docs.get('cus_a')?.pendingPublish).toBeUndefined();
    // Committed and confirmed: a further redelivery (a replay from offset 0) publishes nothing.
    await updater.update([purchase('cus_a', 'e1', 10)]);
    expect(published(publisher)).toHaveLength(2);
  });

  it('publishes a pending state again as its own cause, whatever input touched the customer next', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const { repository, publisher, updater } = setup();
      const traced = (traceId: string) =>
        trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
      const first = purchase('cus_a', 'e1', 10);
      repository.confirming = false;
      await updater.update([{ ...first, cause: { ...first.cause, trace: traced('4bf92f3577b34da6a3ce929d0e0e4736') } }]);
      expect(repository.docs.get('cus_a')?.pendingCause).toEqual({
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        causationId: 'e1',
        correlationId: 'm-e1',
      });

      // The next input for the customer changes nothing (a needs profile, a redelivery in another batch) and has a trace of its own.
      repository.confirming = true;
      await updater.update([
        {
          customerId: 'cus_a',
          followMerges: true,
          create: false,
          apply: () => undefined,
          cause: { trace: traced('0af7651916cd43dd8448eb211c80319c'), causationId: 'other', correlationId: 'm-other' },
        },
      ]);

      const again = published(publisher)[1];
      expect(again?.event).toMatchObject({ causationid: 'e1', correlationid: 'm-e1' });
      expect(again?.trace && trace.getSpanContext(again.trace)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(repository.docs.get('cus_a')?.pendingPublish).toBeUndefined();
    } finally {
      propagation.disable();
    }
  });

  it('re-asserts a state under the id of the cause that asks for it (the walk overtaken), not the live one, and says so', async () => {
    const { repository, publisher, updater, logged } = setup();
    // The live path's state, its transaction still open (or committed, its confirmation not yet run).
    repository.confirming = false;
    await updater.update([purchase('cus_a', 'e1', 10)]);
    const live = published(publisher)[0];
    repository.confirming = true;

    await updater.update([
      {
        customerId: 'cus_a',
        followMerges: false,
        create: false,
        republish: true,
        republishAs: 'm1:w7',
        apply: () => undefined,
        cause: { trace: undefined, causationId: undefined, correlationId: undefined },
      },
    ]);

    const again = published(publisher)[1];
    // The same state, under an id of its own: under the live id it would be skipped as
    // acknowledged, or be a second copy of what the live transaction commits.
    expect(again?.event.data).toMatchObject({ revenue: 10, purchases: 1 });
    expect(again?.event.id.split(':').at(-1)).toBe(live?.event.id.split(':').at(-1));
    expect(again?.event.id).not.toBe(live?.event.id);
    expect(again?.event.id).toContain(':m1:w7:');
    expect(repository.docs.get('cus_a')?.pendingPublish).toBeUndefined();
    const line = logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['customerId'] === 'cus_a');
    expect(line).toMatchObject({ msg: 'value state still pending publication published again', eventId: again?.event.id, revision: 1 });
  });

  it('re-reads and re-applies a write that lost a race, keeping the other writer’s change', async () => {
    const { repository, publisher, updater } = setup();
    await updater.update([purchase('cus_a', 'e1', 10)]);
    // Another instance applies e9 between this batch's read and its write.
    repository.beforeSave = () => {
      const doc = repository.docs.get('cus_a');
      if (!doc) throw new Error('missing');
      repository.docs.set('cus_a', {
        ...doc,
        ...applyEvents(doc, [{ eventId: 'e9', origin: 'cus_a', seenAt: day(2), purchase: null }], APPLIED_EVENTS_KEPT),
        revision: doc.revision + 1,
      });
    };

    await updater.update([purchase('cus_a', 'e2', 5)]);

    expect(repository.saves).toHaveLength(3);
    expect(repository.docs.get('cus_a')).toMatchObject({ revenue: 15, purchases: 2, appliedEvents: ['e1', 'e9', 'e2'], revision: 3 });
    expect(published(publisher).at(-1)?.event.data).toMatchObject({ revenue: 15 });
  });

  it('counts events of a merged-away id for the survivor', async () => {
    const { repository, updater } = setup();
    await updater.update([purchase('cus_a', 'e1', 10)]);
    repository.docs.set('cus_b', {
      _id: 'cus_b',
      orders: [],
      purchases: 0,
      revenue: 0,
      channels: [],
      categories: [],
      appliedEvents: [],
      revision: 4,
      mergedInto: 'cus_a',
    });

    await updater.update([purchase('cus_b', 'e2', 5)]);

    expect(repository.docs.get('cus_a')).toMatchObject({ revenue: 15, purchases: 2 });
    expect(repository.docs.get('cus_b')).toMatchObject({ revenue: 0, revision: 4 });
  });

  it('tombstones again a customer it published for that was merged away before its write', async () => {
    const { repository, publisher, updater } = setup();
    await updater.update([purchase('cus_b', 'e1', 10)]);
    repository.beforeSave = () => {
      const doc = repository.docs.get('cus_b');
      if (!doc) throw new Error('missing');
      repository.docs.set('cus_a', {
        _id: 'cus_a',
        orders: doc.orders,
        purchases: 1,
        revenue: 10,
        channels: [],
        categories: [],
        appliedEvents: doc.appliedEvents,
        revision: 1,
      });
      repository.docs.set('cus_b', { ...doc, mergedInto: 'cus_a', revision: doc.revision + 1 });
    };

    await updater.update([purchase('cus_b', 'e2', 5)]);

    const retry = publisher.calls.at(-1);
    expect(retry?.tombstones?.map((t) => t.key)).toEqual(['cus_b']);
    expect(retry?.events.map((e) => e.key)).toEqual(['cus_a']);
    expect(repository.docs.get('cus_a')).toMatchObject({ revenue: 15 });
  });

  it('sends the tombstones it is given with the states, in one publication', async () => {
    const { publisher, updater } = setup();
    await updater.update([purchase('cus_a', 'e1', 10)], [{ key: 'cus_gone' }]);
    expect(publisher.calls).toHaveLength(1);
    expect(publisher.calls[0]?.tombstones?.map((t) => t.key)).toEqual(['cus_gone']);
    expect(publisher.calls[0]?.events.map((e) => e.key)).toEqual(['cus_a']);
  });

  it('gives two different states computed from the same revision different event ids', async () => {
    const first = setup();
    const second = setup();
    await first.updater.update([purchase('cus_a', 'e1', 10)]);
    await second.updater.update([purchase('cus_a', 'e2', 99)]);
    const [a] = published(first.publisher);
    const [b] = published(second.publisher);
    expect(first.repository.docs.get('cus_a')?.revision).toBe(second.repository.docs.get('cus_a')?.revision);
    expect(a?.event.id).toMatch(/^value:cus_a:r1:/);
    expect(a?.event.id).not.toBe(b?.event.id);
  });

  it('creates no summary for an input that may not create one', async () => {
    const { repository, publisher, updater } = setup();
    await updater.update([{ ...purchase('cus_x', 'e1', 10), create: false }]);
    expect(repository.docs.has('cus_x')).toBe(false);
    expect(published(publisher)).toHaveLength(0);
  });
});
