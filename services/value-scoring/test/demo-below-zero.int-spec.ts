import { topics } from '@o2o/contracts';
import { authHeader, DemoPopulation, expectEventually, uniqueId } from '@o2o/testing';
import { demoResolvedEvents, demoValueScoringUnderTest, sendEnvelopes } from './demo-events.helpers';

const run = uniqueId();

/**
 * The demo's traffic (libs/testing's DemoPopulation, what `npm start` sends) through value-scoring
 * with its default cost model: its heavy returners come out below zero and tiered D. Identity
 * resolution is stood in for by keying each message on its userId (what it resolves a signed-up
 * demo customer to); anonymous browsing carries no order and is left out.
 */
describe('the demo population through value-scoring (real Kafka, MongoDB, Redis)', () => {
  const topic = (name: string) => `${run}.${name}`;

  const sut = demoValueScoringUnderTest(run);

  it('has below-zero customers, every one of them tier D, the buyers among them heavy returners', async () => {
    const population = new DemoPopulation(150);
    const events = demoResolvedEvents(run, population.next(4000));
    await sendEnvelopes(sut.producer, topic(topics.identityEvents.name), events);
    const customers = [...new Set(events.map((e) => e.subject))];
    const returners = [...new Set(events.filter((e) => (e.data as { event: string }).event === 'Order Refunded').map((e) => e.subject))];
    expect(returners.length).toBeGreaterThan(0);

    // Every customer with an event is scored; wait until the last state of each has been consumed.
    const latest = () => {
      const states = new Map<string, { actualValue: number; tier: string }>();
      for (const m of sut.spy.on(topic(topics.valueScores.name)))
        if (m.value !== null) states.set(m.key ?? '', (m.value as { data: { actualValue: number; tier: string } }).data);
      return states;
    };
    const answers = new Map<
      string,
      { actualValue: number; tier: string; costEvents: { orders: number; returns: number; serviceCalls: number } }
    >();
    await expectEventually(
      async () => {
        const states = latest();
        expect(customers.every((c) => states.has(c))).toBe(true);
        // Every customer the API values below zero is tier D. Asked of every customer: the topic
        // carries only material moves, so a state below zero on it may since have moved by less
        // than the publication threshold to just above zero (and the other way round).
        answers.clear();
        for (const c of customers) {
          const answer = (await (
            await fetch(`${sut.service.url}/v1/customers/${encodeURIComponent(c)}/value`, { headers: await authHeader('agent') })
          ).json()) as {
            actualValue: number;
            tier: string;
            costEvents: { orders: number; returns: number; serviceCalls: number };
          };
          if (answer.actualValue >= 0) continue;
          expect(answer.tier).toBe('D');
          answers.set(c, answer);
        }
        // Buyers below zero exist: the heavy returners.
        expect([...answers.values()].some((a) => a.costEvents.orders > 0)).toBe(true);
      },
      { timeoutMs: 60000 },
    );
    // A buyer is below zero only for returning and calling: everyone else's orders pay for themselves.
    // (Prospects who were only mailed are below zero too: they cost a contact and bring nothing yet.)
    for (const [c, answer] of answers) {
      if (answer.costEvents.orders === 0) continue;
      expect(returners).toContain(c);
      expect(answer.costEvents.returns).toBeGreaterThan(0);
    }
    const report = (await (await fetch(`${sut.service.url}/v1/reports/value`, { headers: await authHeader('marketer') })).json()) as {
      belowZero: { customers: number };
    };
    // The report reads the stored scores; the topic carries only material moves (a prospect's first
    // e-mail, a few cents, is not republished), so the report knows at least those the topic shows.
    expect(report.belowZero.customers).toBeGreaterThanOrEqual(answers.size);
  }, 120000);
});
