import { RunningService, startService } from '@o2o/runtime';
import { authHeader, testEnvironment, uniqueId } from '@o2o/testing';
import { loadValueScoringConfig } from '../src/config/value-scoring.config';
import { valueScoringService } from '../src/value-scoring.service';

/** Per-client rate limits: privileged calls counted in Redis across instances, customer-facing calls per instance. */
describe('value-scoring per-client rate limits (two instances, real Redis)', () => {
  const run = uniqueId();
  let a: RunningService;
  let b: RunningService;

  beforeAll(async () => {
    const limits = { RATE_LIMIT_PRIVILEGED_PER_MINUTE: '3', RATE_LIMIT_CLIENT_PER_SECOND: '2', SCHEDULER_ENABLED: 'false' };
    a = await startService(valueScoringService, loadValueScoringConfig(testEnvironment(run, 'value-scoring', limits)), 0);
    b = await startService(valueScoringService, loadValueScoringConfig(testEnvironment(run, 'value-scoring', limits)), 0);
  }, 120000);

  afterAll(async () => {
    await Promise.all([a?.app.close(), b?.app.close()]);
  });

  it('shares a client’s privileged budget between instances and answers 429 with Retry-After in the common error shape', async () => {
    const operator = await authHeader('operator');
    // An API key for another client (this call is the operator's first of three).
    const created = (await (
      await fetch(`${a.url}/admin/v1/api-keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...operator },
        body: JSON.stringify({ owner: 'reporting', scopes: ['models:read'] }),
      })
    ).json()) as { key: string };
    const statuses: number[] = [];
    for (const service of [a, b]) statuses.push((await fetch(`${service.url}/v1/models`, { headers: operator })).status);
    expect(statuses).toEqual([200, 200]);
    const refused = await fetch(`${b.url}/v1/models`, { headers: operator });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { success: boolean; error: { code: string; retryAfterSeconds: number } };
    expect(body).toMatchObject({ success: false, error: { code: 'rate_limited' } });
    expect(body.error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${a.url}/v1/models`, { headers: operator })).status).toBe(429);

    // Another client keeps its own budget.
    expect((await fetch(`${a.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } })).status).toBe(200);
  }, 60000);

  it('limits customer-facing calls per client on each instance', async () => {
    const agent = await authHeader('agent');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await fetch(`${a.url}/v1/customers/rate-someone/value`, { headers: agent })).status),
    );
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 404 || s === 429)).toBe(true);
  }, 60000);
});
