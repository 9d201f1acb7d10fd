import { topics } from '@o2o/contracts';
import { RunningService, startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { PlannedMerge, REMATCH_EVENT_PREFIX, REVIEW_ACCEPTED_RULE } from '../src/resolution/domain/identity-graph.model';
import { CustomerDocument } from '../src/resolution/application/ports/identity-graph.records';
import { IdentityGraphRepository } from '../src/resolution/infrastructure/identity-graph.repository';
import { GraphOutboxRelay } from '../src/resolution/interface/graph-outbox.relay';
import { changes, EventFeed, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const CHANGES = topic(topics.identityChanges.name);
/** Past the relay's grace: what it finds then was left behind by its writer. */
const later = () => new Date(Date.now() + 60000);

/**
 * The outbox of the graph changes made over HTTP (an operator's split, a reviewer's merge): a
 * change written whose event never reached Kafka (the process crashed, or Kafka was away, between
 * the two) is published by the relay, once.
 */
describe('graph changes outbox (identity-resolution, real Kafka, MongoDB, Redis)', () => {
  let config: IdentityResolutionConfig;
  let service: RunningService;
  let spy: TopicSpy;
  let feed: EventFeed;
  let mongo: MongoClient;
  let graph: IdentityGraphRepository;
  let relay: GraphOutboxRelay;

  beforeAll(async () => {
    // The relay is run by hand below (no schedule).
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution-graph-outbox', { GRAPH_OUTBOX_RELAY_MS: '0' }));
    service = await startService(identityResolutionService, config, 0);
    await service.transport.whenJoined();
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [EVENTS, CHANGES]);
    feed = await EventFeed.start(config.KAFKA_BROKERS, topic(topics.ingestEvents.name));
    mongo = await MongoClient.connect(config.MONGO_URL);
    graph = service.app.get(IdentityGraphRepository);
    relay = service.app.get(GraphOutboxRelay);
  });

  afterAll(async () => {
    await feed?.stop();
    await spy?.stop();
    await service?.app.close();
    await mongo?.close();
  });

  const customers = () => mongo.db(config.MONGO_DB).collection<CustomerDocument>('customers');

  /** Two customers, the younger merged into the older by a shared device: [survivor, merged]. */
  async function mergedPair(): Promise<[string, string]> {
    const t = uniqueId('pair-');
    const ids: string[] = [];
    for (const event of [
      receivedEvent({
        eventType: 'identify',
        userId: `${t}-user`,
        traits: { email: `${t}@mail.org` },
        timestamp: '2024-01-01T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${t}-device`,
        traits: { loyaltyCard: `${t}-card` },
        timestamp: '2024-02-01T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${t}-device`,
        traits: { email: `${t}@mail.org` },
        timestamp: '2024-03-01T00:00:00.000Z',
      }),
    ]) {
      await feed.send([{ event }]);
      ids.push(
        await expectEventually(() => resolvedCustomer(spy, EVENTS, event) ?? Promise.reject(new Error(`${event.id} not resolved yet`))),
      );
    }
    const [survivorId = '', mergedId = '', joined = ''] = ids;
    expect(joined).toBe(survivorId);
    await expectEventually(async () => expect((await customers().findOne({ _id: mergedId }))?.mergeAnnounced).toBe(true));
    return [survivorId, mergedId];
  }

  const splitsOf = (customerId: string) =>
    changes(spy, CHANGES).filter((c) => c.type === 'customer.split' && c.data.customerId === customerId);

  it('publishes a split written before a crash, with the parts and their identifiers, once', async () => {
    const [survivorId, mergedId] = await mergedPair();
    const customer = await graph.currentCustomer(survivorId);
    if (customer === undefined) throw new Error('survivor not stored');
    // What the split handler writes before it publishes; the process died before the publish.
    const split = { id: `split:${survivorId}:${uniqueId()}`, partIds: [mergedId], reason: 'two people', at: new Date().toISOString() };
    await graph.detach(customer, [{ id: mergedId, subtree: [mergedId], members: [mergedId] }], split);
    expect((await customers().findOne({ _id: survivorId }))?.splitOutbox).toEqual([split]);

    // Left to its writer within the grace.
    expect(await relay.relay()).toBe(0);
    expect(await relay.relay(later())).toBe(1);
    const published = await expectEventually(
      () =>
        spy.on(CHANGES).find((m) => (m.value as { id: string }).id === split.id) ?? Promise.reject(new Error('split not published yet')),
    );
    expect(published.key).toBe(survivorId);
    expect(published.value).toMatchObject({
      type: 'customer.split',
      data: {
        customerId: survivorId,
        reason: 'two people',
        parts: [
          { customerId: survivorId, identifiers: expect.arrayContaining([{ type: 'userId', value: expect.any(String) }]) },
          { customerId: mergedId, identifiers: expect.arrayContaining([{ type: 'loyaltyCard', value: expect.any(String) }]) },
        ],
      },
    });
    expect((await customers().findOne({ _id: survivorId }))?.splitOutbox).toEqual([]);
    // Published: the next pass has nothing, and the topic holds the split once.
    expect(await relay.relay(later())).toBe(0);
    await spy.waitUntilCaughtUp([CHANGES]);
    expect(splitsOf(survivorId)).toHaveLength(1);
  }, 120000);

  it('a split over HTTP publishes itself and leaves nothing for the relay', async () => {
    const [survivorId] = await mergedPair();
    const response = await fetch(`${service.url}/v1/customers/${survivorId}/split`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader('operator')) },
      body: JSON.stringify({ reason: 'two people' }),
    });
    expect(response.status).toBe(200);
    await expectEventually(() => expect(splitsOf(survivorId)).toHaveLength(1));
    expect((await customers().findOne({ _id: survivorId }))?.splitOutbox).toEqual([]);
    expect(await relay.relay(later())).toBe(0);
    await spy.waitUntilCaughtUp([CHANGES]);
    expect(splitsOf(survivorId)).toHaveLength(1);
  }, 120000);

  it("publishes a reviewer's merge written before a crash, once", async () => {
    const t = uniqueId('review-');
    const ids: string[] = [];
    for (const event of [
      receivedEvent({ eventType: 'identify', userId: `${t}-a` }),
      receivedEvent({ eventType: 'identify', userId: `${t}-b` }),
    ]) {
      await feed.send([{ event }]);
      ids.push(
        await expectEventually(() => resolvedCustomer(spy, EVENTS, event) ?? Promise.reject(new Error(`${event.id} not resolved yet`))),
      );
    }
    const [survivorId = '', mergedId = ''] = ids;
    const merge: PlannedMerge = {
      survivorId,
      mergedId,
      reason: 'review accepted (probabilistic): test',
      evidence: [],
      link: { rule: REVIEW_ACCEPTED_RULE, eventId: `ev-${t}`, at: new Date().toISOString() },
      members: [mergedId],
      separatedFrom: [],
    };
    // What accepting a review writes before it publishes; the process died before the publish.
    await graph.applyMerges([merge]);
    await graph.recordManualMerge(survivorId, mergedId, merge.reason, 'review-accepted');

    expect(await relay.relay(later())).toBe(1);
    const mergeId = `merge:${mergedId}:${survivorId}:reviewed:${merge.link.at}`;
    const published = await expectEventually(
      () => spy.on(CHANGES).find((m) => (m.value as { id: string }).id === mergeId) ?? Promise.reject(new Error('merge not published yet')),
    );
    expect(published.value).toMatchObject({ type: 'customer.merged', data: { survivorId, mergedId } });
    expect((await customers().findOne({ _id: mergedId }))?.mergeAnnounced).toBe(true);
    expect(await relay.relay(later())).toBe(0);
    await spy.waitUntilCaughtUp([CHANGES]);
    expect(spy.on(CHANGES).filter((m) => (m.value as { id: string }).id === mergeId)).toHaveLength(1);
  }, 120000);

  it("publishes a training run's merge written before a crash, once, and leaves a batch's own merges to the batch", async () => {
    const t = uniqueId('rematch-');
    const ids: string[] = [];
    for (const event of [
      receivedEvent({ eventType: 'identify', userId: `${t}-a` }),
      receivedEvent({ eventType: 'identify', userId: `${t}-b` }),
      receivedEvent({ eventType: 'identify', userId: `${t}-c` }),
    ]) {
      await feed.send([{ event }]);
      ids.push(
        await expectEventually(() => resolvedCustomer(spy, EVENTS, event) ?? Promise.reject(new Error(`${event.id} not resolved yet`))),
      );
    }
    const [survivorId = '', mergedId = '', batchMergedId = ''] = ids;
    const merged = (id: string, eventId: string): PlannedMerge => ({
      survivorId,
      mergedId: id,
      reason: 'probabilistic match: test',
      evidence: [],
      link: { rule: 'probabilistic:fellegi-sunter', eventId, at: new Date().toISOString(), score: 9 },
      members: [id],
      separatedFrom: [],
    });
    // What a training run's re-matching writes before it publishes; the process died before the publish.
    // The other merge is a batch's (an ingested event's id): its redelivery publishes it, not the relay.
    await graph.applyMerges([merged(mergedId, `${REMATCH_EVENT_PREFIX}v-test:record-1`), merged(batchMergedId, `ev-${t}`)]);

    expect(await relay.relay()).toBe(0);
    expect(await relay.relay(later())).toBe(1);
    const mergeId = `merge:${mergedId}:${survivorId}`;
    const published = await expectEventually(
      () => spy.on(CHANGES).find((m) => (m.value as { id: string }).id === mergeId) ?? Promise.reject(new Error('merge not published yet')),
    );
    expect(published.value).toMatchObject({ type: 'customer.merged', data: { survivorId, mergedId } });
    expect((await customers().findOne({ _id: mergedId }))?.mergeAnnounced).toBe(true);
    expect((await customers().findOne({ _id: batchMergedId }))?.mergeAnnounced).toBe(false);
    expect(await relay.relay(later())).toBe(0);
    await spy.waitUntilCaughtUp([CHANGES]);
    expect(spy.on(CHANGES).filter((m) => (m.value as { id: string }).id === mergeId)).toHaveLength(1);
  }, 120000);
});
