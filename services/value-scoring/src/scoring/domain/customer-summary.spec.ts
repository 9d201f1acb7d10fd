import { elapsedUnits, summariseTransactions, Transaction } from './customer-summary';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('summariseTransactions', () => {
  const transactions: Transaction[] = [
    { customerId: 'b', at: new Date('2024-01-08T10:00:00Z'), amount: 10 },
    { customerId: 'a', at: new Date('2024-01-01T09:00:00Z'), amount: 20 },
    { customerId: 'a', at: new Date('2024-01-15T12:00:00Z'), amount: 30 },
    // Same day as the previous one: one purchase of 40 at day granularity.
    { customerId: 'a', at: new Date('2024-01-15T18:00:00Z'), amount: 10 },
    { customerId: 'a', at: new Date('2024-01-29T08:00:00Z'), amount: 60 },
    { customerId: 'a', at: new Date('2024-02-12T08:00:00Z'), amount: 5 },
    { customerId: 'b', at: new Date('2024-02-20T08:00:00Z'), amount: 7 },
    { customerId: 'b', at: new Date('2024-03-20T08:00:00Z'), amount: 99 },
    // First purchase after the calibration end: no calibration history, left out.
    { customerId: 'c', at: new Date('2024-02-05T08:00:00Z'), amount: 15 },
  ];

  it('computes x, t_x, T, m_x in weeks and counts the holdout, merging same-day purchases', () => {
    const summaries = summariseTransactions(transactions, { calibrationEnd: day('2024-02-01'), holdoutEnd: day('2024-02-29') });
    expect(summaries.map((s) => s.customerId)).toEqual(['a', 'b']);
    const [a, b] = summaries;
    // a: first 2024-01-01, repeats on 01-15 (30+10) and 01-29 (60): t_x = 28 days, T = 31 days.
    expect(a).toMatchObject({ x: 2, mx: 50, holdoutPurchases: 1, holdoutSpend: 5 });
    expect(a?.tx).toBeCloseTo(4, 12);
    expect(a?.T).toBeCloseTo(31 / 7, 12);
    // b: only the first purchase in calibration; 02-20 is in the holdout, 03-20 after it.
    expect(b).toMatchObject({ x: 0, tx: 0, mx: 0, holdoutPurchases: 1, holdoutSpend: 7 });
    expect(b?.T).toBeCloseTo(24 / 7, 12);
  });

  it('keeps same-day purchases apart with exact granularity and daily units', () => {
    const [a] = summariseTransactions(transactions, { calibrationEnd: day('2024-02-01'), granularity: 'exact', timeUnitDays: 1 });
    expect(a?.x).toBe(3);
    expect(a?.tx).toBeCloseTo(28 - 1 / 24, 9);
    expect(a?.mx).toBeCloseTo(100 / 3, 12);
  });

  it('does not depend on the input order', () => {
    const options = { calibrationEnd: day('2024-02-01'), holdoutEnd: day('2024-02-29') };
    expect(summariseTransactions([...transactions].reverse(), options)).toEqual(summariseTransactions(transactions, options));
  });

  it('measures elapsed time on the same grid', () => {
    expect(elapsedUnits(day('2024-02-01'), day('2024-02-29'))).toBe(4);
  });
});
