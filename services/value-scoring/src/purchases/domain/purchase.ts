import { ResolvedEventDataV1 } from '@o2o/contracts';

export interface PurchaseFact {
  /** The source (channel connection) that sent the order: order ids are unique per source. */
  sourceId: string;
  orderId: string;
  kind: 'purchase' | 'refund';
  /** Event time. */
  at: Date;
  /** Signed amount: negative for refunds. */
  amount: number;
  categories: string[];
  channel: string;
  /** "type:value" of the identifiers the event carried, kept so a split can place the line. */
  identifiers: string[];
}

/** Reads a purchase or refund out of a resolved track event, or null if it is neither. */
export function purchaseFrom(event: ResolvedEventDataV1, purchaseEvents: string[], refundEvents: string[]): PurchaseFact | null {
  if (event.eventType !== 'track' || !event.event) return null;
  const isPurchase = purchaseEvents.includes(event.event);
  const isRefund = refundEvents.includes(event.event);
  if (!isPurchase && !isRefund) return null;
  const properties = event.properties ?? {};
  const amount = firstNumber(properties['revenue'], properties['total'], properties['value']) ?? sumProducts(properties['products']);
  const orderId =
    typeof properties['order_id'] === 'string' || typeof properties['order_id'] === 'number'
      ? String(properties['order_id'])
      : event.messageId;
  return {
    sourceId: event.sourceId,
    orderId,
    kind: isRefund ? 'refund' : 'purchase',
    at: new Date(event.timestamp),
    amount: (isRefund ? -1 : 1) * Math.abs(amount ?? 0),
    categories: categoriesOf(properties),
    channel: event.channel,
    identifiers: event.identifiers.map((i) => `${i.type}:${i.value}`),
  };
}

function firstNumber(...values: unknown[]): number | undefined {
  for (const v of values) {
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
  }
  return undefined;
}

function sumProducts(products: unknown): number | undefined {
  if (!Array.isArray(products)) return undefined;
  let total = 0;
  for (const p of products) {
    if (typeof p !== 'object' || p === null) continue;
    const price = firstNumber((p as Record<string, unknown>)['price']) ?? 0;
    const quantity = firstNumber((p as Record<string, unknown>)['quantity']) ?? 1;
    total += price * quantity;
  }
  return total;
}

function categoriesOf(properties: Record<string, unknown>): string[] {
  const found = new Set<string>();
  if (typeof properties['category'] === 'string') found.add(properties['category']);
  if (Array.isArray(properties['products'])) {
    for (const p of properties['products']) {
      const c = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)['category'] : undefined;
      if (typeof c === 'string') found.add(c);
    }
  }
  return [...found];
}

/** An event that costs money to serve the customer, beyond orders and refunds (see cost-model). */
export type CostFact = { kind: 'service-call' } | { kind: 'contact'; channel: string };

/**
 * Reads a service call or an outbound contact out of a resolved track event, or null. A contact's
 * channel is the one its properties name (`channel`), else the channel of the source that sent it.
 */
export function costFrom(event: ResolvedEventDataV1, serviceCallEvents: string[], contactEvents: string[]): CostFact | null {
  if (event.eventType !== 'track' || !event.event) return null;
  if (serviceCallEvents.includes(event.event)) return { kind: 'service-call' };
  if (!contactEvents.includes(event.event)) return null;
  const named = event.properties?.['channel'];
  const channel = typeof named === 'string' && named.trim() !== '' ? named.trim().toLowerCase().slice(0, 64) : event.channel;
  return { kind: 'contact', channel };
}
