import { segmentMessageV1 } from '@o2o/contracts';
import { generatePopulation } from './population.generator';
import { CHANNELS } from './synthetic-person.model';

describe('generatePopulation', () => {
  const population = generatePopulation({ seed: 99, people: { people: 300 } });

  it('is reproducible from its seed', () => {
    const again = generatePopulation({ seed: 99, people: { people: 300 } });
    expect(again.people).toEqual(population.people);
    expect(again.events).toEqual(population.events);
    expect(again.traitRecords).toEqual(population.traitRecords);
    expect(generatePopulation({ seed: 100, people: { people: 300 } }).people).not.toEqual(population.people);
  });

  it('keeps trait records independent of whether events are generated', () => {
    expect(generatePopulation({ seed: 99, people: { people: 300 }, events: false }).traitRecords).toEqual(population.traitRecords);
  });

  it('emits Segment-spec messages that the ingestion contract accepts', () => {
    for (const event of population.events) {
      const parsed = segmentMessageV1.safeParse(event);
      if (!parsed.success) throw new Error(`${JSON.stringify(event)}: ${parsed.error.message}`);
    }
    expect(new Set(population.events.map((event) => event.type))).toEqual(new Set(['identify', 'track', 'page', 'alias']));
  });

  it('gives the ground truth of every event and record', () => {
    const personIds = new Set(population.people.map((person) => person.personId));
    expect(population.truth.personOfEvent.size).toBe(population.events.length);
    expect(population.truth.personOfRecord.size).toBe(population.traitRecords.length);
    for (const person of population.truth.personOfRecord.values()) expect(personIds.has(person)).toBe(true);
    for (const event of population.events) expect(personIds.has(population.truth.personOfEvent.get(event.messageId) ?? '')).toBe(true);
  });

  it('orders events in time and covers every channel', () => {
    const times = population.events.map((event) => event.timestamp);
    expect([...times].sort()).toEqual(times);
    const channels = new Set(population.events.map((event) => String(event.context['channel'])));
    for (const channel of CHANNELS) expect(channels.has(channel)).toBe(true);
  });

  it('builds households that share address and landline, with distinct first names', () => {
    const households = new Map<string, typeof population.people>();
    for (const person of population.people) households.set(person.householdId, [...(households.get(person.householdId) ?? []), person]);
    const shared = [...households.values()].filter((members) => members.length > 1);
    expect(shared.length).toBeGreaterThan(20);
    for (const members of shared) {
      expect(new Set(members.map((member) => JSON.stringify(member.address))).size).toBe(1);
      expect(new Set(members.map((member) => member.landline)).size).toBe(1);
      expect(new Set(members.map((member) => member.firstName)).size).toBe(members.length);
    }
  });

  it('produces about two noisy personal-trait records per person, with missing fields', () => {
    const perPerson = population.traitRecords.length / population.people.length;
    expect(perPerson).toBeGreaterThan(1.7);
    expect(perPerson).toBeLessThan(2.3);
    expect(population.traitRecords.some((record) => record.birthDate === undefined)).toBe(true);
    expect(population.traitRecords.every((record) => !('personId' in record))).toBe(true);
  });

  it('emits purchases with consistent revenue, unique order ids and product categories', () => {
    const orders = population.events.filter((event) => event.event === 'Order Completed');
    expect(orders.length).toBeGreaterThan(100);
    const ids = new Set<string>();
    for (const order of orders) {
      const properties = order.properties ?? {};
      const products = properties['products'] as Array<{ price: number; quantity: number; category: string }>;
      const total = products.reduce((sum, product) => sum + product.price * product.quantity, 0);
      expect(properties['revenue']).toBeCloseTo(total, 1);
      expect(products.every((product) => typeof product.category === 'string' && product.category.length > 0)).toBe(true);
      ids.add(String(properties['order_id']));
    }
    expect(ids.size).toBe(orders.length);
  });

  it('draws purchase rates and order values from gamma distributions (positive, skewed)', () => {
    const rates = population.people.map((person) => person.purchaseRatePerYear).sort((a, b) => a - b);
    expect(rates.every((rate) => rate > 0)).toBe(true);
    const mean = rates.reduce((s, r) => s + r, 0) / rates.length;
    const median = rates[Math.floor(rates.length / 2)] ?? 0;
    expect(mean).toBeGreaterThan(median);
  });
});
