import { ValueScoredDataV1 } from '@o2o/contracts';
import { createEnvelope } from './envelope-factory';

/**
 * A `customer.value-scored` state of one customer with the contract's required fields, for the
 * publisher's specs. `id`: an id that names the state for good (value-scoring's carry revision,
 * model and content), where a spec needs one; else a fresh one.
 */
export function valueScoredState(customerId: string, id?: string) {
  return createEnvelope<'customer.value-scored', ValueScoredDataV1>({
    type: 'customer.value-scored',
    version: 1,
    ...(id === undefined ? {} : { id }),
    source: '/test',
    subject: customerId,
    data: {
      customerId,
      actualValue: 1,
      strategicValue: 0,
      tier: 'D',
      purchases: 1,
      revenue: 1,
      currency: 'EUR',
      modelVersion: 'm',
      reasons: [],
      updatedAt: new Date(0).toISOString(),
    },
  });
}
