import fc from 'fast-check';
import { applyEvents, EventChange, SummaryState } from './summary-update';

const empty = (): SummaryState => ({ orders: [], purchases: 0, revenue: 0, channels: [], categories: [], appliedEvents: [] });

const day = (d: number) => new Date(Date.UTC(2025, 0, d));

function order(
  id: string,
  d: number,
  amount: number,
  options: { refund?: boolean; channel?: string; category?: string; orderId?: string; sourceId?: string } = {},
): EventChange {
  return {
    eventId: id,
    origin: 'cus_a',
    seenAt: day(d),
    purchase: {
      sourceId: options.sourceId ?? 'web-shop',
      orderId: options.orderId ?? `o-${id}`,
      kind: options.refund ? 'refund' : 'purchase',
      at: day(d),
      amount: options.refund ? -amount : amount,
      categories: [options.category ?? 'shoes'],
      channel: options.channel ?? 'web',
      identifiers: ['email:a@demo-mail.net'],
    },
  };
}

const view = (e: EventChange): EventChange => ({ eventId: e.eventId, origin: 'cus_a', seenAt: e.seenAt, purchase: null });

describe('applyEvents', () => {
  it('coalesces several events of one customer into one new state', () => {
    const next = applyEvents(
      empty(),
      [
        view({ ...order('v1', 2, 0), seenAt: day(2) }),
        order('e1', 5, 40, { channel: 'store' }),
        order('e2', 3, 60, { category: 'bags' }),
        order('r1', 6, 10, { refund: true }),
      ],
      200,
    );

    expect(next).toMatchObject({
      purchases: 2,
      revenue: 90,
      firstSeenAt: day(2),
      firstPurchaseAt: day(3),
      lastPurchaseAt: day(5),
      appliedEvents: ['v1', 'e1', 'e2', 'r1'],
    });
    expect(next?.orders.map((o) => o.eventId)).toEqual(['e1', 'e2', 'r1']);
    expect(next?.channels.sort()).toEqual(['store', 'web']);
    expect(next?.categories.sort()).toEqual(['bags', 'shoes']);
  });

  it('changes nothing for events already applied, and applies only the new ones of a mixed batch', () => {
    const once = applyEvents(empty(), [order('e1', 1, 10)], 200);
    if (!once) throw new Error('first application changed nothing');
    expect(applyEvents(once, [order('e1', 1, 10)], 200)).toBeUndefined();

    const mixed = applyEvents(once, [order('e1', 1, 10), order('e2', 2, 5)], 200);
    expect(mixed).toMatchObject({ revenue: 15, purchases: 2, appliedEvents: ['e1', 'e2'] });
  });

  it('applies an event duplicated within one batch once', () => {
    expect(applyEvents(empty(), [order('e1', 1, 10), order('e1', 1, 10)], 200)).toMatchObject({
      revenue: 10,
      purchases: 1,
      appliedEvents: ['e1'],
    });
  });

  it('keeps only the newest event ids', () => {
    const next = applyEvents(empty(), [order('e1', 1, 1), order('e2', 2, 1), order('e3', 3, 1)], 2);
    expect(next?.appliedEvents).toEqual(['e2', 'e3']);
  });

  it('counts an order once per source whatever the event ids it came with', () => {
    const first = applyEvents(empty(), [order('e1', 1, 50, { orderId: 'o-7' })], 200);
    // A client retry without messageId, re-sent with another event id.
    const retried = applyEvents(
      first ?? empty(),
      [order('e2', 1, 50, { orderId: 'o-7' }), order('e3', 2, 30, { orderId: 'o-7', sourceId: 'store-pos' })],
      200,
    );
    expect(retried).toMatchObject({ purchases: 2, revenue: 80 });
    expect(retried?.orders.map((o) => `${o.sourceId ?? ''}:${o.orderId}`)).toEqual(['web-shop:o-7', 'store-pos:o-7']);
    // Both events are recorded as applied: a redelivery of either changes nothing.
    expect(retried?.appliedEvents).toEqual(['e1', 'e2', 'e3']);
  });

  it('does not forget an order after the event-id window moved on', () => {
    let state = empty();
    for (let i = 1; i <= 5; i++) state = applyEvents(state, [order(`e${i}`, i, 10)], 2) ?? state;
    expect(state.appliedEvents).toEqual(['e4', 'e5']);
    const redelivered = applyEvents(state, [order('e1', 1, 10)], 2);
    expect(redelivered).toMatchObject({ purchases: 5, revenue: 50 });
  });

  it('does not modify the state it was given', () => {
    const start = empty();
    applyEvents(start, [order('e1', 1, 10)], 200);
    expect(start).toEqual(empty());
  });

  it('ends in the same state however the events are batched and redelivered', () => {
    const events = fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 6 }),
        d: fc.integer({ min: 1, max: 28 }),
        amount: fc.integer({ min: 1, max: 500 }),
        refund: fc.boolean(),
      }),
      { minLength: 1, maxLength: 20, selector: (e) => e.id },
    );
    fc.assert(
      fc.property(
        events,
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (list, cuts, replays) => {
          const changes = list.map((e) => order(e.id, e.d, e.amount, { refund: e.refund }));
          // All at once.
          const whole = applyEvents(empty(), changes, 200);
          // In batches of varying sizes, each batch followed by a redelivery of an earlier batch.
          let state = empty();
          const batches: EventChange[][] = [];
          for (let i = 0, k = 0; i < changes.length; k++) {
            const size = cuts[k % cuts.length] ?? 1;
            batches.push(changes.slice(i, i + size));
            i += size;
          }
          batches.forEach((batch, k) => {
            state = applyEvents(state, batch, 200) ?? state;
            const replay = batches[(replays[k] ?? 0) % (k + 1)] ?? [];
            state = applyEvents(state, replay, 200) ?? state;
          });
          expect(state.revenue).toBe(whole?.revenue);
          expect(state.purchases).toBe(whole?.purchases);
          expect(state.orders.map((o) => o.eventId).sort()).toEqual(whole?.orders.map((o) => o.eventId).sort());
          expect(state.firstPurchaseAt).toEqual(whole?.firstPurchaseAt);
          expect(state.lastPurchaseAt).toEqual(whole?.lastPurchaseAt);
          expect(new Set(state.appliedEvents)).toEqual(new Set(whole?.appliedEvents));
        },
      ),
    );
  });
});

describe('applyEvents with a bounded window of order lines', () => {
  it('keeps at most keptLines lines, folds the older ones into the archive, and keeps the running totals', () => {
    let state: SummaryState = empty();
    for (let d = 1; d <= 12; d++) state = applyEvents(state, [order(`e${d}`, d, 10 * d)], 200, 5) ?? state;
    expect(state.orders.length).toBeLessThanOrEqual(5);
    expect(state.purchases).toBe(12);
    expect(state.revenue).toBe(780);
    expect(state.archive).toMatchObject({ lines: 12 - state.orders.length, purchases: 12 - state.orders.length });
    expect((state.archive?.revenue ?? 0) + state.orders.reduce((sum, l) => sum + l.amount, 0)).toBe(780);
    // Still idempotent: a redelivered event (remembered by id) changes nothing.
    expect(applyEvents(state, [order('e12', 12, 120)], 200, 5)).toBeUndefined();
  });
});
