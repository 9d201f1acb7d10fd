import { resolvedEventDataV1, type Channel, type ResolvedEventDataV1 } from '@o2o/contracts';
import { DAY_MS } from '../instant';

/**
 * Builders for resolved events in domain specs. Every event is validated against the contract,
 * so the specs cannot drift from what identity-resolution actually publishes.
 */
export const T0 = '2024-01-01T00:00:00.000Z';

/** `T0` plus a number of days (fractions allowed). */
export function day(days: number, from: string = T0): string {
  return new Date(Date.parse(from) + days * DAY_MS).toISOString();
}

export interface EventOptions {
  id?: string;
  at?: string;
  channel?: Channel;
  customerId?: string;
  context?: Record<string, unknown>;
}

let sequence = 0;

export function resolvedEvent(
  fields: Partial<ResolvedEventDataV1> & Pick<ResolvedEventDataV1, 'eventType'>,
  options: EventOptions = {},
): ResolvedEventDataV1 {
  sequence += 1;
  const at = options.at ?? T0;
  return resolvedEventDataV1.parse({
    messageId: options.id ?? `m-${sequence}`,
    sourceId: `source-${options.channel ?? 'web'}`,
    channel: options.channel ?? 'web',
    customerId: options.customerId ?? 'c-1',
    identifiers: [],
    timestamp: at,
    receivedAt: at,
    ...(options.context ? { context: options.context } : {}),
    ...fields,
  });
}

export const track = (event: string, properties: Record<string, unknown> = {}, options?: EventOptions) =>
  resolvedEvent({ eventType: 'track', event, properties }, options);

export const identify = (traits: Record<string, unknown>, options?: EventOptions) =>
  resolvedEvent({ eventType: 'identify', traits }, options);

export const page = (category: string | undefined, options?: EventOptions) =>
  resolvedEvent(category === undefined ? { eventType: 'page', name: 'Home' } : { eventType: 'page', name: 'Category', category }, options);

export const answered = (questionId: string, answer: unknown, options?: EventOptions, extra: Record<string, unknown> = {}) =>
  track('Question Answered', { questionId, answer, ...extra }, options);

export const asked = (questionId: string, options?: EventOptions) => track('Question Asked', { questionId }, options);

export const viewed = (category: string, options?: EventOptions) => track('Product Viewed', { product_id: 'p', category }, options);

export interface OrderShape {
  categories?: string[];
  coupon?: string;
  gift?: boolean;
  shipping?: Record<string, unknown>;
  billing?: Record<string, unknown>;
}

export const ordered = (order: OrderShape = {}, options?: EventOptions) =>
  track(
    'Order Completed',
    {
      order_id: options?.id ?? 'o',
      total: 10,
      products: (order.categories ?? ['general']).map((category, i) => ({ product_id: `p${i}`, category })),
      ...(order.coupon !== undefined ? { coupon: order.coupon } : {}),
      ...(order.gift !== undefined ? { gift_wrap: order.gift } : {}),
      ...(order.shipping ? { shipping_address: order.shipping } : {}),
      ...(order.billing ? { billing_address: order.billing } : {}),
    },
    options,
  );

export const preferences = (choices: Record<string, unknown>, consents?: Record<string, boolean>, options?: EventOptions) =>
  track('Preferences Updated', { preferences: choices, ...(consents ? { consents } : {}) }, options);
