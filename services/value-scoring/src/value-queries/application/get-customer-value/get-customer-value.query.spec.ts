import { loadValueScoringConfig } from '../../../config/value-scoring.config';
import { RefusingSummaries } from '../../../purchases/application/ports/purchase-summaries.test-helper';
import type { Clock } from '../../../shared-kernel/application/clock';
import { emptySummary, PurchaseSummary } from '../../../shared-kernel/domain';
import { CustomerScorer } from '../../../valuation/application/customer.scorer';
import type { CostModels, ValueModels } from '../../../valuation/application/ports/valuation-inputs.port';
import { interimModel, interimTierCutoffs } from '../../../valuation/domain/customer-valuation';
import { GetCustomerValueHandler } from './get-customer-value.query';

const config = loadValueScoringConfig({
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  REDIS_URL: 'redis://127.0.0.1:6379',
});

/** Summaries by id; only single reads are answered (what the query does), counted. */
class StoredSummaries extends RefusingSummaries {
  reads: string[] = [];
  constructor(private readonly docs: ReadonlyMap<string, PurchaseSummary>) {
    super();
  }

  override async findOne(customerId: string): Promise<PurchaseSummary | null> {
    this.reads.push(customerId);
    return this.docs.get(customerId) ?? null;
  }
}

const interim: ValueModels = {
  model: () => interimModel,
  tierCutoffs: () => ({ cutoffs: interimTierCutoffs, fromWalk: false }),
  peerLevel: () => undefined,
};
const noCostModel: CostModels = {
  model: () => ({ perOrder: 0, perReturn: 0, perServiceCall: 0, perContact: {}, perContactDefault: 0, perCustomerYear: 0 }),
};
const now = new Date('2026-11-02T12:00:00Z');
const clock: Clock = { now: () => now };

const scored = (id: string, actualValue: number, tier: string): PurchaseSummary => ({
  ...emptySummary(id),
  purchases: 2,
  revenue: actualValue,
  score: { actualValue, strategicValue: 5, tier, modelVersion: 'm1', reasons: [`tier ${tier}`], scoredAt: now },
});

function handler(docs: PurchaseSummary[]) {
  const summaries = new StoredSummaries(new Map(docs.map((d) => [d._id, d])));
  return { summaries, query: new GetCustomerValueHandler(summaries, new CustomerScorer(interim, noCostModel, config), clock, config) };
}

describe('get customer value', () => {
  it("answers a customer's stored score", async () => {
    const { query } = handler([scored('cus_a', 120, 'B')]);
    const value = await query.execute('cus_a');
    expect(value).toMatchObject({ customerId: 'cus_a', actualValue: 120, tier: 'B', model: 'fitted', scoredAt: now.toISOString() });
    expect(value).not.toHaveProperty('mergedInto');
  });

  it("follows a chain of merges to the survivor and answers with the survivor's value, saying so", async () => {
    const { query, summaries } = handler([
      { ...emptySummary('cus_c'), mergedInto: 'cus_b' },
      { ...emptySummary('cus_b'), mergedInto: 'cus_a' },
      scored('cus_a', 900, 'A'),
    ]);
    const value = await query.execute('cus_c');
    expect(value).toMatchObject({ customerId: 'cus_a', requestedCustomerId: 'cus_c', mergedInto: 'cus_a', tier: 'A', actualValue: 900 });
    expect(summaries.reads).toEqual(['cus_c', 'cus_b', 'cus_a']);
  });

  it('scores a customer not scored yet without storing anything', async () => {
    const line = {
      orderId: 'o-1',
      kind: 'purchase' as const,
      at: new Date('2026-11-01T10:00:00Z'),
      amount: 60,
      categories: [],
      identifiers: [],
    };
    const { query } = handler([{ ...emptySummary('cus_new'), orders: [line], purchases: 1, revenue: 60 }]);
    const value = await query.execute('cus_new');
    // Interim model, costs free: the value is the net revenue to date, 60, tier C (>= 50).
    expect(value).toMatchObject({ customerId: 'cus_new', model: 'interim', actualValue: 60, tier: 'C', scoredAt: now.toISOString() });
  });

  it('knows nothing of an unknown id, or of one whose chain is broken', async () => {
    const { query } = handler([{ ...emptySummary('cus_x'), mergedInto: 'cus_gone' }]);
    expect(await query.execute('cus_unknown')).toBeUndefined();
    expect(await query.execute('cus_x')).toBeUndefined();
  });
});
