import { discountedYears } from './peer-spend';
import type { ValuationSettings } from './customer-valuation';
import type { CostCounts } from '../../shared-kernel/domain';

/**
 * What serving a customer costs, in the account currency. Value is margin: revenue minus these.
 * The service starts from the configured defaults (COST_* settings); an operator edits them
 * through `PUT /v1/cost-model`, and every instance picks the new model up on its next refresh.
 */
export interface CostModel {
  /** Picking, packing, shipping and payment fees of one order. */
  perOrder: number;
  /** Handling one return (an `Order Refunded`): reverse shipping, inspection, restocking. */
  perReturn: number;
  /** One service call (`Service Call Completed`). */
  perServiceCall: number;
  /** One outbound contact, by channel; channels not listed cost `perContactDefault`. */
  perContact: Record<string, number>;
  perContactDefault: number;
  /** Keeping the customer on the books for a year (account, statements, data upkeep). */
  perCustomerYear: number;
}

export const noCosts: CostCounts = { returns: 0, serviceCalls: 0, contacts: {} };

export function addCounts(a: CostCounts | undefined, b: CostCounts | undefined): CostCounts {
  const contacts: Record<string, number> = { ...(a?.contacts ?? {}) };
  for (const [channel, n] of Object.entries(b?.contacts ?? {})) contacts[channel] = (contacts[channel] ?? 0) + n;
  return { returns: (a?.returns ?? 0) + (b?.returns ?? 0), serviceCalls: (a?.serviceCalls ?? 0) + (b?.serviceCalls ?? 0), contacts };
}

/** The inputs of a margin beyond the revenue valuation. */
export interface MarginInputs {
  /** Purchase lines ever counted (an order refunded later was still fulfilled). */
  purchases: number;
  /** Orders the customer kept (not refunded whole): what the purchase forecast counts. */
  keptOrders: number;
  counts: CostCounts;
  /** Years since the customer was first seen (tenure), for the yearly cost and contact rates. */
  tenureYears: number;
  /** Revenue valuation: net revenue to date (interim) or expected discounted spend (fitted). */
  grossValue: number;
  /** Set under a fitted model: the forecast the future costs follow. */
  forecast?: { expectedPurchases: number; probabilityAlive: number };
}

export interface Margin {
  actualValue: number;
  grossValue: number;
  costToServe: number;
  /** The parts of costToServe, for the reasons and the API. */
  parts: { orders: number; returns: number; serviceCalls: number; contacts: number; customer: number };
  reason: string;
}

/**
 * Contact and yearly rates are measured over at least this long: a customer seen for a week with
 * one mailing is not "52 mailings a year".
 */
export const MIN_RATE_YEARS = 1;

/**
 * Margin = revenue valuation minus cost to serve, allowed below zero.
 *
 * Interim model (value is revenue to date): the costs to date, each event at its price and the
 * yearly cost over the tenure so far.
 *
 * Fitted model (value is the discounted expected spend over the horizon): the costs that go with
 * that forecast. The forecast counts kept orders; each expected one brings the orders placed,
 * returns and service calls the customer has had per kept order so far, at their prices,
 * discounted by the mean discount over the horizon. Per year: contacts at the customer's rate so
 * far and the yearly cost, for as long as the customer is expected to stay active (probability
 * alive), discounted like spend. A customer who kept nothing has no forecast to follow: their
 * order, return and call costs so far run on per year the same way.
 */
export function marginOf(inputs: MarginInputs, model: CostModel, settings: ValuationSettings): Margin {
  const { counts, purchases } = inputs;
  const contactCostToDate = Object.entries(counts.contacts).reduce(
    (sum, [channel, n]) => sum + n * (model.perContact[channel] ?? model.perContactDefault),
    0,
  );
  const money = (n: number) => `${round2(n)} ${settings.currency}`;
  let parts: Margin['parts'];
  let basis: string;
  if (!inputs.forecast) {
    parts = {
      orders: purchases * model.perOrder,
      returns: counts.returns * model.perReturn,
      serviceCalls: counts.serviceCalls * model.perServiceCall,
      contacts: contactCostToDate,
      customer: Math.max(0, inputs.tenureYears) * model.perCustomerYear,
    };
    basis = 'to date';
  } else {
    const { expectedPurchases, probabilityAlive } = inputs.forecast;
    const discounted = discountedYears(settings.horizonYears, settings.annualDiscountRate);
    const meanDiscount = discounted / settings.horizonYears;
    const rateYears = Math.max(MIN_RATE_YEARS, inputs.tenureYears);
    const yearly = (costToDate: number) => (costToDate / rateYears) * probabilityAlive * discounted;
    // The forecast counts kept orders; each comes with the orders placed, returns and calls the
    // customer has had per kept order so far.
    const perKept = inputs.keptOrders > 0 ? (expectedPurchases / inputs.keptOrders) * meanDiscount : 0;
    parts = {
      orders: perKept * purchases * model.perOrder,
      returns: perKept * counts.returns * model.perReturn,
      serviceCalls: perKept * counts.serviceCalls * model.perServiceCall,
      contacts: yearly(contactCostToDate),
      customer: model.perCustomerYear * probabilityAlive * discounted,
    };
    // Nothing kept (no purchase, or every order sent back): no forecast to follow, so what the
    // orders, returns and calls cost so far runs on per year.
    if (inputs.keptOrders === 0) {
      parts.orders = yearly(purchases * model.perOrder);
      parts.returns = yearly(counts.returns * model.perReturn);
      parts.serviceCalls = yearly(counts.serviceCalls * model.perServiceCall);
    }
    basis = `expected over ${settings.horizonYears} year(s), discounted`;
  }
  const costToServe = parts.orders + parts.returns + parts.serviceCalls + parts.contacts + parts.customer;
  const actualValue = inputs.grossValue - costToServe;
  const contactCount = Object.values(counts.contacts).reduce((a, b) => a + b, 0);
  const reason =
    `margin ${money(actualValue)}: revenue value ${money(inputs.grossValue)} minus cost to serve ${money(costToServe)} ${basis} ` +
    `(orders ${money(parts.orders)} for ${purchases} order(s), returns ${money(parts.returns)} for ${counts.returns}, service calls ${money(parts.serviceCalls)} for ${counts.serviceCalls}, ` +
    `contacts ${money(parts.contacts)} for ${contactCount}, customer upkeep ${money(parts.customer)})` +
    (actualValue < 0 ? '; below zero: this customer costs more to serve than they bring' : '');
  return { actualValue, grossValue: inputs.grossValue, costToServe, parts, reason };
}

/** Checks a cost model: every price finite and >= 0. Returns the offending fields (dotted paths). */
export function costModelProblems(model: CostModel): string[] {
  const problems: string[] = [];
  const check = (field: string, n: number) => {
    if (!(Number.isFinite(n) && n >= 0)) problems.push(field);
  };
  check('perOrder', model.perOrder);
  check('perReturn', model.perReturn);
  check('perServiceCall', model.perServiceCall);
  check('perContactDefault', model.perContactDefault);
  check('perCustomerYear', model.perCustomerYear);
  for (const [channel, n] of Object.entries(model.perContact)) check(`perContact.${channel}`, n);
  return problems;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
