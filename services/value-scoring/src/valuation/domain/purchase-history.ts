import { summariseTransactions, Transaction } from '../../scoring/domain';
import type { OrderArchive } from '../../shared-kernel/domain';

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
export function purchaseHistory(lines: readonly PurchaseLine[], timeUnitDays: number, archive?: OrderArchive): PurchaseHistory {
  if (archive && archive.lines > 0) return withArchive(lines, archive);
  const { transactions, netRevenue } = transactionsOf(lines, false);
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

/**
 * Keeps at most `keep` lines whole (the newest; whole UTC days only, so no day is split between
 * archive and lines) and folds the older ones into the archive. `archived`: lines folded now.
 */
export function archiveOldLines<L extends PurchaseLine>(
  lines: readonly L[],
  archive: OrderArchive | undefined,
  keep: number,
): { lines: L[]; archive: OrderArchive | undefined; archived: number } {
  if (lines.length <= keep) return { lines: [...lines], archive, archived: 0 };
  const sorted = [...lines].sort(byTimeThenId);
  const boundary = sorted[sorted.length - keep - 1];
  if (!boundary) return { lines: [...lines], archive, archived: 0 };
  const cutDay = dayStart(boundary.at);
  const old = lines.filter((l) => dayStart(l.at) <= cutDay);
  const kept = lines.filter((l) => dayStart(l.at) > cutDay);
  return { lines: kept, archive: foldIntoArchive(archive, old, cutDay), archived: old.length };
}

/** Two customers' archives as one (a merge): their days are taken as distinct days. */
export function combineArchives(a: OrderArchive | undefined, b: OrderArchive | undefined): OrderArchive | undefined {
  if (!a || !b) return a ?? b;
  const [first, second] = (a.firstPurchaseDay?.getTime() ?? Infinity) <= (b.firstPurchaseDay?.getTime() ?? Infinity) ? [a, b] : [b, a];
  const last = [a.lastPurchaseDay, b.lastPurchaseDay].filter((d): d is Date => d !== undefined);
  const combined: OrderArchive = {
    lines: a.lines + b.lines,
    purchases: a.purchases + b.purchases,
    orders: a.orders + b.orders,
    revenue: a.revenue + b.revenue,
    purchaseDays: a.purchaseDays + b.purchaseDays,
    dayValueSum: a.dayValueSum + b.dayValueSum,
    firstDayValue: first.purchaseDays > 0 ? first.firstDayValue : second.firstDayValue,
    throughDay: new Date(Math.max(a.throughDay.getTime(), b.throughDay.getTime())),
  };
  const firstDay = first.firstPurchaseDay ?? second.firstPurchaseDay;
  if (firstDay) combined.firstPurchaseDay = firstDay;
  if (last.length > 0) combined.lastPurchaseDay = new Date(Math.max(...last.map((d) => d.getTime())));
  return combined;
}

function foldIntoArchive(archive: OrderArchive | undefined, lines: readonly PurchaseLine[], cutDay: number): OrderArchive {
  const { transactions, netRevenue } = transactionsOf(lines, false);
  const next: OrderArchive = archive
    ? { ...archive }
    : { lines: 0, purchases: 0, orders: 0, revenue: 0, purchaseDays: 0, dayValueSum: 0, firstDayValue: 0, throughDay: new Date(cutDay) };
  const held = archive ? archive.throughDay.getTime() : -Infinity;
  for (const [day, value] of dayTotals(transactions)) {
    next.dayValueSum += value;
    const first = next.firstPurchaseDay?.getTime();
    if (first === undefined || next.purchaseDays === 0) {
      next.purchaseDays = 1;
      next.firstPurchaseDay = new Date(day);
      next.firstDayValue = value;
    } else if (day < first) {
      next.purchaseDays++;
      next.firstPurchaseDay = new Date(day);
      next.firstDayValue = value;
    } else if (day === first) {
      next.firstDayValue += value;
    } else if (day > held) {
      next.purchaseDays++;
    }
    if (!next.lastPurchaseDay || day > next.lastPurchaseDay.getTime()) next.lastPurchaseDay = new Date(day);
  }
  next.lines += lines.length;
  next.purchases += lines.filter((l) => l.kind === 'purchase').length;
  next.orders += transactions.length;
  next.revenue += netRevenue;
  next.throughDay = new Date(Math.max(cutDay, held));
  return next;
}

function withArchive(lines: readonly PurchaseLine[], archive: OrderArchive): PurchaseHistory {
  const { transactions, netRevenue } = transactionsOf(lines, true);
  const days = dayTotals(transactions);
  const windowFirst = days[0];
  const windowLast = days[days.length - 1];
  const total = archive.purchaseDays + days.length;
  const net = archive.revenue + netRevenue;
  const orders = archive.orders + transactions.length;
  if (total === 0) return { orders, x: 0, mx: 0, netRevenue: net };
  const firstDay = archive.purchaseDays > 0 ? archive.firstPurchaseDay : windowFirst ? new Date(windowFirst[0]) : undefined;
  const firstValue = archive.purchaseDays > 0 ? archive.firstDayValue : (windowFirst?.[1] ?? 0);
  const sum = archive.dayValueSum + days.reduce((acc, [, v]) => acc + v, 0);
  const x = total - 1;
  const lastTimes = [archive.lastPurchaseDay?.getTime(), windowLast?.[0]].filter((t): t is number => t !== undefined);
  return {
    orders,
    x,
    ...(firstDay ? { firstPurchaseDay: firstDay } : {}),
    ...(lastTimes.length > 0 ? { lastPurchaseDay: new Date(Math.max(...lastTimes)) } : {}),
    mx: x > 0 ? (sum - firstValue) / x : 0,
    netRevenue: net,
  };
}

/** Per UTC day (start, ms) the summed value of the transactions, ascending. */
function dayTotals(transactions: readonly Transaction[]): Array<[number, number]> {
  const days = new Map<number, number>();
  for (const t of transactions) {
    const day = dayStart(t.at);
    days.set(day, (days.get(day) ?? 0) + t.amount);
  }
  return [...days.entries()].sort((a, b) => a[0] - b[0]);
}

function dayStart(at: Date): number {
  return Math.floor(at.getTime() / MS_PER_DAY) * MS_PER_DAY;
}

/**
 * Lines as the models' transactions: refunds reduce their order (or, without a known order, the
 * latest placed before them, unless `archived`: then the order is likely among the archived
 * ones and only the net revenue goes down); an order refunded to zero or below no longer counts.
 */
function transactionsOf(lines: readonly PurchaseLine[], archived: boolean): { transactions: Transaction[]; netRevenue: number } {
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
    const target = orders.get(line.orderId) ?? (archived ? undefined : latestBefore(chronological, line.at));
    if (!target) continue;
    target.amount += line.amount;
    target.refunded = true;
  }
  const transactions: Transaction[] = [];
  for (const order of chronological) {
    if (order.refunded && order.amount <= 0) continue;
    transactions.push({ customerId: 'c', at: order.at, amount: Math.max(0, order.amount) });
  }
  return { transactions, netRevenue };
}

function latestBefore(orders: Array<{ at: Date; amount: number; refunded: boolean }>, at: Date) {
  let found: { at: Date; amount: number; refunded: boolean } | undefined;
  for (const order of orders) if (order.at <= at && (!found || order.at >= found.at)) found = order;
  return found;
}
