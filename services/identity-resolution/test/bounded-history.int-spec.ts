import { topics } from '@o2o/contracts';
import { RunningService, startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, TopicSpy, uniqueId } from '@o2o/testing';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { IdentityGraphRepository } from '../src/resolution/infrastructure/identity-graph.repository';
import { EventFeed, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);

/** Bounded customers: a customer's history keeps its most recent IDENTITY_HISTORY_KEPT entries. */
describe("a customer's history is bounded (real Kafka, MongoDB, Redis)", () => {
  let config: IdentityResolutionConfig;
  let service: RunningService;
  let spy: TopicSpy;
  let feed: EventFeed;
  let mongo: MongoClient;

  beforeAll(async () => {
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution', { IDENTITY_HISTORY_KEPT: '3' }));
    service = await startService(identityResolutionService, config, 0);
    await service.transport.whenJoined();
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [EVENTS]);
    feed = await EventFeed.start(config.KAFKA_BROKERS, topic(topics.ingestEvents.name));
    mongo = await MongoClient.connect(config.MONGO_URL);
  });

  afterAll(async () => {
    await feed?.stop();
    await spy?.stop();
    await service?.app.close();
    await mongo?.close();
  });

  it('keeps the most recent entries, counts and logs what falls out, and explain answers from what is kept', async () => {
    const userId = uniqueId('history-');
    const event = receivedEvent({ eventType: 'identify', userId, anonymousId: `${userId}-device` });
    await feed.send([{ event }]);
    const customerId = await expectEventually(() => resolvedCustomer(spy, EVENTS, event) ?? Promise.reject(new Error('not resolved yet')));
    const graph = service.app.get(IdentityGraphRepository);
    // Five review decisions on one customer: each adds an entry.
    for (let i = 1; i <= 5; i++) await graph.recordManualMerge(customerId, `${customerId}-other-${i}`, `decision ${i}`, 'review-accepted');

    const stored = await mongo
      .db(config.MONGO_DB)
      .collection<{ _id: string; history: Array<{ reason: string }> }>('customers')
      .findOne({ _id: customerId });
    expect(stored?.history.map((h) => h.reason)).toEqual(['decision 3', 'decision 4', 'decision 5']);

    const explained = await fetch(`${service.url}/v1/customers/${customerId}/explain`, { headers: await authHeader('operator') });
    expect(explained.status).toBe(200);
    const body = (await explained.json()) as { history: Array<{ reason: string }>; identifiers: Array<{ type: string; value: string }> };
    expect(body.history.map((h) => h.reason)).toEqual(['decision 3', 'decision 4', 'decision 5']);
    expect(body.identifiers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'userId', value: userId })]));

    const metrics = await (await fetch(`${service.managementUrl}/metrics`)).text();
    expect(metrics).toMatch(/^o2o_identity_history_trimmed_total(\{[^}]*\})? 2$/m);
  }, 120000);
});
