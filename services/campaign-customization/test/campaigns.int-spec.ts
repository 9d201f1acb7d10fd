import { randomUUID } from 'node:crypto';
import type { CampaignDecidedDataV1, ResolvedEventDataV1 } from '@o2o/contracts';
import { ContactCounterStore } from '../src/next-action/infrastructure/contact-counter.store';
import { CampaignPrivacyParticipant } from '../src/privacy/application/handle-erasure/campaign-privacy.participant';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { CustomerStateRepository } from '../src/profiles/infrastructure/customer-state.repository';
import { DecisionSnapshotCache } from '../src/profiles/infrastructure/decision-snapshot.cache';
import {
  CampaignTestKit,
  consentUpdated,
  envelope,
  expectEventually,
  identitySnapshot,
  topics,
  trackEvent,
  valueScored,
} from './campaign-test-kit';

function campaign(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: `Campaign ${id}`,
    status: 'active',
    segmentId: 'value-tier-a',
    purpose: 'marketing',
    channels: ['call-centre', 'email'],
    goal: { event: 'Trial Started' },
    attributionWindowDays: 30,
    startAt: new Date(Date.now() - 3_600_000).toISOString(),
    holdoutShare: 0,
    modules: {
      product: { options: [{ id: 'premium', weight: 1, attributes: { sku: 'P-1' } }] },
      message: {
        options: [
          { id: 'warm', when: { path: 'value.tier', op: 'eq', value: 'A' }, weight: 1, attributes: { template: 'warm-a' } },
          { id: 'plain', attributes: { template: 'plain' } },
        ],
      },
    },
    ...overrides,
  };
}

describe('campaign-customization campaigns (real Kafka, MongoDB, Redis)', () => {
  const kit = new CampaignTestKit();
  const id = (name: string) => `${kit.run}-${name}`;

  beforeAll(async () => {
    await kit.start();
  });

  afterAll(async () => {
    await kit.stop();
  });

  it('validates campaigns and versions every save', async () => {
    const bad = await kit.http('POST', '/v1/campaigns', campaign('bad', { holdoutShare: 2, segmentId: 'no-such-segment' }));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain('holdoutShare');
    const unknownSegment = await kit.http('POST', '/v1/campaigns', campaign('orphan', { segmentId: 'no-such-segment' }));
    expect(unknownSegment.status).toBe(400);
    expect((unknownSegment.json['error'] as { issues: Array<{ field: string }> }).issues[0]?.field).toBe('segmentId');
    expect((await kit.http('POST', '/v1/campaigns', campaign('versioned'))).json['version']).toBe(1);
    expect((await kit.http('PUT', '/v1/campaigns/versioned', campaign('versioned', { status: 'paused' }))).json['version']).toBe(2);
    expect((await kit.http('GET', '/v1/campaigns/versioned')).json).toMatchObject({ version: 2, status: 'paused' });
  });

  it('answers the next best action by identifier and blocks a fourth contact under a cap of three', async () => {
    const c = id('capped');
    const email = `${c}@example.com`;
    expect(
      (
        await kit.http(
          'POST',
          '/v1/campaigns',
          campaign('capped-offer', { channels: ['call-centre'], caps: { campaign: [{ max: 3, windowHours: 24 }] } }),
        )
      ).status,
    ).toBe(201);
    await kit.publish(topics.identitySnapshots, [identitySnapshot(c, [{ type: 'email', value: email }])]);
    const identify = envelope<ResolvedEventDataV1>('customer-event.resolved', c, {
      messageId: randomUUID(),
      sourceId: 'test-source',
      channel: 'call-centre',
      eventType: 'identify',
      traits: { firstName: 'Ann' },
      timestamp: new Date().toISOString(),
      receivedAt: new Date().toISOString(),
      customerId: c,
      identifiers: [],
    });
    await kit.publish(topics.identityEvents, [identify, consentUpdated(c, 'marketing', true, 'call-centre')]);
    const ask = (requestKey?: string) => kit.decide('email', email.toUpperCase(), 'call-centre', requestKey);
    const preview = () => kit.http('GET', `/v1/customers/by/email/${encodeURIComponent(email)}/next-action?channel=call-centre`);
    // The identity events and the value score travel on different topics: wait until the
    // identify is projected (asked on a channel without consent, which records no contact).
    await expectEventually(async () => {
      const probe = await kit.http('GET', `/v1/customers/by/email/${encodeURIComponent(email)}/next-action?channel=web`);
      expect(probe.json).toMatchObject({ greeting: 'Hello Ann' });
    });
    await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
    await kit.waitForMemberships(c, 1);

    // A preview (GET) shows the offer but reserves nothing and publishes nothing, however often.
    const previewed = await expectEventually(async () => {
      const answer = await preview();
      expect(answer.json['action']).toMatchObject({ kind: 'offer', campaignId: 'capped-offer' });
      return answer;
    });
    expect(previewed.json).toMatchObject({ preview: true });
    expect(previewed.json['decisionId']).toBeUndefined();
    for (let i = 0; i < 4; i++) expect((await preview()).json['action']).toMatchObject({ kind: 'offer' });

    const firstKey = randomUUID();
    const first = await ask(firstKey);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      customerId: c,
      greeting: 'Hello Ann',
      tier: 'A',
      action: { kind: 'offer', campaignId: 'capped-offer' },
    });
    // Answered only once Kafka has it: the decision is within the topic's end offsets as of the answer.
    await kit.spy.waitUntilCaughtUp([kit.topic(topics.campaignDecisions)]);
    expect(kit.spy.on(kit.topic(topics.campaignDecisions)).map((m) => (m.value as { id: string }).id)).toContain(first.json['decisionId']);
    const modules = (first.json['action'] as { offer: { modules: Array<{ module: string; optionId: string }> } }).offer.modules;
    expect(modules.map((m) => [m.module, m.optionId])).toEqual([
      ['product', 'premium'],
      ['message', 'warm'],
    ]);
    // A retry with the same key is the same decision, not a second contact.
    const retried = await ask(firstKey);
    expect(retried.json).toMatchObject({
      decisionId: first.json['decisionId'],
      replayed: true,
      action: first.json['action'],
      greeting: 'Hello Ann',
    });
    expect((await kit.decide('email', email, 'web', firstKey)).status).toBe(422);
    expect(
      (await kit.http('POST', `/v1/customers/by/email/${encodeURIComponent(email)}/next-action`, { channel: 'call-centre' })).status,
    ).toBe(400);
    expect((await ask()).json['action']).toMatchObject({ kind: 'offer' });
    expect((await ask()).json['action']).toMatchObject({ kind: 'offer' });
    const fourth = await ask();
    expect(fourth.json['action']).toMatchObject({
      kind: 'none',
      passed: expect.arrayContaining([expect.objectContaining({ campaignId: 'capped-offer', code: 'cap' })]),
    });

    await expectEventually(() => {
      const decisions = kit.spy.on(kit.topic(topics.campaignDecisions)).filter((m) => m.key === c);
      expect(decisions.map((m) => (m.value as { data: CampaignDecidedDataV1 }).data.kind)).toEqual(['offer', 'offer', 'offer']);
      expect(decisions.map((m) => (m.value as { id: string }).id)).toContain(first.json['decisionId']);
    });
    expect((await kit.http('GET', `/v1/customers/by/email/nobody@example.com/next-action?channel=call-centre`)).status).toBe(404);
    expect((await kit.http('GET', `/v1/customers/by/email/${email}/next-action`)).status).toBe(400);
  });

  it('decides on its in-process copy of a customer only while Redis vouches for it: consent changes and erasure are seen at once', async () => {
    const c = id('cached');
    expect((await kit.http('POST', '/v1/campaigns', campaign('cached-offer', { channels: ['store'] }))).status).toBe(201);
    await kit.publish(topics.identityEvents, [consentUpdated(c, 'marketing', true, 'store')]);
    await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
    await kit.waitForMemberships(c, 1);
    const ask = () => kit.http('GET', `/v1/customers/by/customerId/${c}/next-action?channel=store`);
    await expectEventually(async () => expect((await ask()).json['action']).toMatchObject({ kind: 'offer', campaignId: 'cached-offer' }));
    // Held in process now. The withdrawal is written by the consumer, which only moves the
    // version in Redis: the next request must notice and decide on the new state.
    await kit.publish(topics.identityEvents, [consentUpdated(c, 'marketing', false, 'store')]);
    await expectEventually(async () =>
      expect((await ask()).json['action']).toMatchObject({
        kind: 'none',
        passed: expect.arrayContaining([expect.objectContaining({ campaignId: 'cached-offer', code: 'consent' })]),
      }),
    );
    await kit.publish(topics.identityEvents, [consentUpdated(c, 'marketing', true, 'store')]);
    await expectEventually(async () => expect((await ask()).json['action']).toMatchObject({ kind: 'offer', campaignId: 'cached-offer' }));

    // A contact is recorded only on the snapshot version it was decided on.
    const held = await kit.service.app.get(DecisionSnapshotCache).get(c);
    if (held === undefined) throw new Error('no snapshot in Redis');
    const counters = kit.service.app.get(ContactCounterStore);
    const scopes = ['all', 'channel:store'];
    const checks = [{ scope: 'all', windowHours: 24, max: 1000, source: 'platform' as const }];
    const now = new Date();
    expect(await counters.reserve(c, held.version - 1, scopes, checks, randomUUID(), now)).toBe('stale');
    const before = (await counters.read(c, [{ scope: 'all', windowHours: 24, key: 'all@24h' }], now, [c])).counts.get('all@24h');
    expect(await counters.reserve(c, held.version, scopes, checks, randomUUID(), now)).toBe('reserved');
    const after = await counters.read(c, [{ scope: 'all', windowHours: 24, key: 'all@24h' }], now, [c]);
    expect(after.counts.get('all@24h')).toBe((before ?? 0) + 1);
    expect(after.versions.get(c)).toBe(held.version);

    // Erasure deletes the Redis copy: the copy this process still holds must not answer.
    await kit.service.app.get(CampaignPrivacyParticipant).erase([c]);
    expect((await ask()).status).toBe(404);
  });

  it('reports a lift whose 95% interval covers the true effect of a campaign in synthetic traffic', async () => {
    const n = 160;
    const treatedRate = 0.5;
    const controlRate = 0.2;
    expect((await kit.http('POST', '/v1/campaigns', campaign('lift-test', { channels: ['email'], holdoutShare: 0.5 }))).status).toBe(201);
    const customers = Array.from({ length: n }, (_, i) => id(`lift-${i}`));
    await kit.publish(
      topics.identityEvents,
      customers.map((c) => consentUpdated(c, 'marketing', true, 'email')),
    );
    await kit.publish(
      topics.valueScores,
      customers.map((c) => valueScored(c, 'A')),
    );
    await expectEventually(
      () => {
        const entered = new Set(
          kit.spy
            .on(kit.topic(topics.segmentMembership))
            .filter((m) => m.key?.startsWith(id('lift-')))
            .map((m) => m.key),
        );
        expect(entered.size).toBe(n);
      },
      { timeoutMs: 60000 },
    );

    const groups = new Map<string, 'offer' | 'control'>();
    for (let i = 0; i < n; i += 50) {
      await Promise.all(
        customers.slice(i, i + 50).map(async (c) => {
          const answer = await kit.decide('customerId', c, 'email');
          const kind = (answer.json['action'] as { kind: string }).kind;
          if (kind !== 'offer' && kind !== 'control') throw new Error(`${c}: ${JSON.stringify(answer.json)}`);
          groups.set(c, kind);
        }),
      );
    }
    const treated = customers.filter((c) => groups.get(c) === 'offer');
    const control = customers.filter((c) => groups.get(c) === 'control');
    // The sticky hash split is balanced within a few points on 400 customers.
    expect(Math.abs(treated.length - n / 2)).toBeLessThan(n * 0.15);

    // Known true effect: exactly these shares of each group reach the goal after their exposure.
    const converting = [
      ...treated.slice(0, Math.round(treated.length * treatedRate)),
      ...control.slice(0, Math.round(control.length * controlRate)),
    ];
    const later = new Date(Date.now() + 1000);
    await kit.publish(
      topics.identityEvents,
      converting.map((c) => trackEvent(c, 'Trial Started', { revenue: 30 }, later)),
    );
    await kit.publish(
      topics.identityEvents,
      control.slice(-5).map((c) => trackEvent(c, 'Something Else', {}, later)),
    );

    const lift = await expectEventually(
      async () => {
        const result = await kit.http('GET', '/v1/campaigns/lift-test/lift');
        expect(result.json).toMatchObject({
          treated: { exposed: treated.length, converted: Math.round(treated.length * treatedRate) },
          control: { exposed: control.length, converted: Math.round(control.length * controlRate) },
        });
        return result.json as {
          absoluteLift: number;
          absoluteInterval: { lower: number; upper: number };
          significant: boolean;
          relativeLift: number;
        };
      },
      { timeoutMs: 60000 },
    );
    const trueLift = treatedRate - controlRate;
    expect(lift.absoluteInterval.lower).toBeLessThan(trueLift);
    expect(lift.absoluteInterval.upper).toBeGreaterThan(trueLift);
    expect(lift.absoluteLift).toBeCloseTo(trueLift, 1);
    expect(lift.significant).toBe(true);

    // Revenue per customer: 30 for each converting customer, so the true difference of means is 30 x the difference of rates.
    const outcomes = (await kit.http('GET', '/v1/campaigns/lift-test/lift')).json as {
      revenuePerCustomer: { difference: number; interval: { lower: number; upper: number }; significant: boolean };
      retention: { treated: { exposed: number }; control: { exposed: number }; retentionDays: number };
    };
    const trueRevenueLift =
      30 * (Math.round(treated.length * treatedRate) / treated.length - Math.round(control.length * controlRate) / control.length);
    expect(outcomes.revenuePerCustomer.difference).toBeCloseTo(trueRevenueLift, 6);
    expect(outcomes.revenuePerCustomer.interval.lower).toBeLessThan(trueRevenueLift);
    expect(outcomes.revenuePerCustomer.interval.upper).toBeGreaterThan(trueRevenueLift);
    expect(outcomes.revenuePerCustomer.significant).toBe(true);
    expect(outcomes.retention).toMatchObject({
      treated: { exposed: treated.length },
      control: { exposed: control.length },
      retentionDays: 7,
    });

    // Counted through the lift-keys index; documents stored before lift keys count until back-filled, and the same after.
    const customersCollection = kit.service.app.get<Connection>(getConnectionToken()).collection('customers');
    expect((await customersCollection.indexes()).map((i) => Object.keys(i.key as object).join())).toContain('liftKeys');
    const exposedAt = new Date().toISOString();
    const legacy = (name: string, group: 'treated' | 'control', converted: boolean, mergedInto?: string) => ({
      _id: id(name) as never,
      version: 3,
      sequence: 0,
      outbox: [],
      attribution: { 'lift-test': { group, firstExposedAt: exposedAt, converted, ...(converted ? { convertedAt: exposedAt } : {}) } },
      ...(mergedInto ? { mergedInto } : {}),
      updatedAt: new Date(),
    });
    await customersCollection.insertMany([
      legacy('legacy-1', 'treated', true),
      legacy('legacy-2', 'control', false),
      legacy('legacy-3', 'treated', false, id('legacy-1')),
    ]);
    const expected = {
      treated: { exposed: treated.length + 1, converted: Math.round(treated.length * treatedRate) + 1 },
      control: { exposed: control.length + 1, converted: Math.round(control.length * controlRate) },
    };
    expect((await kit.http('GET', '/v1/campaigns/lift-test/lift')).json).toMatchObject(expected);
    expect(await kit.service.app.get(CustomerStateRepository).backfillLiftKeys()).toBe(3);
    expect((await kit.http('GET', '/v1/campaigns/lift-test/lift')).json).toMatchObject(expected);
    const backfilled = await customersCollection
      .find({ _id: { $in: [id('legacy-1'), id('legacy-3')] as never[] } })
      .sort({ _id: 1 })
      .toArray();
    expect(backfilled.map((d) => d['liftKeys'] as string[])).toEqual([['lift-test:treated', 'lift-test:treated:converted'], []]);
  });

  it('answers a shared identifier with its candidates instead of guessing, and resolves it again once it is no longer shared', async () => {
    const [a, b] = [id('shared-a'), id('shared-b')];
    const phone = `+4930${Date.now() % 10_000_000}`;
    const t0 = new Date(Date.now() - 60_000);
    await kit.publish(topics.identitySnapshots, [
      identitySnapshot(a, [{ type: 'phone', value: phone }], t0),
      identitySnapshot(
        b,
        [
          { type: 'phone', value: phone },
          { type: 'email', value: `${b}@example.com` },
        ],
        t0,
      ),
    ]);
    const ask = () => kit.http('GET', `/v1/customers/by/phone/${encodeURIComponent(phone)}/next-action?channel=call-centre`);
    const shared = await expectEventually(async () => {
      const answer = await ask();
      expect(answer.status).toBe(409);
      return answer;
    });
    const error = shared.json['error'] as { code: string; candidates: Array<{ customerId: string }> };
    expect(error.code).toBe('shared_identifier');
    expect(error.candidates.map((c) => c.customerId).sort()).toEqual([a, b].sort());
    // b's newer snapshot no longer lists the phone: it is a's alone again.
    await kit.publish(topics.identitySnapshots, [identitySnapshot(b, [{ type: 'email', value: `${b}@example.com` }], new Date())]);
    await expectEventually(async () => {
      const answer = await ask();
      expect(answer.status).toBe(200);
      expect(answer.json['customerId']).toBe(a);
    });
    // a erased (its snapshot tombstoned): nobody holds the phone, so it leads nowhere rather than to its former owner.
    await kit.tombstone(topics.identitySnapshots, a);
    await expectEventually(async () => expect((await ask()).status).toBe(404), { timeoutMs: 60000 });
  });
});
