import { authHeader, expectEventually, startServiceProcess, ServiceProcess, testEnvironment, TopicSpy, uniqueId } from '../src';

/**
 * Offer and question outcomes through the real pipeline: channels send them to ingestion's HTTP
 * API as reserved track events, identity resolution assigns the customer, and
 * campaign-customization ties offer outcomes to their decisions and republishes them on
 * campaigns.outcomes.v1; an offer nobody answers becomes Offer Ignored from its stored deadline.
 * Three processes, real Kafka, MongoDB and Redis.
 */
const run = uniqueId();
const services = ['ingestion', 'identity-resolution', 'campaign-customization'] as const;
const topic = (name: string) => `${run}.${name}`;

interface Outcome {
  outcomeId: string;
  customerId: string;
  outcome: string;
  reportedBy: string;
  campaignId: string;
  decisionId?: string;
  offerId?: string;
  reason?: string;
}

describe('outcome events through the pipeline (three processes, real servers)', () => {
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
            BACKGROUND_INTERVAL_MS: '300',
            OUTCOME_SWEEP_INTERVAL_MS: '300',
            CACHE_TTL_MS: '0',
            OUTCOME_STATS_TTL_MS: '0',
          }),
        ),
      );
    }
    spy = await TopicSpy.start((process.env['KAFKA_BROKERS'] ?? '').split(','), [
      topic('identity.events.v1'),
      topic('campaigns.outcomes.v1'),
      topic('campaigns.decisions.v1'),
    ]);
  }, 180000);

  afterAll(async () => {
    await spy?.stop();
    const codes = await Promise.all(running.map((p) => p.stop()));
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  const service = (name: (typeof services)[number]): ServiceProcess => {
    const found = running[services.indexOf(name)];
    if (!found) throw new Error(`${name} not started`);
    return found;
  };
  const track = (body: Record<string, unknown>) =>
    fetch(`${service('ingestion').url}/v1/track`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('demo-call-centre-write-key:').toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
  const identify = (body: Record<string, unknown>) =>
    fetch(`${service('ingestion').url}/v1/identify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('demo-call-centre-write-key:').toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
  const campaignApi = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const credential = await authHeader(path.startsWith('/v1/customers/') ? 'agent' : 'marketer');
    const response = await fetch(`${service('campaign-customization').url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...credential, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const outcomes = (): Outcome[] => spy.on(topic('campaigns.outcomes.v1')).map((m) => (m.value as { data: Outcome }).data);

  /** A customer known by userId, consented to marketing by phone, in the campaign's segment, with an offer decided. */
  async function offered(userId: string): Promise<{ decisionId: string; customerId: string; userId: string }> {
    expect((await identify({ userId, traits: { firstName: 'Ada', outcomeTest: run } })).status).toBe(200);
    expect(
      (
        await track({
          userId,
          event: 'Consent Updated',
          properties: { purpose: 'marketing', granted: true, channel: 'call-centre', wordingVersion: 'v1' },
        })
      ).status,
    ).toBe(200);
    return expectEventually(
      async () => {
        const answer = await campaignApi(
          'POST',
          `/v1/customers/by/userId/${encodeURIComponent(userId)}/next-action`,
          { channel: 'call-centre' },
          { 'idempotency-key': uniqueId('k-') },
        );
        expect(answer.status).toBe(200);
        expect(answer.json['action']).toMatchObject({ kind: 'offer', campaignId: 'outcome-offer' });
        return { decisionId: String(answer.json['decisionId']), customerId: String(answer.json['customerId']), userId };
      },
      { timeoutMs: 60000 },
    );
  }

  it("ties a channel's Offer Accepted to its decision, records Offer Ignored when nobody answers, and refuses malformed outcomes", async () => {
    expect(
      (
        await campaignApi('POST', '/v1/segments', {
          id: 'outcome-audience',
          name: 'Outcome test audience',
          purpose: 'marketing',
          rule: { path: 'traits.outcomeTest', op: 'eq', value: run },
        })
      ).status,
    ).toBe(201);
    const created = await campaignApi('POST', '/v1/campaigns', {
      id: 'outcome-offer',
      name: 'Outcome offer',
      status: 'active',
      segmentId: 'outcome-audience',
      purpose: 'marketing',
      channels: ['call-centre'],
      goal: { event: 'Order Completed' },
      attributionWindowDays: 30,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      holdoutShare: 0,
      // Seven seconds: long enough to answer in, short enough to see the sweep.
      responseWindowHours: 0.002,
      modules: { product: { options: [{ id: 'boots-classic', attributes: { sku: 'WB-100', category: 'shoes' } }] } },
    });
    expect(created.status).toBe(201);

    const accepted = await offered(uniqueId('acc-'));
    const ignoredOne = await offered(uniqueId('ign-'));

    // A malformed outcome is refused with the field; the platform's own name is refused from channels.
    const missing = await track({ userId: 'x', event: 'Offer Accepted', properties: { decisionId: accepted.decisionId } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('properties.campaignId');
    const forged = await track({ userId: 'x', event: 'Offer Ignored', properties: { campaignId: 'outcome-offer' } });
    expect(forged.status).toBe(400);
    expect(JSON.stringify(await forged.json())).toContain('"field":"event"');

    // The accepted answer travels ingestion -> identity.events -> campaign-customization -> campaigns.outcomes.
    const acceptedMessageId = uniqueId('m-');
    const acceptedUserId = accepted.userId;
    expect(
      (
        await track({
          userId: acceptedUserId,
          messageId: acceptedMessageId,
          event: 'Offer Accepted',
          properties: { campaignId: 'outcome-offer', decisionId: accepted.decisionId, revenue: 80 },
        })
      ).status,
    ).toBe(200);
    const acceptance = await expectEventually(
      () => {
        const found = outcomes().find((o) => o.customerId === accepted.customerId && o.outcome === 'accepted');
        if (!found) throw new Error(`no acceptance yet: ${JSON.stringify(outcomes())}`);
        return found;
      },
      { timeoutMs: 60000 },
    );
    expect(acceptance).toMatchObject({
      reportedBy: 'channel',
      campaignId: 'outcome-offer',
      decisionId: accepted.decisionId,
      offerId: 'boots-classic',
    });

    // Nobody answered the other offer: once its window passes, the sweep records it as ignored, once.
    const ignored = await expectEventually(
      () => {
        const found = outcomes().filter((o) => o.decisionId === ignoredOne.decisionId);
        if (found.length === 0) throw new Error('not ignored yet');
        return found;
      },
      { timeoutMs: 60000 },
    );
    expect(ignored[0]).toMatchObject({
      outcome: 'ignored',
      reportedBy: 'platform',
      outcomeId: `ignored:${ignoredOne.decisionId}`,
      customerId: ignoredOne.customerId,
    });
    // The answered offer is never also ignored.
    expect(outcomes().some((o) => o.decisionId === accepted.decisionId && o.outcome === 'ignored')).toBe(false);

    // Question outcomes reach identity.events with the customer resolved (needs-profiling reads them there).
    const declineId = uniqueId('q-');
    expect(
      (
        await track({
          userId: acceptedUserId,
          messageId: declineId,
          event: 'Question Declined',
          properties: { questionId: 'household-children', reason: 'prefers not to say' },
        })
      ).status,
    ).toBe(200);
    await expectEventually(
      () => {
        const found = spy
          .on(topic('identity.events.v1'))
          .find((m) => (m.value as { data: { messageId: string } }).data.messageId === declineId);
        if (!found) throw new Error('question outcome not resolved yet');
        expect(found.key).toBe(accepted.customerId);
      },
      { timeoutMs: 60000 },
    );
  }, 240000);

  it('decides offer and channel when a customer enters the segment of a campaign triggered on entry, and publishes the decision', async () => {
    expect(
      (
        await campaignApi('POST', '/v1/segments', {
          id: 'outbound-audience',
          name: 'Outbound test audience',
          purpose: 'marketing',
          rule: { path: 'traits.outboundTest', op: 'eq', value: run },
        })
      ).status,
    ).toBe(201);
    const created = await campaignApi('POST', '/v1/campaigns', {
      id: 'outbound-welcome',
      name: 'Outbound welcome',
      status: 'active',
      segmentId: 'outbound-audience',
      purpose: 'marketing',
      // E-mail first in the campaign's order, but the customer consented to calls only.
      channels: ['email', 'call-centre'],
      trigger: 'on-segment-entry',
      goal: { event: 'Order Completed' },
      attributionWindowDays: 30,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      holdoutShare: 0,
      modules: { product: { options: [{ id: 'welcome-kit', attributes: { sku: 'WK-1', category: 'care' } }] } },
    });
    expect(created.status).toBe(201);
    const userId = uniqueId('out-');
    expect(
      (
        await track({
          userId,
          event: 'Consent Updated',
          properties: { purpose: 'marketing', granted: true, channel: 'call-centre', wordingVersion: 'v1' },
        })
      ).status,
    ).toBe(200);
    expect((await identify({ userId, traits: { firstName: 'Bo', outboundTest: run } })).status).toBe(200);
    const decision = await expectEventually(
      () => {
        const found = spy
          .on(topic('campaigns.decisions.v1'))
          .map((m) => ({
            key: m.key,
            data: (m.value as { data: { decisionId: string; campaignId: string; channel: string; kind: string; reasons: string[] } }).data,
          }))
          .find((d) => d.data.campaignId === 'outbound-welcome');
        if (!found) throw new Error('no outbound decision yet');
        return found;
      },
      { timeoutMs: 60000 },
    );
    expect(decision.data).toMatchObject({ kind: 'offer', channel: 'call-centre' });
    expect(decision.data.decisionId).toMatch(/^entry:/);
    expect(decision.data.reasons.some((r) => r.startsWith('channel call-centre'))).toBe(true);
    // Nobody asked, yet the contact counts against the caps like any other.
    const contacts = await campaignApi('GET', `/v1/customers/by/userId/${encodeURIComponent(userId)}/contacts?channel=call-centre`);
    expect(contacts.status).toBe(200);
    expect(JSON.stringify(contacts.json['latest'])).toContain(decision.data.decisionId);
  }, 120000);
});
