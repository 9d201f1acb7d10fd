import { outcomeTrackPropertiesV1, platformOnlyEventNames, segmentMessageV1 } from '@o2o/contracts';
import { demoCampaignProducts, DemoPopulation, type DemoMessage } from './demo-population';

/** What ingestion checks of a message: the Segment schema, then the reserved outcome names' properties. */
function accepted(m: DemoMessage): boolean {
  const parsed = segmentMessageV1.safeParse(m.message);
  if (!parsed.success) return false;
  if (parsed.data.type !== 'track') return true;
  if (platformOnlyEventNames.includes(parsed.data.event as never)) return false;
  const schema = Object.hasOwn(outcomeTrackPropertiesV1, parsed.data.event)
    ? (outcomeTrackPropertiesV1 as Record<string, { safeParse(v: unknown): { success: boolean } } | undefined>)[parsed.data.event]
    : undefined;
  return schema === undefined || schema.safeParse(parsed.data.properties ?? {}).success;
}

describe('demo population', () => {
  const population = new DemoPopulation(200);
  const traffic = population.next(3000);

  it('sends only messages ingestion accepts, answers typed as the question bank expects', () => {
    expect(traffic.filter((m) => !accepted(m))).toEqual([]);
    const answers = traffic
      .filter((m) => m.message['event'] === 'Question Answered')
      .map((m) => m.message['properties'] as { questionId: string; answer: unknown; purpose: string });
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      expect(['contact-preferred-channel', 'household-children', 'work-location']).toContain(a.questionId);
      if (a.questionId === 'household-children') expect(typeof a.answer).toBe('boolean');
      if (a.questionId === 'contact-preferred-channel') expect(a.purpose).toBe('contact');
    }
  });

  it('reports offer and question outcomes for the call centre, tied to the decision', () => {
    const userId = population.contactable(1)[0];
    if (userId === undefined) throw new Error('nobody signed up');
    const product = demoCampaignProducts[0];
    if (product === undefined) throw new Error('no demo campaign');
    const responses = Array.from({ length: 200 }, () =>
      population.respond({ userId, decisionId: 'd-1', campaignId: product.campaignId, category: product.category }),
    ).flat();
    expect(responses.filter((m) => !accepted(m))).toEqual([]);
    const events = new Set(responses.map((m) => m.message['event']));
    expect(events).toEqual(new Set(['Offer Presented', 'Offer Accepted', 'Offer Declined']));
    for (const r of responses) expect(r.message['properties']).toEqual({ campaignId: product.campaignId, decisionId: 'd-1' });
    const replies = Array.from({ length: 100 }, () => population.reply(userId, 'household-children', 'personalisation')).flat();
    expect(replies.filter((m) => !accepted(m))).toEqual([]);
    expect(new Set(replies.map((m) => m.message['event']))).toEqual(new Set(['Question Asked', 'Question Answered', 'Question Declined']));
  });

  describe('imported history (issue 18)', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    const day = 86_400_000;
    const orders = (messages: DemoMessage[]) => messages.filter((m) => m.message['event'] === 'Order Completed');

    it('is the same for the same seed, other for another, and every message is one ingestion accepts', () => {
      const first = new DemoPopulation(300, 7).history(365, { seed: 7, now });
      const again = new DemoPopulation(300, 7).history(365, { seed: 7, now });
      const other = new DemoPopulation(300, 8).history(365, { seed: 8, now });
      expect(again).toEqual(first);
      expect(other).not.toEqual(first);
      expect(first.filter((m) => !accepted(m))).toEqual([]);
      const ids = orders(first).map((m) => (m.message['properties'] as { order_id: string }).order_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(first.every((m) => Date.parse(String(m.message['timestamp'])) < now)).toBe(true);
    });

    it('spreads first orders over the year, has repeat buyers in many weeks, and people who stopped long ago', () => {
      const history = orders(new DemoPopulation(500, 1).history(365, { seed: 1, now }));
      const byCustomer = new Map<string, number[]>();
      for (const m of history) {
        const at = Date.parse(String(m.message['timestamp']));
        byCustomer.set(String(m.message['userId']), [...(byCustomer.get(String(m.message['userId'])) ?? []), at]);
      }
      const firstWeeks = new Set([...byCustomer.values()].map((times) => Math.floor((now - Math.min(...times)) / (7 * day))));
      expect(firstWeeks.size).toBeGreaterThan(40);
      const repeatBuyers = [...byCustomer.values()].filter((times) => new Set(times.map((t) => Math.floor(t / (7 * day)))).size > 1);
      expect(repeatBuyers.length).toBeGreaterThanOrEqual(50);
      // Customers who bought at least three times and not in the last half year: dropout happens.
      const lapsed = [...byCustomer.values()].filter((times) => times.length >= 3 && now - Math.max(...times) > 182 * day);
      expect(lapsed.length).toBeGreaterThan(0);
      // Each person's order totals vary around their own level: not one fixed amount per person.
      const totals = history
        .filter((m) => m.message['userId'] === history[0]?.message['userId'])
        .map((m) => (m.message['properties'] as { revenue: number }).revenue);
      expect(totals.every((t) => t > 0)).toBe(true);
    });
  });
});
