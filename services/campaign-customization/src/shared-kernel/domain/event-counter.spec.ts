import fc from 'fast-check';
import {
  countInWindow,
  countsQuery,
  DAY_MS,
  dayIndex,
  mergeCounters,
  pruneCounters,
  recordEvent,
  type CounterSeries,
} from './event-counter';

const at = (iso: string) => new Date(iso);

function record(counters: CounterSeries[], name: string, when: string, now: string, properties?: Record<string, unknown>) {
  return recordEvent(counters, { name, at: when, properties }, { 'Order Completed': ['category', 'shipping.method'] }, at(now));
}

describe('event counters', () => {
  it('buckets by UTC day', () => {
    expect(dayIndex('1970-01-01T23:59:59.999Z')).toBe(0);
    expect(dayIndex('1970-01-02T00:00:00.000Z')).toBe(1);
    expect(dayIndex('2024-03-10T12:00:00+02:00')).toBe(Math.floor(Date.parse('2024-03-10T10:00:00Z') / DAY_MS));
  });

  it('counts the current day and the days - 1 days before it, across bucket boundaries', () => {
    let c: CounterSeries[] = [];
    c = record(c, 'Order Completed', '2024-01-01T23:59:00Z', '2024-01-02T00:00:00Z');
    c = record(c, 'Order Completed', '2024-01-02T00:00:30Z', '2024-01-02T00:01:00Z');
    const q = { event: 'Order Completed' };
    // On Jan 30 the 30-day window starts on Jan 1: both count, even though the first is more than 28 days back.
    expect(countInWindow(c, q, 30, at('2024-01-30T00:00:01Z'))).toBe(2);
    expect(countInWindow(c, q, 30, at('2024-01-30T23:59:59Z'))).toBe(2);
    // One second into Jan 31 the window starts on Jan 2: the Jan 1 event drops out.
    expect(countInWindow(c, q, 30, at('2024-01-31T00:00:00Z'))).toBe(1);
    expect(countInWindow(c, q, 30, at('2024-02-01T00:00:00Z'))).toBe(0);
    expect(countInWindow(c, q, 1, at('2024-01-02T23:00:00Z'))).toBe(1);
  });

  it('keeps events on the same day in one bucket and days in ascending order', () => {
    let c: CounterSeries[] = [];
    c = record(c, 'Viewed', '2024-05-03T10:00:00Z', '2024-05-05T00:00:00Z');
    c = record(c, 'Viewed', '2024-05-01T10:00:00Z', '2024-05-05T00:00:00Z');
    c = record(c, 'Viewed', '2024-05-03T22:00:00Z', '2024-05-05T00:00:00Z');
    c = record(c, 'Viewed', '2024-05-02T22:00:00Z', '2024-05-05T00:00:00Z');
    const d = dayIndex('2024-05-01T00:00:00Z');
    expect(c).toEqual([
      {
        event: 'Viewed',
        buckets: [
          [d, 1],
          [d + 1, 1],
          [d + 2, 2],
        ],
      },
    ]);
  });

  it('counts filtered series only for tracked properties, nested ones included, keeping 1 and "1" apart', () => {
    let c: CounterSeries[] = [];
    c = record(c, 'Order Completed', '2024-05-01T10:00:00Z', '2024-05-01T11:00:00Z', { category: 'shoes', colour: 'red' });
    c = record(c, 'Order Completed', '2024-05-01T10:00:00Z', '2024-05-01T11:00:00Z', { category: 'hats', shipping: { method: 'express' } });
    c = record(c, 'Order Completed', '2024-05-01T10:00:00Z', '2024-05-01T11:00:00Z', { category: 1 });
    const now = at('2024-05-01T12:00:00Z');
    expect(countInWindow(c, { event: 'Order Completed' }, 7, now)).toBe(3);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'category', value: 'shoes' } }, 7, now)).toBe(1);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'shipping.method', value: 'express' } }, 7, now)).toBe(1);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'category', value: '1' } }, 7, now)).toBe(0);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'category', value: 1 } }, 7, now)).toBe(1);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'colour', value: 'red' } }, 7, now)).toBe(0);
  });

  it('never changes the counters it is given, and keeps the series an event does not touch as they were', () => {
    let c: CounterSeries[] = [];
    c = record(c, 'Viewed', '2024-05-01T10:00:00Z', '2024-05-05T00:00:00Z');
    c = record(c, 'Order Completed', '2024-05-02T10:00:00Z', '2024-05-05T00:00:00Z', { category: 'shoes' });
    c = record(c, 'Order Completed', '2024-05-03T10:00:00Z', '2024-05-05T00:00:00Z', { category: 'shoes' });
    const before = JSON.parse(JSON.stringify(c)) as CounterSeries[];
    const next = record(c, 'Order Completed', '2024-05-03T11:00:00Z', '2024-05-05T00:00:00Z', { category: 'shoes' });
    expect(c).toEqual(before);
    expect(next).not.toBe(c);
    expect(next[0]).toBe(c[0]);
    const now = at('2024-05-05T00:00:00Z');
    expect(countInWindow(next, { event: 'Order Completed' }, 7, now)).toBe(3);
    expect(countInWindow(next, { event: 'Order Completed', where: { property: 'category', value: 'shoes' } }, 7, now)).toBe(3);
    expect(countInWindow(c, { event: 'Order Completed', where: { property: 'category', value: 'shoes' } }, 7, now)).toBe(2);
    expect(pruneCounters(next, now)[0]).toBe(next[0]);
  });

  it('matches a series to a query by event and filter, values strictly', () => {
    const plain: CounterSeries = { event: 'A', buckets: [[1, 1]] };
    const one: CounterSeries = { event: 'A', property: 'p', value: 1, buckets: [[1, 1]] };
    expect(countsQuery(plain, { event: 'A' })).toBe(true);
    expect(countsQuery(plain, { event: 'B' })).toBe(false);
    expect(countsQuery(plain, { event: 'A', where: { property: 'p', value: 1 } })).toBe(false);
    expect(countsQuery(one, { event: 'A' })).toBe(false);
    expect(countsQuery(one, { event: 'A', where: { property: 'p', value: 1 } })).toBe(true);
    expect(countsQuery(one, { event: 'A', where: { property: 'p', value: '1' } })).toBe(false);
    expect(countsQuery(one, { event: 'A', where: { property: 'q', value: 1 } })).toBe(false);
    expect(countsQuery({ ...one, value: true }, { event: 'A', where: { property: 'p', value: 'true' } })).toBe(false);
  });

  it('ignores events too old for any window and does not count future-dated ones', () => {
    let c: CounterSeries[] = [];
    c = record(c, 'Viewed', '2023-01-01T00:00:00Z', '2024-06-01T00:00:00Z');
    expect(c).toEqual([]);
    c = record(c, 'Viewed', '2024-06-03T00:00:00Z', '2024-06-01T00:00:00Z');
    expect(countInWindow(c, { event: 'Viewed' }, 30, at('2024-06-01T12:00:00Z'))).toBe(0);
    expect(countInWindow(c, { event: 'Viewed' }, 30, at('2024-06-03T12:00:00Z'))).toBe(1);
  });

  it('prunes buckets no window reaches and drops empty series', () => {
    const d = dayIndex('2024-06-01T00:00:00Z');
    const c: CounterSeries[] = [
      {
        event: 'A',
        buckets: [
          [d - 400, 2],
          [d - 10, 1],
        ],
      },
      { event: 'B', buckets: [[d - 365, 1]] },
      { event: 'C', buckets: [[d - 364, 1]] },
    ];
    expect(pruneCounters(c, at('2024-06-01T05:00:00Z'))).toEqual([
      { event: 'A', buckets: [[d - 10, 1]] },
      { event: 'C', buckets: [[d - 364, 1]] },
    ]);
  });

  it('merges by summing buckets', () => {
    const a: CounterSeries[] = [
      {
        event: 'A',
        buckets: [
          [10, 1],
          [12, 2],
        ],
      },
    ];
    const b: CounterSeries[] = [
      {
        event: 'A',
        buckets: [
          [11, 5],
          [12, 1],
        ],
      },
      { event: 'A', property: 'p', value: 'x', buckets: [[12, 1]] },
    ];
    expect(mergeCounters(a, b)).toEqual([
      {
        event: 'A',
        buckets: [
          [10, 1],
          [11, 5],
          [12, 3],
        ],
      },
      { event: 'A', property: 'p', value: 'x', buckets: [[12, 1]] },
    ]);
    expect(a).toEqual([
      {
        event: 'A',
        buckets: [
          [10, 1],
          [12, 2],
        ],
      },
    ]);
  });

  it('agrees with counting the raw events (model-based)', () => {
    const base = Date.parse('2024-01-01T00:00:00Z');
    const arbEvent = fc.record({
      name: fc.constantFrom('A', 'B'),
      offsetMs: fc.integer({ min: 0, max: 120 * DAY_MS }),
      category: fc.constantFrom('x', 'y'),
    });
    fc.assert(
      fc.property(
        fc.array(arbEvent, { maxLength: 40 }),
        fc.integer({ min: 0, max: 130 * DAY_MS }),
        fc.integer({ min: 1, max: 60 }),
        (events, nowOffset, days) => {
          const now = new Date(base + nowOffset);
          let counters: CounterSeries[] = [];
          // Events are recorded as they arrive, processing time being the event time (or later).
          for (const e of events) {
            counters = recordEvent(
              counters,
              { name: e.name, at: base + e.offsetMs, properties: { category: e.category } },
              { A: ['category'] },
              new Date(base + e.offsetMs),
            );
          }
          const today = Math.floor(now.getTime() / DAY_MS);
          const inWindow = (ms: number) => {
            const day = Math.floor(ms / DAY_MS);
            return day <= today && day > today - days;
          };
          const expectedA = events.filter((e) => e.name === 'A' && inWindow(base + e.offsetMs)).length;
          const expectedAx = events.filter((e) => e.name === 'A' && e.category === 'x' && inWindow(base + e.offsetMs)).length;
          expect(countInWindow(counters, { event: 'A' }, days, now)).toBe(expectedA);
          expect(countInWindow(counters, { event: 'A', where: { property: 'category', value: 'x' } }, days, now)).toBe(expectedAx);
          expect(countInWindow(pruneCounters(counters, now), { event: 'A' }, days, now)).toBe(expectedA);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('counter limits', () => {
  const now = '2024-06-30T12:00:00Z';
  const hits: string[] = [];
  const limits = { maxSeries: 3, maxCount: 5, onLimit: (l: string) => void hits.push(l) };
  beforeEach(() => void hits.splice(0));

  it('keeps at most maxSeries series, dropping the least recently active, and says so', () => {
    let c: CounterSeries[] = [];
    for (const [name, day] of [
      ['A', '2024-06-01'],
      ['B', '2024-06-20'],
      ['C', '2024-06-10'],
    ] as const)
      c = recordEvent(c, { name, at: `${day}T10:00:00Z` }, {}, at(now), 365, limits);
    expect(hits).toEqual([]);
    c = recordEvent(c, { name: 'D', at: '2024-06-29T10:00:00Z' }, {}, at(now), 365, limits);
    expect(c.map((s) => s.event).sort()).toEqual(['B', 'C', 'D']);
    expect(hits).toEqual(['counter-series']);
  });

  it("saturates a day's count at maxCount", () => {
    let c: CounterSeries[] = [];
    for (let i = 0; i < 8; i++) c = recordEvent(c, { name: 'Page', at: '2024-06-30T10:00:00Z' }, {}, at(now), 365, limits);
    expect(countInWindow(c, { event: 'Page' }, 1, at(now))).toBe(5);
    expect(hits).toEqual(['counter-value', 'counter-value', 'counter-value']);
  });

  it('never exceeds the limits, whatever the events (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.integer({ min: 0, max: 20 })), { maxLength: 60 }),
        (events) => {
          let c: CounterSeries[] = [];
          for (const [name, daysAgo] of events)
            c = recordEvent(c, { name, at: Date.parse(now) - daysAgo * DAY_MS }, {}, at(now), 365, { maxSeries: 3, maxCount: 5 });
          expect(c.length).toBeLessThanOrEqual(3);
          for (const s of c) for (const [, count] of s.buckets) expect(count).toBeLessThanOrEqual(5);
        },
      ),
    );
  });
});
