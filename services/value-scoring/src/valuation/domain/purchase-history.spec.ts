import fc from 'fast-check';
import type { OrderArchive } from '../../shared-kernel/domain';
import { archiveOldLines, combineArchives, purchaseHistory, PurchaseLine } from './purchase-history';

const day = (d: string, hour = 12) => new Date(`${d}T${String(hour).padStart(2, '0')}:00:00Z`);
const buy = (orderId: string, at: Date, amount: number): PurchaseLine => ({ orderId, kind: 'purchase', at, amount });
const refund = (orderId: string, at: Date, amount: number): PurchaseLine => ({ orderId, kind: 'refund', at, amount: -Math.abs(amount) });

describe('purchaseHistory', () => {
  it('counts repeat purchase days, several orders on one UTC day as one purchase', () => {
    const h = purchaseHistory(
      [
        buy('o1', day('2024-01-01'), 10),
        buy('o2', day('2024-01-08', 9), 20),
        buy('o3', day('2024-01-08', 18), 30),
        buy('o4', day('2024-01-22'), 40),
      ],
      7,
    );
    expect(h).toMatchObject({ orders: 4, x: 2, mx: (50 + 40) / 2, netRevenue: 100 });
    expect(h.firstPurchaseDay?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(h.lastPurchaseDay?.toISOString()).toBe('2024-01-22T00:00:00.000Z');
  });

  it('lets refunds reduce spend, and drops an order refunded in full from frequency and recency', () => {
    const lines = [
      buy('o1', day('2024-01-01'), 10),
      buy('o2', day('2024-02-01'), 50),
      refund('o2', day('2024-02-03'), 20),
      buy('o3', day('2024-03-01'), 30),
      refund('o3', day('2024-03-02'), 30),
    ];
    const h = purchaseHistory(lines, 7);
    expect(h).toMatchObject({ orders: 2, x: 1, mx: 30, netRevenue: 40 });
    expect(h.lastPurchaseDay?.toISOString()).toBe('2024-02-01T00:00:00.000Z');
  });

  it('charges a refund without a known order to the latest order before it', () => {
    const h = purchaseHistory(
      [buy('o1', day('2024-01-01'), 10), buy('o2', day('2024-02-01'), 50), refund('r-unknown', day('2024-02-10'), 15)],
      7,
    );
    expect(h).toMatchObject({ x: 1, mx: 35, netRevenue: 45 });
  });

  it('has no purchase history without purchases', () => {
    expect(purchaseHistory([refund('x', day('2024-01-01'), 5)], 7)).toEqual({ orders: 0, x: 0, mx: 0, netRevenue: -5 });
  });

  it('depends only on the set of lines, never on their arrival order (history import = live)', () => {
    const line = fc
      .record({
        orderId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
        kind: fc.constantFrom<'purchase' | 'refund'>('purchase', 'purchase', 'refund'),
        at: fc.integer({ min: 0, max: 400 * 86_400 }).map((s) => new Date(Date.UTC(2024, 0, 1) + s * 1000)),
        amount: fc.integer({ min: 1, max: 50_000 }).map((c) => c / 100),
      })
      .map((l): PurchaseLine => ({ ...l, amount: l.kind === 'refund' ? -l.amount : l.amount }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.integer(), (lines, seed) => {
        const shuffled = [...lines].sort((p, q) => ((p.at.getTime() * 31 + seed) % 7) - ((q.at.getTime() * 31 + seed) % 7));
        const a = purchaseHistory(lines, 7);
        const b = purchaseHistory(shuffled.reverse(), 7);
        expect(b).toEqual({ ...a, netRevenue: expect.closeTo(a.netRevenue, 6), mx: expect.closeTo(a.mx, 6) });
        expect(a.x).toBeLessThanOrEqual(Math.max(0, a.orders - 1));
      }),
    );
  });
});

describe('order history kept as an archive plus a bounded window of lines', () => {
  const purchases = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 500 })),
    { minLength: 1, maxLength: 80 },
  );
  const linesOf = (rows: Array<[number, number, number]>): PurchaseLine[] =>
    rows.map(([d, h, amount], i) => buy(`o${i}`, new Date(Date.UTC(2024, 0, 1 + d, h)), amount));

  it('keeps at most the limit of lines, whole UTC days, and scores like the whole history (property)', () => {
    fc.assert(
      fc.property(purchases, fc.integer({ min: 1, max: 30 }), (rows, keep) => {
        const lines = linesOf(rows);
        const whole = purchaseHistory(lines, 7);
        // Lines arriving one by one, archived whenever over the limit.
        let kept: PurchaseLine[] = [];
        let archive: OrderArchive | undefined;
        for (const line of [...lines].sort((a, b) => a.at.getTime() - b.at.getTime())) {
          const next = archiveOldLines([...kept, line], archive, keep);
          kept = next.lines;
          archive = next.archive;
          expect(kept.length).toBeLessThanOrEqual(keep);
        }
        const bounded = purchaseHistory(kept, 7, archive);
        expect(bounded.orders).toBe(whole.orders);
        expect(bounded.x).toBe(whole.x);
        expect(bounded.mx).toBeCloseTo(whole.mx, 6);
        expect(bounded.netRevenue).toBeCloseTo(whole.netRevenue, 6);
        expect(bounded.firstPurchaseDay?.getTime()).toBe(whole.firstPurchaseDay?.getTime());
        expect(bounded.lastPurchaseDay?.getTime()).toBe(whole.lastPurchaseDay?.getTime());
      }),
    );
  });

  it('reduces only the net revenue for a refund of an archived order', () => {
    const { lines, archive } = archiveOldLines([buy('o1', day('2024-01-01'), 10), buy('o2', day('2024-02-01'), 50)], undefined, 1);
    expect(lines).toHaveLength(1);
    const h = purchaseHistory([...lines, refund('o1', day('2024-03-01'), 10)], 7, archive);
    expect(h).toMatchObject({ orders: 2, x: 1, mx: 50, netRevenue: 50 });
  });

  it('combines two archives (a merge)', () => {
    const a = archiveOldLines([buy('a1', day('2024-01-01'), 10), buy('a2', day('2024-03-01'), 30)], undefined, 1).archive;
    const b = archiveOldLines([buy('b1', day('2023-12-01'), 20), buy('b2', day('2024-04-01'), 40)], undefined, 1).archive;
    const c = combineArchives(a, b);
    expect(c).toMatchObject({ lines: 2, orders: 2, purchaseDays: 2, dayValueSum: 30, firstDayValue: 20, revenue: 30 });
    expect(c?.firstPurchaseDay?.toISOString()).toBe('2023-12-01T00:00:00.000Z');
  });
});
