import { topics } from '@o2o/contracts';
import { authHeader, DemoPopulation, expectEventually, uniqueId } from '@o2o/testing';
import { demoResolvedEvents, demoValueScoringUnderTest, sendEnvelopes } from './demo-events.helpers';

const run = uniqueId();

/**
 * The demo's imported year of orders (DemoPopulation.history, what `npm start` imports first)
 * through value-scoring: the refit fits a sane model on it, no customer's discounted expected
 * spend is below zero (issue 18: the former history fitted a = 2e-9, b = 47,000 and valued some
 * customers at -6,337 EUR), and the most-growable list is not empty. Identity resolution is
 * stood in for by keying each order on its userId, as in demo-below-zero.int-spec.ts.
 */
describe("the demo's order history through value-scoring (real Kafka, MongoDB, Redis)", () => {
  const topic = (name: string) => `${run}.${name}`;
  const sut = demoValueScoringUnderTest(run);

  type JobView = { id: string; status: string; outcome?: string };
  const runJob = async (kind: 'refit' | 'rescore'): Promise<JobView> => {
    const started = await fetch(`${sut.service.url}/v1/models/${kind}`, { method: 'POST', headers: await authHeader('operator') });
    expect(started.status).toBe(202);
    const { job } = (await started.json()) as { job: JobView };
    let ended = job;
    await expectEventually(
      async () => {
        ended = (await (
          await fetch(`${sut.service.url}/v1/models/jobs/${job.id}`, { headers: await authHeader('operator') })
        ).json()) as JobView;
        expect(ended.status).not.toBe('running');
      },
      { timeoutMs: 240000, intervalMs: 500 },
    );
    return ended;
  };

  it('fits sane parameters, values nobody below zero before costs and ranks the most growable', async () => {
    const population = new DemoPopulation(500, 1);
    const events = demoResolvedEvents(run, population.history(365, { seed: 1 }));
    await sendEnvelopes(sut.producer, topic(topics.identityEvents.name), events);
    const customers = [...new Set(events.map((e) => e.subject))];
    await expectEventually(
      () => {
        const scored = new Set(sut.spy.on(topic(topics.valueScores.name)).map((m) => m.key));
        expect(customers.every((c) => scored.has(c))).toBe(true);
      },
      { timeoutMs: 120000 },
    );

    expect((await runJob('refit')).outcome).toBe('fitted');
    const current = (await (await fetch(`${sut.service.url}/v1/models/current`, { headers: await authHeader('operator') })).json()) as {
      model: {
        kind: string;
        purchaseModel: { model: string; params: { r: number; alpha: number; a: number; b: number } };
        spendModel: { params: { p: number; q: number; v: number } };
      };
    };
    expect(current.model.kind).toBe('fitted');
    const { r, alpha, a, b } = current.model.purchaseModel.params;
    // The history draws weekly purchase rates averaging 0.06 (most) and 0.35 (big spenders) and a
    // dropout after each order averaging 0.15: the fit must read both within a broad band.
    expect(r / alpha).toBeGreaterThan(0.02);
    expect(r / alpha).toBeLessThan(0.3);
    expect(a / (a + b)).toBeGreaterThan(0.05);
    expect(a / (a + b)).toBeLessThan(0.4);
    const { p, q, v } = current.model.spendModel.params;
    expect(q).toBeGreaterThan(1);
    expect((p * v) / (q - 1)).toBeGreaterThan(20);
    expect((p * v) / (q - 1)).toBeLessThan(1000);

    // Only the rescore writes growth values for everyone; none's gross value goes below zero.
    expect((await runJob('rescore')).outcome).toBe('rescored');
    let negative = 0;
    for (const c of customers) {
      const answer = (await (
        await fetch(`${sut.service.url}/v1/customers/${encodeURIComponent(c)}/value`, { headers: await authHeader('agent') })
      ).json()) as { grossValue: number; model: { kind?: string } | string };
      expect(Number.isFinite(answer.grossValue)).toBe(true);
      if (answer.grossValue < 0) negative++;
    }
    expect(negative).toBe(0);
    const page = (await (
      await fetch(`${sut.service.url}/v1/reports/most-growable?limit=10`, { headers: await authHeader('marketer') })
    ).json()) as {
      customers: Array<{ customerId: string; growthValue: number }>;
    };
    expect(page.customers.length).toBeGreaterThan(0);
    expect(page.customers.every((c) => c.growthValue > 0)).toBe(true);
  }, 600000);
});
