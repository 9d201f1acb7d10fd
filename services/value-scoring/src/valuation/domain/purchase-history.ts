import { summariseTransactions, Transaction } from '../../scoring/domain';

/** One purchase or refund as stored on a customer's summary (event time, signed amount). */
export interface PurchaseLine {
  orderId: string;
  kind: 'purchase' | 'refund';
  at: Date;
  /** Positive for purchases, negative for refunds. */
  amount: number;
}

/**
 * What the models need from a customer's order lines, independent of "now": T is measured at
 * scoring time from firstPurchaseDay, so the same history scores the same whenever it arrived.
 */
export interface PurchaseHistory {
  /** Orders that still count as purchases (not refunded away). */
  orders: number;
  /** Repeat purchases: purchase days after the first one (several orders on one UTC day are one purchase). */
  x: number;
  /** Start (UTC) of the first and last purchase day. */
  firstPurchaseDay?: Date;
  lastPurchaseDay?: Date;
  /** Mean net value of the x repeat purchase days (m_x); 0 when x = 0. */
  mx: number;
  /** All lines summed: purchases minus refunds, whatever they matched. */
  netRevenue: number;
}

const MS_PER_DAY = 86_400_000;

const byTimeThenId = (p: PurchaseLine, q: PurchaseLine) =>
  p.at.getTime() - q.at.getTime() || (p.orderId < q.orderId ? -1 : p.orderId > q.orderId ? 1 : 0) || p.amount - q.amount;

/**
 * Order lines -> the BG/NBD / Gamma-Gamma summary, following the scoring domain's day convention
 * (summariseTransactions with granularity 'day'). Refunds reduce spend: a refund carrying an
 * order id reduces that order; one without a known order reduces the latest order placed before
 * it (the likeliest one refunded). An order refunded to zero or below is no longer a purchase, so
 * it neither counts for frequency nor recency. The result depends only on the set of lines, never
 * on their arrival order, so history imported late scores like history that arrived live.
 */
export function purchaseHistory(lines: readonly PurchaseLine[], timeUnitDays: number): PurchaseHistory {
  const sorted = [...lines].sort(byTimeThenId);
  const orders = new Map<string, { at: Date; amount: number; refunded: boolean }>();
  let netRevenue = 0;
  for (const line of sorted) {
    netRevenue += line.amount;
    if (line.kind !== 'purchase') continue;
    const order = orders.get(line.orderId);
    if (order) order.amount += line.amount;
    else orders.set(line.orderId, { at: line.at, amount: line.amount, refunded: false });
  }
  const chronological = [...orders.values()];
  for (const line of sorted) {
    if (line.kind !== 'refund') continue;
    const target = orders.get(line.orderId) ?? latestBefore(chronological, line.at);
    if (!target) continue;
    target.amount += line.amount;
    target.refunded = true;
  }
  const transactions: Transaction[] = [];
  for (const order of chronological) {
    if (order.refunded && order.amount <= 0) continue;
    transactions.push({ customerId: 'c', at: order.at, amount: Math.max(0, order.amount) });
  }
  const last = transactions[transactions.length - 1];
  if (!last) return { orders: 0, x: 0, mx: 0, netRevenue };
  const lastAt = transactions.reduce((latest, t) => (t.at > latest ? t.at : latest), last.at);
  const [summary] = summariseTransactions(transactions, { calibrationEnd: lastAt, timeUnitDays, granularity: 'day' });
  if (!summary) return { orders: 0, x: 0, mx: 0, netRevenue };
  return {
    orders: transactions.length,
    x: summary.x,
    firstPurchaseDay: summary.firstPurchaseAt,
    lastPurchaseDay: new Date(Math.floor(lastAt.getTime() / MS_PER_DAY) * MS_PER_DAY),
    mx: summary.mx,
    netRevenue,
  };
}

function latestBefore(orders: Array<{ at: Date; amount: number; refunded: boolean }>, at: Date) {
  let found: { at: Date; amount: number; refunded: boolean } | undefined;
  for (const order of orders) if (order.at <= at && (!found || order.at >= found.at)) found = order;
  return found;
}
