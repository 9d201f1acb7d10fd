import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { authHeader, expectEventually, startServiceProcess, ServiceProcess, testEnvironment, TopicSpy, uniqueId } from '../src';

/**
 * Every outcome through the real pipeline: a channel reports Offer Presented / Accepted /
 * Declined and Question Asked / Answered / Declined through ingestion's HTTP API; identity
 * resolution resolves them; campaign-customization ties offer outcomes to their decisions,
 * republishes them on campaigns.outcomes.v1 and emits Offer Ignored for the offer nobody
 * answered; the consumers of that topic (needs-profiling, campaign-customization itself) and of
 * the question outcomes (needs-profiling) show the effect. Four processes, real servers.
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'needs-profiling', 'campaign-customization'] as const;
const topic = (name: string) => `${run}.${name}`;

interface OutcomeMessage {
  data: { outcome: string; decisionId?: string; reportedBy: string; categories: string[]; customerId: string };
}
interface NeedsAnswer {
  facts: Array<{ key: string; value: unknown; kind: string }>;
  unknown: string[];
}

describe('offer and question outcomes through the pipeline (four processes, real servers)', () => {
  const running: ServiceProcess[] = [];
  let spy: TopicSpy;

  beforeAll(async () => {
    for (const name of services) {
      running.push(
        await startServiceProcess(
          name,
          testEnvironment(run, name, {
            INGESTION_DEMO_SOURCES: 'true',
            LOG_LEVEL: 'warn',
            BACKGROUND_INTERVAL_MS: '500',
            OUTCOME_SWEEP_INTERVAL_MS: '500',
            CACHE_TTL_MS: '0',
            OUTCOME_STATS_TTL_MS: '0',
          }),
          { readyTimeoutMs: 240_000 },
        ),
      );
    }
    spy = await TopicSpy.start((process.env['KAFKA_BROKERS'] ?? '').split(','), [
      topic('campaigns.outcomes.v1'),
      topic('segments.membership.v1'),
    ]);
  }, 900_000);

  afterAll(async () => {
    await spy?.stop();
    const codes = await Promise.all(running.map((p) => p.stop()));
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  it('sends each outcome through ingestion and sees it learned by the services that consume it', async () => {
    const [ingestion, identity, needs, campaigns] = running;
    if (!ingestion || !identity || !needs || !campaigns) throw new Error('services not started');
    const userId = uniqueId('outcome-user-');
    const now = () => new Date().toISOString();
    const track = async (event: string, properties: Record<string, unknown>) => {
      const response = await fetch(`${ingestion.url}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from('demo-call-centre-write-key:').toString('base64')}`,
        },
        body: JSON.stringify({ userId, event, messageId: randomUUID(), timestamp: now(), properties }),
      });
      expect(response.status).toBe(200);
    };
    const agent = await authHeader('agent');
    const marketer = await authHeader('marketer');

    // A customer who bought (stage purchase: the default segment purchase-stage-or-beyond) and consented.
    await track('Order Completed', { order_id: uniqueId('o-'), revenue: 40, products: [{ category: 'books', price: 40, quantity: 1 }] });
    await track('Consent Updated', { purpose: 'marketing', channel: 'call-centre', granted: true, wordingVersion: 'v1' });
    await track('Preferences Updated', { preferences: {}, consents: { contact: true, personalisation: true } });
    const customerId = await expectEventually(
      async () => {
        const lookup = await fetch(`${identity.url}/v1/identities/userId/${encodeURIComponent(userId)}`, { headers: agent });
        expect(lookup.status).toBe(200);
        return ((await lookup.json()) as { customerId: string }).customerId;
      },
      { timeoutMs: 60000 },
    );
    const needsOf = async () =>
      (await (await fetch(`${needs.url}/v1/customers/${customerId}/needs`, { headers: agent })).json()) as NeedsAnswer;
    const affinity = (answer: NeedsAnswer, category: string) =>
      answer.facts.find((f) => f.key === `affinity.category.${category}` && f.kind === 'inferred')?.value;
    const nextQuestionId = async () =>
      (
        (await (await fetch(`${needs.url}/v1/customers/${customerId}/next-question?channel=call-centre`, { headers: agent })).json()) as {
          question: { questionId: string } | null;
        }
      ).question?.questionId;

    // Questions: asked, answered, declined (identity.events.v1, needs-profiling's).
    const first = await expectEventually(
      async () => {
        const id = await nextQuestionId();
        expect(id).toBeDefined();
        return id ?? '';
      },
      { timeoutMs: 60000 },
    );
    await track('Question Asked', { questionId: first });
    const second = await expectEventually(
      async () => {
        const id = await nextQuestionId();
        expect(id).toBeDefined();
        expect(id).not.toBe(first);
        return id ?? '';
      },
      { timeoutMs: 30000 },
    );
    await track('Question Answered', { questionId: 'household-children', answer: true, purpose: 'personalisation' });
    await expectEventually(
      async () =>
        expect((await needsOf()).facts).toEqual(
          expect.arrayContaining([expect.objectContaining({ key: 'household.children', value: true, kind: 'explicit' })]),
        ),
      { timeoutMs: 30000 },
    );
    const third = await expectEventually(async () => {
      const id = await nextQuestionId();
      expect(id).not.toBe('household-children');
      return id;
    });
    if (third === undefined) throw new Error('no question left to decline');
    await track('Question Declined', { questionId: third, reason: 'prefers not to say' });
    await expectEventually(async () => expect(await nextQuestionId()).not.toBe(third), { timeoutMs: 30000 });
    expect(second).not.toBe(first);

    // Offers: a campaign whose offer gets no answer within 45 seconds counts as ignored (long enough for the answers to pass the pipeline under load).
    const created = await fetch(`${campaigns.url}/v1/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...marketer },
      body: JSON.stringify({
        id: 'outdoor-offer',
        name: 'Outdoor offer',
        status: 'active',
        segmentId: 'purchase-stage-or-beyond',
        purpose: 'marketing',
        channels: ['call-centre'],
        goal: { event: 'Trial Started' },
        attributionWindowDays: 30,
        startAt: new Date(Date.now() - 3_600_000).toISOString(),
        holdoutShare: 0,
        responseWindowHours: 45 / 3600,
        modules: { product: { options: [{ id: 'tent', weight: 1, attributes: { sku: 'T-1', category: 'outdoor' } }] } },
      }),
    });
    expect(created.status).toBe(201);
    const decide = async () => {
      const response = await fetch(`${campaigns.url}/v1/customers/by/customerId/${customerId}/next-action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...agent },
        body: JSON.stringify({ channel: 'call-centre' }),
      });
      const answer = (await response.json()) as { decisionId?: string; action: { kind: string } };
      expect(answer.action.kind).toBe('offer');
      return answer.decisionId ?? '';
    };
    const accepted = await expectEventually(decide, { timeoutMs: 60000 });
    const outcomes = () =>
      spy
        .on(topic('campaigns.outcomes.v1'))
        .filter((m) => m.key === customerId)
        .map((m) => (m.value as OutcomeMessage).data);
    await track('Offer Presented', { campaignId: 'outdoor-offer', decisionId: accepted });
    await track('Offer Accepted', { campaignId: 'outdoor-offer', decisionId: accepted, revenue: 150 });
    await expectEventually(
      () =>
        expect(outcomes().map((o) => [o.outcome, o.decisionId])).toEqual(
          expect.arrayContaining([
            ['presented', accepted],
            ['accepted', accepted],
          ]),
        ),
      { timeoutMs: 60000 },
    );
    // needs-profiling learned the acceptance: the offer's category is now an affinity.
    const afterAccept = await expectEventually(
      async () => {
        const value = affinity(await needsOf(), 'outdoor');
        expect(typeof value).toBe('number');
        return value as number;
      },
      { timeoutMs: 30000 },
    );

    const declined = await decide();
    await track('Offer Declined', { campaignId: 'outdoor-offer', decisionId: declined });
    const ignored = await decide();
    const all = await expectEventually(
      () => {
        const seen = outcomes();
        expect(seen.map((o) => [o.outcome, o.decisionId, o.reportedBy])).toEqual(
          expect.arrayContaining([
            ['declined', declined, 'channel'],
            ['ignored', ignored, 'platform'],
          ]),
        );
        return seen;
      },
      { timeoutMs: 180000 },
    );
    expect(all.every((o) => o.categories.includes('outdoor'))).toBe(true);
    // An accepted offer is answered: it is never also ignored.
    expect(
      all
        .filter((o) => o.decisionId === accepted)
        .map((o) => o.outcome)
        .sort(),
    ).toEqual(['accepted', 'presented']);

    // needs-profiling: the decline and the ignore lowered the affinity the acceptance raised.
    await expectEventually(async () => expect(affinity(await needsOf(), 'outdoor') ?? 0).toBeLessThan(afterAccept), { timeoutMs: 30000 });

    // campaign-customization recorded each answer it learns from (a presentation is none), once, under the offer's key.
    const client = await MongoClient.connect(process.env['MONGO_URL'] ?? '');
    try {
      const recorded = await expectEventually(
        async () => {
          const docs = await client
            .db(`test_${run}_campaign_customization`)
            .collection<{ statKey: string; customerId: string }>('offer_outcomes')
            .find({ customerId })
            .toArray();
          expect(docs.length).toBe(3);
          return docs;
        },
        { timeoutMs: 30000 },
      );
      expect(recorded.map((d) => d.statKey.split('#')[1]).sort()).toEqual(['accepted', 'declined', 'ignored']);
      expect(recorded.every((d) => d.statKey.startsWith('outdoor-offer|tent|'))).toBe(true);
    } finally {
      await client.close();
    }
  }, 300000);
});
