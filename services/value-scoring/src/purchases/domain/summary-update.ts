import { CostFact, PurchaseFact } from './purchase';
import type { CostCounts, OrderArchive } from '../../shared-kernel/domain';
import { orderKey, TracedLine } from './order-lines';
import { archiveOldLines } from '../../valuation/domain/purchase-history';

/** An order line as a summary keeps it. */
export interface SummaryLine extends TracedLine {
  channel?: string;
  categories: string[];
}

/** The part of a purchase summary that resolved events change. */
export interface SummaryState {
  orders: SummaryLine[];
  purchases: number;
  revenue: number;
  firstSeenAt?: Date;
  firstPurchaseAt?: Date;
  lastPurchaseAt?: Date;
  channels: string[];
  categories: string[];
  /**
   * Ids of the events applied (bounded, newest kept): what makes a redelivery change nothing.
   * Purchases are also deduplicated by order id per source against the order lines, which are
   * never forgotten, so a redelivery older than the window, or a copy with another event id,
   * counts once too.
   */
  appliedEvents: string[];
  /** Lines folded away beyond the window of lines kept (bounded customers). */
  archive?: OrderArchive;
  /** Returns, service calls and contacts counted so far: what the cost model prices. */
  costs?: CostCounts;
}

/** One resolved event as it bears on a summary. */
export interface EventChange {
  eventId: string;
  /** The customer id the event carried (before a merged id was mapped to its survivor). */
  origin: string;
  /** Event time. */
  seenAt: Date;
  purchase: PurchaseFact | null;
  /** A service call or outbound contact the event records (absent: none). */
  cost?: CostFact | null;
}

/**
 * Applies, in order, the events a summary has not applied yet (by id, also within the list) and
 * returns the new state with their ids recorded, or undefined if none was new. Several events of
 * one customer in a batch become one state, so one write; the result is the same as applying
 * them one by one, and applying the same list twice changes nothing the second time.
 */
export function applyEvents<S extends SummaryState>(
  summary: S,
  changes: readonly EventChange[],
  keptEventIds: number,
  keptLines = Infinity,
): S | undefined {
  const seen = new Set(summary.appliedEvents);
  const fresh = changes.filter((c) => {
    if (seen.has(c.eventId)) return false;
    seen.add(c.eventId);
    return true;
  });
  if (fresh.length === 0) return undefined;
  // Lines, channels and categories are copied only when an event adds to them: a state that
  // keeps them shares the given state's arrays (never changed in place), which tells the
  // updater they need no write (SummaryUpdater.settle).
  const next: S = {
    ...summary,
    appliedEvents: [...summary.appliedEvents, ...fresh.map((c) => c.eventId)].slice(-keptEventIds),
  };
  let copied = false;
  let orders: Set<string> | undefined;
  for (const change of fresh) {
    next.firstSeenAt = earliest(next.firstSeenAt, change.seenAt);
    if (change.cost) next.costs = countCost(next.costs, change.cost);
    const p = change.purchase;
    if (!p) continue;
    const key = orderKey(p);
    if (key !== undefined) {
      orders ??= new Set(summary.orders.map(orderKey).filter((k): k is string => k !== undefined));
      if (orders.has(key)) continue;
      orders.add(key);
    }
    if (!copied) {
      next.orders = [...summary.orders];
      next.channels = [...summary.channels];
      next.categories = [...summary.categories];
      copied = true;
    }
    next.orders.push({
      eventId: change.eventId,
      sourceId: p.sourceId,
      orderId: p.orderId,
      kind: p.kind,
      at: p.at,
      amount: p.amount,
      channel: p.channel,
      categories: p.categories,
      origin: change.origin,
      identifiers: p.identifiers,
    });
    next.revenue += p.amount;
    if (p.kind === 'refund') next.costs = { ...countCost(next.costs, null), returns: (next.costs?.returns ?? 0) + 1 };
    if (!next.channels.includes(p.channel)) next.channels.push(p.channel);
    for (const category of p.categories) if (!next.categories.includes(category)) next.categories.push(category);
    if (p.kind === 'purchase') {
      next.purchases += 1;
      next.firstPurchaseAt = earliest(next.firstPurchaseAt, p.at);
      next.lastPurchaseAt = latest(next.lastPurchaseAt, p.at);
    }
  }
  if (next.orders.length > keptLines) {
    // Order ids of archived lines are no longer known: a copy of an order older than the
    // window under another event id would count again (its event id is still remembered).
    const bounded = archiveOldLines(next.orders, next.archive, keptLines);
    next.orders = bounded.lines;
    if (bounded.archive) next.archive = bounded.archive;
  }
  return next;
}

/** The counts with one more cost event (a copy: states are never changed in place). */
function countCost(counts: CostCounts | undefined, cost: CostFact | null): CostCounts {
  const next: CostCounts = {
    returns: counts?.returns ?? 0,
    serviceCalls: counts?.serviceCalls ?? 0,
    contacts: { ...(counts?.contacts ?? {}) },
  };
  if (counts?.mergedFrom) next.mergedFrom = [...counts.mergedFrom];
  if (cost?.kind === 'service-call') next.serviceCalls += 1;
  if (cost?.kind === 'contact') next.contacts[cost.channel] = (next.contacts[cost.channel] ?? 0) + 1;
  return next;
}

function earliest(a: Date | undefined, b: Date): Date {
  return a === undefined || b < a ? b : a;
}

function latest(a: Date | undefined, b: Date): Date {
  return a === undefined || b > a ? b : a;
}
