import { deadLetterTopicName, EventReceivedV1, topics } from '@o2o/contracts';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import { RunningService, startService } from '@o2o/runtime';
import {
  authHeader,
  expectEventually,
  generatePopulation,
  testEnvironment,
  TopicSpy,
  uniqueId,
  waitForConsumerGroups,
  waitForGroupAssignment,
} from '@o2o/testing';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { asSegmentEvent } from '../src/resolution/application/resolve-events/resolve-events.handler';
import { BatchResolver, GraphState } from '../src/resolution/domain/batch-resolver';
import { changes, EventFeed, receivedEvent, resolveEventsInOrder, resolvedCustomer, survivorOf } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const CHANGES = topic(topics.identityChanges.name);
const SNAPSHOTS = topic(topics.identitySnapshots.name);
const DLQ = topic(deadLetterTopicName('identity-resolution'));

interface Explanation {
  customerId: string;
  requestedId?: string;
  identifiers: Array<{
    type: string;
    value: string;
    originCustomerId: string;
    evidence: { rule: string; eventId: string; score?: number };
  }>;
  merges: Array<{ mergedId: string; survivorId: string; reason: string; evidence: Array<{ type: string; value: string }> }>;
}
interface ReviewItem {
  id: string;
  kind: string;
  customerIds: string[];
  reason: string;
}

describe('identity resolution (real Kafka, MongoDB, Redis)', () => {
  let config: IdentityResolutionConfig;
  let service: RunningService;
  let spy: TopicSpy;
  let feed: EventFeed;
  let mongo: MongoClient;
  let redis: Redis;

  beforeAll(async () => {
    startTelemetry({ serviceName: 'identity-resolution-test' });
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution', { OVER_MERGE_MAX_CLUSTER_SIZE: '3' }));
    service = await startService(identityResolutionService, config, 0);
    await service.transport.whenJoined();
    spy = await TopicSpy.start(config.KAFKA_BROKERS, [EVENTS, CHANGES, SNAPSHOTS, DLQ]);
    feed = await EventFeed.start(config.KAFKA_BROKERS, topic(topics.ingestEvents.name));
    mongo = await MongoClient.connect(config.MONGO_URL);
    redis = new Redis(config.REDIS_URL);
  });

  afterAll(async () => {
    await feed?.stop();
    await spy?.stop();
    await service?.app.close();
    await mongo?.close();
    redis?.disconnect();
    await stopTelemetry();
  });

  // Lookups as an agent, everything else (explain, review, split, matching) as an operator: real tokens.
  const roleFor = (path: string) => (path.startsWith('/v1/identities/') ? 'agent' : 'operator');
  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${service.url}${path}`, { headers: await authHeader(roleFor(path)) });
    return { status: response.status, body: (await response.json()) as T };
  };
  const post = async <T>(path: string, body: unknown = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeader(roleFor(path))) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  const resolveInOrder = (...events: EventReceivedV1[]) => resolveEventsInOrder(feed, spy, EVENTS, events);

  it('resolves an event, publishes it keyed by customer with trace and correlation id, and serves lookups from Redis', async () => {
    const userId = uniqueId('ada-');
    const event = receivedEvent({ eventType: 'identify', userId, traits: { email: ` ${userId}.L@Mail.org `, phone: '0412 345 999' } });
    const [customerId] = await resolveInOrder(event);
    const published = spy.on(EVENTS).find((m) => (m.value as { id: string }).id === event.id);
    expect(published?.key).toBe(customerId);
    expect(published?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(published?.value).toMatchObject({
      correlationid: event.correlationid,
      causationid: event.id,
      data: { customerId, identifiers: expect.arrayContaining([{ type: 'email', value: `${userId}.l@mail.org` }]) },
    });
    // The customer's snapshot continues the event's trace and correlation: what it changes downstream
    // (a segment entry) stays in the trace of the request that caused it.
    const snapshot = await expectEventually(() => {
      const found = spy.on(SNAPSHOTS).find((m) => m.key === customerId);
      if (!found) throw new Error('no snapshot yet');
      return found;
    });
    const traceOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
    expect(traceOf(snapshot.headers['traceparent'])).toBe(traceOf(published?.headers['traceparent']));
    expect(snapshot.value).toMatchObject({ correlationid: event.correlationid, causationid: event.id });

    const lookup = await get<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>(
      `/v1/identities/email/${encodeURIComponent(`${userId.toUpperCase()}.L@MAIL.ORG`)}`,
    );
    expect(lookup.status).toBe(200);
    expect(lookup.body.customerId).toBe(customerId);
    expect(lookup.body.identifiers).toEqual(
      expect.arrayContaining([
        { type: 'userId', value: userId },
        { type: 'phone', value: '+61412345999' },
      ]),
    );
    expect(JSON.parse((await redis.get(`${run}:idr:i:email:${userId}.l@mail.org`)) ?? '{}')).toMatchObject({ customerId });
    // Any spelling of the number finds the customer; a value that is no phone number is refused.
    expect((await get<{ customerId: string }>(`/v1/identities/phone/${encodeURIComponent('(04) 1234 5999')}`)).body.customerId).toBe(
      customerId,
    );
    expect((await get('/v1/identities/phone/not-a-number')).status).toBe(400);
    expect((await get('/v1/identities/email/nobody%40mail.org')).status).toBe(404);
    expect((await get('/v1/identities/shoeSize/42')).status).toBe(404);
  });

  it('answers repeated lookups from memory with the same document, and never serves it stale after a merge', async () => {
    const t = uniqueId('fast-');
    const [older, younger] = await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        userId: `${t}-user`,
        traits: { email: `${t}@demo-mail.net` },
        timestamp: '2024-01-01T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${t}-device`,
        traits: { loyaltyCard: `${t}-card` },
        timestamp: '2024-02-01T00:00:00.000Z',
      }),
    );
    const path = `/v1/identities/loyaltyCard/${t}-card`;
    const fetchRaw = async (headers: Record<string, string> | undefined = undefined) => {
      const response = await fetch(`${service.url}${path}`, { headers: headers ?? (await authHeader('agent')) });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    };
    const first = await fetchRaw();
    expect(first).toMatchObject({ status: 200, type: 'application/json; charset=utf-8' });
    expect(JSON.parse(first.text)).toMatchObject({ customerId: younger });
    // Later answers come from this process's memory: the same document, byte for byte.
    expect(await fetchRaw()).toEqual(first);
    // ...but only to a caller with the scope: the memory answer comes after the credential check.
    expect((await fetchRaw({})).status).toBe(401);
    expect((await fetchRaw(await authHeader('marketer'))).status).toBe(403);
    expect(await fetchRaw()).toEqual(first);
    // The card shows up with the e-mail of the older customer: one customer now, and the lookup
    // follows as soon as the rewritten Redis entry is pushed as an invalidation.
    await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${t}-kiosk`,
        traits: { email: `${t}@demo-mail.net`, loyaltyCard: `${t}-card` },
        timestamp: '2024-03-01T00:00:00.000Z',
      }),
    );
    await expectEventually(async () => expect(JSON.parse((await fetchRaw()).text)).toMatchObject({ customerId: older }));
  });

  it('dead-letters an event without a usable identifier, with the reason', async () => {
    const event = receivedEvent({ eventType: 'track', event: 'X', anonymousId: 'anonymous' });
    await feed.send([{ event }]);
    const letter = await expectEventually(() => {
      const found = spy.on(DLQ).find((m) => (m.value as { id: string }).id === event.id);
      if (!found) throw new Error('not dead-lettered yet');
      return found;
    });
    expect(letter.headers['dlq-reason']).toBe('unresolvable');
  });

  let survivorId = '';
  let mergedId = '';
  const tag = uniqueId('m-');
  const device = `${tag}-device`;
  const card = `${tag.toUpperCase().replace(/-/g, '')}CARD`;

  it('merges two customers into the oldest, with reason and evidence, and resolves later events to the survivor', async () => {
    const [first, second, linked, later] = await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        userId: `${tag}-user`,
        traits: { email: `${tag}@mail.org` },
        timestamp: '2024-01-01T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: device,
        traits: { loyaltyCard: `${tag}-card` },
        timestamp: '2024-02-01T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: device,
        traits: { email: `${tag}@mail.org` },
        timestamp: '2024-03-01T00:00:00.000Z',
      }),
      receivedEvent({ eventType: 'track', event: 'Product Viewed', anonymousId: device, timestamp: '2024-04-01T00:00:00.000Z' }),
    );
    survivorId = first ?? '';
    mergedId = second ?? '';
    expect(survivorId).not.toBe(mergedId);
    expect(linked).toBe(survivorId);
    expect(later).toBe(survivorId);
    const merge = changes(spy, CHANGES).find((c) => c.type === 'customer.merged' && c.data.mergedId === mergedId);
    expect(merge?.data).toMatchObject({
      survivorId,
      mergedId,
      reason: expect.stringContaining('deterministic'),
      evidence: [{ type: 'anonymousId', value: device }],
    });
    await expectEventually(() => expect(spy.on(SNAPSHOTS).some((m) => m.key === mergedId && m.value === null)).toBe(true));
    expect((await get<{ customerId: string }>(`/v1/identities/loyaltyCard/${tag}-card`)).body.customerId).toBe(survivorId);

    const explained = await get<Explanation>(`/v1/customers/${survivorId}/explain`);
    expect(explained.status).toBe(200);
    expect(explained.body.identifiers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'loyaltyCard',
          value: card,
          originCustomerId: mergedId,
          evidence: expect.objectContaining({ rule: 'deterministic:first-seen' }),
        }),
        expect.objectContaining({ type: 'email', value: `${tag}@mail.org`, originCustomerId: survivorId }),
      ]),
    );
    expect(explained.body.merges).toEqual([
      expect.objectContaining({ mergedId, survivorId, evidence: [{ type: 'anonymousId', value: device }] }),
    ]);
    expect((await get<Explanation>(`/v1/customers/${mergedId}/explain`)).body).toMatchObject({
      customerId: survivorId,
      requestedId: mergedId,
    });
  });

  it('splits a wrongly merged customer back apart from the stored evidence, and keeps it apart until a person agrees', async () => {
    const split = await post<{ parts: Array<{ customerId: string; identifiers: Array<{ type: string; value: string }> }> }>(
      `/v1/customers/${survivorId}/split`,
      { reason: 'two people' },
    );
    expect(split.status).toBe(200);
    expect(split.body.parts.map((p) => p.customerId)).toEqual([survivorId, mergedId]);
    expect(split.body.parts[1]?.identifiers).toEqual(
      expect.arrayContaining([
        { type: 'anonymousId', value: device },
        { type: 'loyaltyCard', value: card },
      ]),
    );
    await expectEventually(() => {
      const published = changes(spy, CHANGES).find((c) => c.type === 'customer.split' && c.data.customerId === survivorId);
      expect(published?.data.parts).toHaveLength(2);
      expect(spy.on(SNAPSHOTS).filter((m) => m.key === mergedId && m.value !== null).length).toBeGreaterThan(0);
    });
    expect((await get<{ customerId: string }>(`/v1/identities/loyaltyCard/${tag}-card`)).body.customerId).toBe(mergedId);
    expect((await get<{ customerId: string }>(`/v1/identities/email/${tag}@mail.org`)).body.customerId).toBe(survivorId);
    expect((await post(`/v1/customers/${mergedId}/split`)).status).toBe(409);

    // The same evidence again does not undo the person's decision: it waits for review.
    const [again] = await resolveInOrder(
      receivedEvent({ eventType: 'identify', anonymousId: device, traits: { email: `${tag}@mail.org` } }),
    );
    expect([survivorId, mergedId]).toContain(again);
    const queue = await get<{ items: ReviewItem[] }>(`/v1/review?customerId=${survivorId}`);
    const item = queue.body.items.find((i) => i.kind === 'split-separated');
    expect(item?.customerIds).toEqual([survivorId, mergedId]);
    expect(changes(spy, CHANGES).filter((c) => c.type === 'customer.merged' && c.data.mergedId === mergedId)).toHaveLength(1);

    const accepted = await post<{ customerId: string }>(`/v1/review/${item?.id ?? ''}/accept`, { note: 'same person after all' });
    expect(accepted.body.customerId).toBe(survivorId);
    await expectEventually(() =>
      expect(changes(spy, CHANGES).filter((c) => c.type === 'customer.merged' && c.data.mergedId === mergedId)).toHaveLength(2),
    );
    expect((await get<{ customerId: string }>(`/v1/identities/loyaltyCard/${tag}-card`)).body.customerId).toBe(survivorId);
    expect((await post(`/v1/review/${item?.id ?? ''}/reject`)).status).toBe(409);
  });

  it('holds a merge past the cluster size cap for review instead of merging', async () => {
    const g = uniqueId('g-');
    const ids = await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${g}-1`,
        traits: { email: `${g}@mail.org` },
        timestamp: '2024-01-01T00:00:00.000Z',
      }),
      receivedEvent({ eventType: 'identify', anonymousId: `${g}-2`, traits: { crmId: `${g}-crm` }, timestamp: '2024-01-02T00:00:00.000Z' }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${g}-3`,
        traits: { loyaltyCard: `${g}-card` },
        timestamp: '2024-01-03T00:00:00.000Z',
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${g}-4`,
        traits: { nationalId: `${g}-nid` },
        timestamp: '2024-01-04T00:00:00.000Z',
      }),
      receivedEvent({ eventType: 'identify', anonymousId: `${g}-5`, traits: { email: `${g}@mail.org`, crmId: `${g}-crm` } }),
      receivedEvent({ eventType: 'identify', anonymousId: `${g}-6`, traits: { email: `${g}@mail.org`, loyaltyCard: `${g}-card` } }),
      receivedEvent({ eventType: 'identify', anonymousId: `${g}-7`, traits: { email: `${g}@mail.org`, nationalId: `${g}-nid` } }),
    );
    const [first, , , fourth] = ids;
    expect(new Set(ids.slice(4))).toEqual(new Set([first]));
    const merges = changes(spy, CHANGES).filter((c) => c.type === 'customer.merged' && c.data.survivorId === first);
    expect(merges).toHaveLength(2);
    const queue = await get<{ items: ReviewItem[] }>(`/v1/review?customerId=${first ?? ''}`);
    expect(queue.body.items).toEqual([
      expect.objectContaining({ kind: 'over-merge-guard', customerIds: [first, fourth], reason: expect.stringContaining('size cap') }),
    ]);
    expect((await get<{ customerId: string }>(`/v1/identities/nationalId/${g}-nid`)).body.customerId).toBe(fourth);
  });

  it('links a trait-only record probabilistically, with the score as evidence, and keeps a lookalike apart', async () => {
    const p = uniqueId('p-');
    const surname = `Smithers${p.slice(2, 8).replace(/[0-9]/g, (d) => 'abcdefghij'.charAt(Number(d)))}`;
    const traits = {
      firstName: 'Jonathan',
      lastName: surname,
      birthday: '1984-03-07',
      phone: '0412 555 123',
      address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    };
    const [known, kiosk, lookalike] = await resolveInOrder(
      receivedEvent({ eventType: 'identify', userId: `${p}-user`, traits }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${p}-kiosk`,
        traits: { ...traits, firstName: 'Jon', birthday: '07/03/1984', phone: '+61 412 555 123' },
      }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${p}-other`,
        traits: { ...traits, firstName: 'Margaret', birthday: '1961-11-23', phone: undefined },
      }),
    );
    expect(kiosk).toBe(known);
    expect(lookalike).not.toBe(known);
    const explained = await get<Explanation>(`/v1/customers/${known ?? ''}/explain`);
    expect(explained.body.identifiers.find((i) => i.value === `${p}-kiosk`)?.evidence).toMatchObject({
      rule: 'probabilistic:fellegi-sunter',
      score: expect.any(Number),
    });
    expect((await post('/v1/matching/parameters/estimate')).status).toBe(422);
  });

  it('converges with two instances in one group, concurrent first events on different partitions, and redelivery', async () => {
    const second = await startService(identityResolutionService, config, 0);
    try {
      await second.transport.whenJoined();
      // Both instances own partitions before the race starts.
      await waitForGroupAssignment(config.KAFKA_BROKERS, `${run}.${config.KAFKA_GROUP_ID}`, 2);
      const people = Array.from({ length: 8 }, (_, i) => `${uniqueId('c-')}-${i}`);
      const sent = people.flatMap((person) => [
        {
          person,
          partition: 0,
          event: receivedEvent({
            eventType: 'identify',
            anonymousId: `${person}-dev`,
            traits: { email: `${person}@mail.org` },
            timestamp: '2024-05-01T00:00:00.000Z',
          }),
        },
        {
          person,
          partition: 1,
          event: receivedEvent({
            eventType: 'identify',
            userId: `${person}-user`,
            traits: { email: `${person}@mail.org` },
            timestamp: '2024-05-01T00:00:01.000Z',
          }),
        },
        {
          person,
          partition: 2,
          event: receivedEvent({
            eventType: 'identify',
            anonymousId: `${person}-dev`,
            traits: { crmId: `${person}-crm` },
            timestamp: '2024-05-01T00:00:02.000Z',
          }),
        },
      ]);
      await feed.send(sent);
      // Every event resolved, and each person's events under one survivor: the merge that settles
      // a race is announced on identity.changes, which the spy may see after the events.
      const settled = async () =>
        expectEventually(
          () => {
            const customers = sent.map(({ event }) => {
              const id = resolvedCustomer(spy, EVENTS, event);
              if (id === undefined) throw new Error(`${event.id} not resolved yet`);
              return survivorOf(spy, CHANGES, id);
            });
            const byPerson = new Map<string, Set<string>>();
            sent.forEach(({ person }, index) => byPerson.set(person, new Set([...(byPerson.get(person) ?? []), customers[index] ?? ''])));
            for (const [, ids] of byPerson) expect(ids.size).toBe(1);
            return { customers, byPerson };
          },
          { timeoutMs: 60000 },
        );
      const { customers, byPerson } = await settled();
      const raced = changes(spy, CHANGES).filter(
        (c) => c.type === 'customer.merged' && people.some((p) => JSON.stringify(c.data).includes(p)),
      ).length;
      process.stderr.write(`concurrency: ${raced} merge(s) among ${people.length} people whose first events raced\n`);
      expect(new Set([...byPerson.values()].map((ids) => [...ids][0])).size).toBe(people.length);

      // The stored graph groups identifiers exactly as one instance processing in order would.
      const db = mongo.db(config.MONGO_DB);
      const storedGrouping = async (): Promise<string[]> => {
        const compact = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
        const identifiers = await db.collection<{ _id: string; customerId: string }>('identifiers').find({}).toArray();
        const mine = identifiers.filter((d) => people.some((p) => compact(d._id).includes(compact(p))));
        const customersById = new Map(
          (await db.collection<{ _id: string; mergedInto?: string }>('customers').find({}).toArray()).map((c) => [c._id, c]),
        );
        const current = (id: string): string => {
          let cursor = id;
          for (let hop = 0; hop < 20; hop += 1) {
            const next = customersById.get(cursor)?.mergedInto;
            if (next === undefined) return cursor;
            cursor = next;
          }
          return cursor;
        };
        const groups = new Map<string, string[]>();
        for (const d of mine) groups.set(current(d.customerId), [...(groups.get(current(d.customerId)) ?? []), d._id]);
        return [...groups.values()].map((g) => g.sort().join(' ')).sort();
      };
      const state = new GraphState(new Map(), new Map(), [], new Map(), new Map());
      const plan = new BatchResolver(state, {
        rules: config.rules,
        guard: config.overMergeGuard,
        weakLinkTypes: new Set(config.IDENTITY_WEAK_LINK_TYPES),
        customerIdKey: config.PRIVACY_PSEUDONYM_KEY,
      }).resolve(sent.map(({ event }) => ({ id: event.id, time: event.data.timestamp, data: asSegmentEvent(event) })));
      const sequential = new Map<string, string[]>();
      for (const n of plan.newIdentifiers)
        sequential.set(state.current(n.customerId), [...(sequential.get(state.current(n.customerId)) ?? []), `${n.type}:${n.value}`]);
      const expected = [...sequential.values()].map((g) => g.sort().join(' ')).sort();
      expect(await storedGrouping()).toEqual(expected);

      for (const person of people.slice(0, 3)) {
        const owner = customers[sent.findIndex((s) => s.person === person)];
        for (const path of [`userId/${person}-user`, `anonymousId/${person}-dev`, `crmId/${person}-crm`]) {
          expect((await get<{ customerId: string }>(`/v1/identities/${path}`)).body.customerId).toBe(owner);
        }
      }

      // Redelivery: the same events again change nothing in the graph and publish no new merge.
      // Counted once the group committed all it was given and the spy read all that was written, so
      // a change of the first round still on its way is not taken for one of the redelivery.
      await waitForConsumerGroups(config.KAFKA_BROKERS, [`${run}.${config.KAFKA_GROUP_ID}`], { timeoutMs: 60000 });
      await spy.waitUntilCaughtUp();
      const mergesBefore = changes(spy, CHANGES).length;
      const customersBefore = await db.collection('customers').countDocuments();
      await feed.send(sent);
      // Handled once the group has committed past them (an instance that published an event
      // before leaves its copy out, so copies on the topic are no signal).
      await waitForConsumerGroups(config.KAFKA_BROKERS, [`${run}.${config.KAFKA_GROUP_ID}`], { timeoutMs: 60000 });
      await spy.waitUntilCaughtUp();
      for (const { event } of sent)
        expect(spy.on(EVENTS).filter((m) => (m.value as { id: string }).id === event.id).length).toBeGreaterThanOrEqual(1);
      expect(await db.collection('customers').countDocuments()).toBe(customersBefore);
      expect(changes(spy, CHANGES).length).toBe(mergesBefore);
      expect(await storedGrouping()).toEqual(expected);
      expect((await settled()).customers).toEqual(customers);
    } finally {
      await second.app.close();
    }
  }, 180000);
  it('trains the matcher on the stored records in the background, checks it against review decisions and matches every record again', async () => {
    const tag = uniqueId('t-');
    const records = generatePopulation({ seed: 41, people: { people: 70 }, events: false }).traitRecords;
    const events = records.map(({ recordId, channel: _channel, ...traits }) =>
      receivedEvent({ eventType: 'identify', anonymousId: `${tag}-${recordId}`, traits }),
    );
    await feed.send(events.map((event) => ({ event })));
    await expectEventually(() => expect(events.filter((event) => resolvedCustomer(spy, EVENTS, event) === undefined)).toHaveLength(0), {
      timeoutMs: 150000,
    });
    const stored = await mongo.db(config.MONGO_DB).collection('trait_records').countDocuments();
    expect(stored).toBeGreaterThanOrEqual(100);

    const started = await post<{ accepted: boolean }>('/v1/matching/training');
    expect(started.status).toBe(202);
    const status = await expectEventually(
      async () => {
        const { body } = await get<{
          state: string;
          version?: string;
          trainedOn?: number;
          rematched?: number;
          merges?: number;
          refused?: unknown;
          error?: string;
        }>('/v1/matching/training');
        expect(body.error).toBeUndefined();
        expect(body.state).toBe('idle');
        expect(body.version).toEqual(expect.stringMatching(/^em-/u));
        return body;
      },
      // Training runs in this process beside the tests; a loaded 2-core machine has taken minutes.
      { timeoutMs: 240000 },
    );
    expect(status.trainedOn).toBeGreaterThanOrEqual(stored);
    expect(status.rematched).toBeGreaterThanOrEqual(stored);
    const { body: parameters } = await get<{ current: { version: string; training?: { uSource: string; candidatePairs: number } } }>(
      '/v1/matching/parameters',
    );
    expect(parameters.current.version).toBe(status.version);
    expect(parameters.current.training?.uSource).toBe('random-pairs');
    expect(parameters.current.training?.candidatePairs).toBeGreaterThan(0);
    // On request it trains whatever the store's growth: a new version, matched again.
    const again = await post<{ outcome: string; version?: string }>('/v1/matching/parameters/estimate');
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('trained');
    expect(again.body.version).not.toBe(status.version);
  }, 600000);
  it('adds an identifier type through the API without a restart: events link by it and lookups find it', async () => {
    const p = uniqueId('pp-');
    const put = async (type: string, body: unknown) => {
      const response = await fetch(`${service.url}/v1/identifier-types/${type}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(await authHeader('operator')) },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { error?: { code: string; issues?: Array<{ field: string }> }; version?: string },
      };
    };
    const passport = {
      normaliser: 'compactUpper',
      unique: true,
      maxPerCustomer: 3,
      priority: 88,
      sources: ['traits.passport'],
      keyedByPeople: true,
    };
    const bad = await put('passport', { ...passport, maxPerCustomer: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.issues?.map((i) => i.field)).toContain('maxPerCustomer');
    expect((await put('email', passport)).status).toBe(409);
    const added = await put('passport', passport);
    expect(added.status).toBe(200);
    expect(added.body.version).toContain('+1@');
    const listed = await get<{ types: Array<{ type: string; origin: string }> }>('/v1/identifier-types');
    expect(listed.body.types).toEqual(
      expect.arrayContaining([
        { type: 'passport', origin: 'api', rule: expect.objectContaining({ priority: 88 }), updatedAt: expect.any(String) },
        expect.objectContaining({ type: 'email', origin: 'configuration' }),
      ]),
    );
    const [first, second] = await resolveInOrder(
      receivedEvent({ eventType: 'identify', anonymousId: `${p}-kiosk`, traits: { passport: `pa ${p}` } }),
      receivedEvent({ eventType: 'identify', anonymousId: `${p}-web`, traits: { passport: `PA-${p}`.replace('-', ' ') } }),
    );
    expect(second).toBe(first);
    expect((await get<{ customerId: string }>(`/v1/identities/passport/${encodeURIComponent(`pa ${p}`)}`)).body.customerId).toBe(first);
    const removed = await fetch(`${service.url}/v1/identifier-types/passport`, { method: 'DELETE', headers: await authHeader('operator') });
    expect(removed.status).toBe(204);
    expect((await get('/v1/identities/passport/X1')).status).toBe(404);
  });
});
