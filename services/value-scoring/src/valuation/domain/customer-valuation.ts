import {
  conditionalExpectedPurchases,
  customerValue,
  elapsedUnits,
  GammaGammaParams,
  PurchaseModelParams,
  RecencyFrequency,
  ValueTier,
} from '../../scoring/domain';
import { PurchaseHistory } from './purchase-history';
import { discountedYears, PeerLevel } from './peer-spend';

/**
 * Scores until the first fit exists (too little data to fit): value is net revenue to date, not a
 * forecast; published under this version so consumers can tell it from model-based scores.
 */
export const INTERIM_MODEL_VERSION = 'interim-historic-revenue-1';

export type ActiveModel =
  | { kind: 'interim'; version: typeof INTERIM_MODEL_VERSION }
  | {
      kind: 'fitted';
      version: string;
      fittedAt: Date;
      /** Unit the parameters were fitted in; scoring must use the same. */
      timeUnitDays: number;
      purchases: PurchaseModelParams;
      spend: GammaGammaParams;
    };

export const interimModel: ActiveModel = { kind: 'interim', version: INTERIM_MODEL_VERSION };

export interface ValuationSettings {
  horizonYears: number;
  annualDiscountRate: number;
  periodsPerYear: number;
  currency: string;
}

export interface Valuation {
  actualValue: number;
  probabilityAlive?: number;
  /** Expected purchases over the horizon, undiscounted. */
  expectedPurchases?: number;
  /** Expected spend in the coming year: what peers are compared on. Absent under the interim model. */
  expectedYearlySpend?: number;
  reasons: string[];
}

const DAYS_PER_YEAR = 365.25;

/** The customer's (x, t_x, T) in the model's unit, T measured up to `now` (never before the last purchase). */
export function recencyFrequency(history: PurchaseHistory, now: Date, timeUnitDays: number): RecencyFrequency | undefined {
  const first = history.firstPurchaseDay;
  const last = history.lastPurchaseDay;
  if (!first || !last) return undefined;
  const end = now > last ? now : last;
  const grid = { timeUnitDays, granularity: 'day' as const };
  return { x: history.x, tx: elapsedUnits(first, last, grid), T: elapsedUnits(first, end, grid) };
}

export function valueCustomer(model: ActiveModel, history: PurchaseHistory, now: Date, settings: ValuationSettings): Valuation {
  const money = (n: number) => `${round2(n)} ${settings.currency}`;
  if (model.kind === 'interim') {
    return {
      actualValue: Math.max(0, history.netRevenue),
      reasons: [
        `interim model ${INTERIM_MODEL_VERSION}: no fitted BG/NBD + Gamma-Gamma model yet (too little purchase history), so the value is net revenue to date (${money(history.netRevenue)} over ${history.orders} order(s)), not a forecast`,
      ],
    };
  }
  const rf = recencyFrequency(history, now, model.timeUnitDays);
  if (!rf) {
    return {
      actualValue: 0,
      expectedPurchases: 0,
      expectedYearlySpend: 0,
      reasons: [`model ${model.version}: no purchase yet, so no actual value; the model scores customers from their first purchase`],
    };
  }
  const timeUnitsPerYear = DAYS_PER_YEAR / model.timeUnitDays;
  const customer = { ...rf, mx: history.mx };
  const value = customerValue({ purchases: model.purchases, spend: model.spend }, customer, {
    timeUnitsPerYear,
    horizonYears: settings.horizonYears,
    annualDiscountRate: settings.annualDiscountRate,
    periodsPerYear: settings.periodsPerYear,
  });
  const nextYearPurchases = conditionalExpectedPurchases(model.purchases, rf, timeUnitsPerYear);
  const unit = model.timeUnitDays === 7 ? 'week' : model.timeUnitDays === 1 ? 'day' : `${model.timeUnitDays}-day unit`;
  const ownSpend =
    rf.x > 0 && history.mx > 0
      ? `, own mean ${money(history.mx)} over ${rf.x} repeat purchase(s)`
      : ', population mean (no repeat purchase yet)';
  return {
    actualValue: value.actualValue,
    probabilityAlive: value.probabilityAlive,
    expectedPurchases: value.expectedPurchases,
    expectedYearlySpend: nextYearPurchases * value.expectedSpend,
    reasons: [
      `model ${model.version} (${model.purchases.model} + gamma-gamma): ${rf.x} repeat purchase day(s), last ${round1(rf.T - rf.tx)} ${unit}(s) ago, first ${round1(rf.T)} ${unit}(s) ago`,
      `probability still active ${round2(value.probabilityAlive)}${rf.x === 0 ? ' (BG/NBD: no dropout before a first repeat purchase)' : ''}`,
      `expects ${round2(value.expectedPurchases)} purchase(s) over ${settings.horizonYears} year(s) at ${money(value.expectedSpend)} each (Gamma-Gamma${ownSpend})`,
      `actual value ${money(value.actualValue)}: that spend discounted at ${round2(settings.annualDiscountRate * 100)}%/year`,
    ],
  };
}

/** Lowest value that reached each tier in the last value-sorted walk; live scores are placed against them. */
export interface TierCutoffs {
  A: number;
  B: number;
  C: number;
}

/** Before any walk: fixed revenue thresholds of the interim model. */
export const interimTierCutoffs: TierCutoffs = { A: 1000, B: 250, C: 50 };

export function tierFromCutoffs(value: number, cutoffs: TierCutoffs): ValueTier {
  if (!(value > 0)) return 'D';
  if (value >= cutoffs.A) return 'A';
  if (value >= cutoffs.B) return 'B';
  if (value >= cutoffs.C) return 'C';
  return 'D';
}

export interface StrategicValue {
  strategicValue: number;
  peerGroup?: string;
  peerLevel?: number;
  peerCustomers?: number;
  reason: string;
}

/**
 * Share-of-wallet gap: max(0, peer level - expected yearly spend) each year over the horizon,
 * discounted like actual value, so the two add up to a comparable "could be worth".
 */
export function strategicValueOf(
  expectedYearlySpend: number | undefined,
  peer: PeerLevel | undefined,
  settings: ValuationSettings,
  percentile: number,
): StrategicValue {
  if (expectedYearlySpend === undefined) {
    return { strategicValue: 0, reason: 'strategic value needs a fitted model: under the interim model it is 0' };
  }
  if (!peer) {
    return {
      strategicValue: 0,
      reason: 'strategic value 0: no peer group with enough customers for this needs profile and category breadth yet',
    };
  }
  const gap = Math.max(0, peer.level - expectedYearlySpend);
  const strategicValue = gap * discountedYears(settings.horizonYears, settings.annualDiscountRate);
  const money = (n: number) => `${round2(n)} ${settings.currency}`;
  return {
    strategicValue,
    peerGroup: peer.key,
    peerLevel: peer.level,
    peerCustomers: peer.customers,
    reason:
      gap > 0
        ? `strategic value ${money(strategicValue)}: peers (${peer.key}, ${peer.customers} customers) spend ${money(peer.level)} a year at their ${Math.round(percentile * 100)}th percentile against this customer's expected ${money(expectedYearlySpend)}; the gap over ${settings.horizonYears} year(s), discounted`
        : `strategic value 0: expected yearly spend ${money(expectedYearlySpend)} already reaches the ${Math.round(percentile * 100)}th percentile of peers (${peer.key}): ${money(peer.level)}`,
  };
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
