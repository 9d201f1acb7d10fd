import { costTrackEvents, Envelope, topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, uniqueId, serviceUnderTest } from '@o2o/testing';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

const run = uniqueId();
const DAY = 86_400_000;

interface ValueState {
  customerId: string;
  actualValue: number;
  grossValue?: number;
  costToServe?: number;
  tier: string;
  reasons: string[];
}

/**
 * Value as margin through the real pipeline: resolved events on identity.events (orders, returns,
 * service calls, contacts) -> value-scoring -> value.scores and the API; the cost model edited
 * through the API changes scores.
 */
describe('value-scoring profitability (real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;
  const cid = (name: string) => `${run}-${name}`;

  // The documented default prices (COST_* unset).
  const sut = serviceUnderTest({
    config: () => loadValueScoringConfig(testEnvironment(run, 'value-scoring', { SCHEDULER_ENABLED: 'false', MODEL_REFRESH_MS: '500' })),
    start: (config) => startService(valueScoringService, config, 0),
    spyOn: () => [topic(topics.valueScores.name)],
    producer: true,
  });

  const resolved = (
    customerId: string,
    at: Date,
    event: string,
    properties: Record<string, unknown>,
    channel: 'web' | 'store' | 'call-centre' | 'email' = 'web',
  ) => {
    const messageId = uniqueId('m');
    return createEnvelope({
      id: `src:${messageId}`,
      type: 'customer-event.resolved',
      version: 1,
      source: '/services/identity-resolution',
      subject: customerId,
      time: at.toISOString(),
      data: {
        messageId,
        sourceId: `test-${channel}`,
        channel,
        eventType: 'track' as const,
        event,
        userId: customerId,
        properties,
        timestamp: at.toISOString(),
        receivedAt: new Date().toISOString(),
        customerId,
        identifiers: [{ type: 'userId', value: customerId }],
      },
    });
  };

  const send = async (events: Envelope[]) => {
    await sut.producer.send({
      topic: topic(topics.identityEvents.name),
      acks: -1,
      messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
    });
  };

  const latestScore = (customerId: string): ValueState | undefined => {
    const states = sut.spy.on(topic(topics.valueScores.name)).filter((m) => m.key === customerId && m.value !== null);
    return (states[states.length - 1]?.value as { data: ValueState } | undefined)?.data;
  };

  const getValue = async (customerId: string) => {
    const response = await fetch(`${sut.service.url}/v1/customers/${encodeURIComponent(customerId)}/value`, {
      headers: await authHeader('agent'),
    });
    return {
      status: response.status,
      body: (await response.json()) as ValueState & {
        costEvents: { orders: number; returns: number; serviceCalls: number; contacts: Record<string, number> };
      },
    };
  };

  it('puts a heavy returner who calls the service desk below zero, tier D, and keeps a plain buyer above it', async () => {
    const returner = cid('returner');
    const buyer = cid('buyer');
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY);
    await send([
      resolved(returner, at(20), 'Order Completed', { order_id: 'r-o1', revenue: 60 }),
      resolved(returner, at(18), 'Order Refunded', { order_id: 'r-o1', revenue: 60 }),
      resolved(returner, at(10), 'Order Completed', { order_id: 'r-o2', revenue: 80 }),
      resolved(returner, at(8), 'Order Refunded', { order_id: 'r-o2', revenue: 80 }),
      resolved(returner, at(7), costTrackEvents.serviceCall, { reason: 'refund not received', order_id: 'r-o2' }, 'call-centre'),
      resolved(returner, at(6), costTrackEvents.serviceCall, { reason: 'refund not received' }, 'call-centre'),
      resolved(returner, at(5), costTrackEvents.contactMade, { channel: 'email', campaign: 'weekly-news' }, 'email'),
      resolved(buyer, at(15), 'Order Completed', { order_id: 'b-o1', revenue: 300 }),
    ]);

    await expectEventually(() => {
      const state = latestScore(returner);
      expect(state?.tier).toBe('D');
      expect(state?.actualValue).toBeLessThan(0);
      expect(state?.grossValue).toBe(0);
      // 2 orders x 4 + 2 returns x 12 + 2 calls x 8 + an e-mail at 0.05 (+ 20 days at 1 a year): the documented defaults.
      expect(state?.costToServe).toBeGreaterThanOrEqual(2 * 4 + 2 * 12 + 2 * 8 + 0.05);
      expect(state?.costToServe).toBeLessThan(2 * 4 + 2 * 12 + 2 * 8 + 0.05 + 1);
      expect(state?.actualValue).toBeCloseTo(-(state?.costToServe ?? 0), 1);
    });
    expect(latestScore(returner)?.reasons.join(' ')).toContain('below zero');

    const answer = await getValue(returner);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      tier: 'D',
      grossValue: 0,
      costEvents: { orders: 2, returns: 2, serviceCalls: 2, contacts: { email: 1 } },
    });
    expect(answer.body.actualValue).toBeLessThan(0);

    await expectEventually(() => {
      const state = latestScore(buyer);
      expect(state?.actualValue).toBeGreaterThan(0);
      expect(state?.grossValue).toBe(300);
      expect(state?.tier).not.toBe('D');
    });
  });

  it('serves the cost model, refuses a bad one naming the field, and scores with an edited one', async () => {
    const operator = await authHeader('operator');
    const current = (await (await fetch(`${sut.service.url}/v1/cost-model`, { headers: operator })).json()) as {
      version: number;
      source: string;
      perReturn: number;
      perContact: Record<string, number>;
    };
    expect(current).toMatchObject({ version: 0, source: 'defaults', perReturn: sut.config.COST_PER_RETURN });
    expect(current.perContact['call-centre']).toBe(sut.config.COST_PER_CONTACT['call-centre']);

    const put = (body: unknown, headers = operator) =>
      fetch(`${sut.service.url}/v1/cost-model`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const free = {
      expectedVersion: 0,
      perOrder: 0,
      perReturn: 0,
      perServiceCall: 0,
      perContact: {},
      perContactDefault: 0,
      perCustomerYear: 0,
    };

    const negative = await put({ ...free, perReturn: -3 });
    expect(negative.status).toBe(400);
    const refused = (await negative.json()) as { error: { issues: Array<{ field: string }> } };
    expect(refused.error.issues.map((i) => i.field)).toEqual(['perReturn']);
    // A marketer may read reports but not set prices.
    expect((await put(free, await authHeader('marketer'))).status).toBe(403);

    const stored = await put(free);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ version: 1, source: 'api', perReturn: 0, updatedBy: expect.any(String) });
    // An edit from a stale read is refused, not silently applied over the other.
    expect((await put({ ...free, perOrder: 1 })).status).toBe(409);

    // With every price at zero, a new customer's value is their revenue again.
    const c = cid('after-edit');
    await send([resolved(c, new Date(Date.now() - 3 * DAY), 'Order Completed', { order_id: 'c-o1', revenue: 120 })]);
    await expectEventually(() => expect(latestScore(c)).toMatchObject({ actualValue: 120, grossValue: 120, costToServe: 0 }));
  });

  it('answers the most-growable ranking (paged) and describes it in its OpenAPI document', async () => {
    const response = await fetch(`${sut.service.url}/v1/reports/most-growable?limit=5`, { headers: await authHeader('marketer') });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { customers: unknown[]; next: string | null };
    expect(Array.isArray(page.customers)).toBe(true);
    const bad = await fetch(`${sut.service.url}/v1/reports/most-growable?limit=0`, { headers: await authHeader('marketer') });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { issues: Array<{ field: string }> } }).error.issues[0]?.field).toBe('limit');
    expect((await fetch(`${sut.service.url}/v1/reports/most-growable`, { headers: await authHeader('agent') })).status).toBe(403);

    const openapi = (await (await fetch(`${sut.service.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { 'x-required-scope'?: string }>>;
    };
    expect(openapi.paths['/v1/reports/most-growable']?.['get']?.['x-required-scope']).toBe('segments:read');
    expect(openapi.paths['/v1/cost-model']?.['put']?.['x-required-scope']).toBe('models:write');
  });
});
