import fc from 'fast-check';
import { BSON } from 'mongodb';
import type { OrderLine, PurchaseSummary } from '../../shared-kernel/domain';
import { fromStored, StoredPurchaseSummary, TEXT_FIELDS, toStored } from './purchase-summary.schema';

/** What the driver hands back for a stored document: through BSON and back, as a read does. */
const throughDatabase = (doc: Record<string, unknown>): StoredPurchaseSummary =>
  BSON.deserialize(BSON.serialize(doc)) as StoredPurchaseSummary;

const at = (iso: string) => new Date(iso);

const lines: OrderLine[] = [
  {
    eventId: 'demo-store:e1',
    orderId: 'o-1',
    kind: 'purchase',
    at: at('2026-11-04T19:24:33.326Z'),
    amount: 49.4,
    channel: 'store',
    categories: ['shoes', 'books'],
    origin: 'cus_a',
    identifiers: ['userId:u-1', 'loyaltyCard:LC1'],
  },
  { orderId: 'o-1', kind: 'refund', at: at('2026-11-05T08:00:00.000Z'), amount: -0.1, categories: [], identifiers: [] },
];

const summary: PurchaseSummary = {
  _id: 'cus_a',
  orders: lines,
  purchases: 1,
  revenue: 49.3,
  firstSeenAt: at('2026-11-01T10:00:00.000Z'),
  firstPurchaseAt: lines[0]?.at,
  lastPurchaseAt: lines[0]?.at,
  channels: ['store'],
  categories: ['shoes', 'books'],
  appliedEvents: ['demo-web:v1', 'demo-store:e1', 'demo-store:r1'],
  revision: 4,
  writeId: 'w-1',
  x: 0,
  mx: 0,
  orderCount: 1,
  firstPurchaseDay: at('2026-11-04T00:00:00.000Z'),
  lastPurchaseDay: at('2026-11-04T00:00:00.000Z'),
  archetypes: ['family'],
  needsUpdatedAt: at('2026-11-03T00:00:00.000Z'),
  score: {
    actualValue: 49.3,
    strategicValue: 0,
    tier: 'B',
    probabilityAlive: 0.7249004390203082,
    modelVersion: 'interim-historic-revenue-1',
    peerGroup: 'archetypes=family;breadth=2-3',
    peerLevel: 158.92,
    peerCustomers: 78,
    reasons: ['interim model: net revenue to date', 'tier B: "quoted" and \\ escaped'],
    scoredAt: at('2026-11-05T08:00:01.000Z'),
  },
  scoredRevision: 4,
  rankValue: 49.3,
  publishedTier: 'B',
  publishedValue: 49.3,
  publishedStrategicValue: 0,
};

describe('purchase summary stored form', () => {
  it('stores the order lines, channels, categories and score as JSON text and every other field as it is', () => {
    const stored = toStored(summary);
    for (const field of TEXT_FIELDS) expect(typeof stored[field]).toBe('string');
    const { orders: _o, channels: _ch, categories: _ca, score: _s, ...rest } = summary;
    expect(stored).toMatchObject(rest);
  });

  it('keeps every field a query filters, sorts, projects on or updates by path a real field', () => {
    // revision/writeId: conditional writes; mergedInto, rankValue, firstPurchaseDay: paging, walks, fits, erasure;
    // appliedEvents: a split's onceFilter ($ne) and recordApplied ($push); x, mx, purchase days: the fit's projection.
    const queried = [
      '_id',
      'revision',
      'writeId',
      'mergedInto',
      'rankValue',
      'firstPurchaseDay',
      'lastPurchaseDay',
      'appliedEvents',
      'x',
      'mx',
      'scoredRevision',
    ];
    expect(TEXT_FIELDS.filter((f) => queried.includes(f))).toEqual([]);
  });

  it('reads back what it stores', () => {
    expect(fromStored(throughDatabase(toStored(summary)))).toEqual(summary);
  });

  it('reads a summary stored by the previous version (nested order lines and score) the same way', () => {
    expect(fromStored(throughDatabase({ ...summary }))).toEqual(summary);
  });

  it('reads a summary half converted (a score written as text over nested order lines)', () => {
    const { score, ...rest } = summary;
    expect(fromStored(throughDatabase({ ...rest, ...toStored({ score }) }))).toEqual(summary);
  });

  it('converts only the text fields a partial write carries', () => {
    expect(toStored({ revision: 5, writeId: 'w-2', appliedEvents: ['e1'] })).toEqual({
      revision: 5,
      writeId: 'w-2',
      appliedEvents: ['e1'],
    });
    expect(toStored({ orders: [] })).toEqual({ orders: '[]' });
  });

  it('reads a document holding its _id alone (an upsert seen half done) as the empty summary', () => {
    expect(fromStored(throughDatabase({ _id: 'cus_b' }))).toEqual({
      _id: 'cus_b',
      orders: [],
      channels: [],
      categories: [],
      appliedEvents: [],
      purchases: 0,
      revenue: 0,
      revision: 0,
    });
  });

  it('round-trips any order lines exactly (event times, amounts, optional fields)', () => {
    const line = fc.record(
      {
        eventId: fc.string(),
        orderId: fc.string(),
        kind: fc.constantFrom('purchase' as const, 'refund' as const),
        at: fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
        amount: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
        channel: fc.string(),
        categories: fc.array(fc.string()),
        origin: fc.string(),
        identifiers: fc.array(fc.string()),
      },
      { requiredKeys: ['orderId', 'kind', 'at', 'amount', 'categories', 'identifiers'] },
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 5 }), (orders) => {
        const read = fromStored(throughDatabase(toStored({ ...summary, orders })));
        expect(read.orders).toEqual(orders);
      }),
    );
  });
});
