import { BgNbdParams, bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive } from './bg-nbd.model';
import { RecencyFrequency } from './customer-summary';
import { ParetoNbdParams, paretoNbdConditionalExpectedPurchases, paretoNbdProbabilityAlive } from './pareto-nbd.model';

/**
 * A fitted purchase-count model as plain data, so it can be stored, versioned and published
 * as it is; the functions below dispatch on `model`.
 */
export type PurchaseModelParams = { model: 'bg-nbd'; params: BgNbdParams } | { model: 'pareto-nbd'; params: ParetoNbdParams };

export function conditionalExpectedPurchases(purchases: PurchaseModelParams, customer: RecencyFrequency, t: number): number {
  return purchases.model === 'bg-nbd'
    ? bgNbdConditionalExpectedPurchases(purchases.params, customer, t)
    : paretoNbdConditionalExpectedPurchases(purchases.params, customer, t);
}

export function probabilityAlive(purchases: PurchaseModelParams, customer: RecencyFrequency): number {
  return purchases.model === 'bg-nbd'
    ? bgNbdProbabilityAlive(purchases.params, customer)
    : paretoNbdProbabilityAlive(purchases.params, customer);
}
