import { z } from 'zod';
import { round } from './canonical-json';
import { saturating } from './decay';
import type { Fact, PurchaseSignal } from './needs-profile';

/**
 * Price sensitivity and gift buying read the same purchase evidence. They use plain shares over
 * the retained purchases (the newest N) rather than decay: the habit is what matters, and the
 * bounded window already favours recent behaviour.
 */
export const priceSensitivityConfigSchema = z.object({
  /** Order or product properties that mean a discount was used. */
  discountProperties: z
    .array(z.string().min(1))
    .default(['coupon', 'coupon_code', 'couponCode', 'discount', 'promotion', 'promotion_id', 'promo_code', 'promoCode']),
  minPurchases: z.number().int().min(1).default(3),
  confidenceHalfCount: z.number().positive().default(3),
  key: z.string().min(1).default('price.sensitivity'),
  purpose: z.string().min(1).default('personalisation'),
});
export type PriceSensitivityConfig = z.output<typeof priceSensitivityConfigSchema>;

export const giftBuyingConfigSchema = z.object({
  /** Order or product properties that mean the purchase is a gift. */
  giftProperties: z
    .array(z.string().min(1))
    .default([
      'gift',
      'is_gift',
      'isGift',
      'gift_wrap',
      'giftWrap',
      'gift_message',
      'giftMessage',
      'ship_to_different_address',
      'shipToDifferentAddress',
    ]),
  /** Whether a shipping address unlike the billing address counts as a gift. */
  differentShippingAddressIsGift: z.boolean().default(true),
  minPurchases: z.number().int().min(1).default(2),
  /** Share of gift purchases from which the customer is a gift buyer. */
  minGiftShare: z.number().min(0).max(1).default(0.25),
  confidenceHalfCount: z.number().positive().default(3),
  key: z.string().min(1).default('gift.buyer'),
  purpose: z.string().min(1).default('personalisation'),
});
export type GiftBuyingConfig = z.output<typeof giftBuyingConfigSchema>;

function newest(purchases: readonly PurchaseSignal[]): PurchaseSignal | undefined {
  let best: PurchaseSignal | undefined;
  for (const p of purchases) if (!best || p.at > best.at || (p.at === best.at && p.id > best.id)) best = p;
  return best;
}

export function derivePriceSensitivity(purchases: readonly PurchaseSignal[], config: PriceSensitivityConfig): Fact[] {
  const latest = newest(purchases);
  if (!latest || purchases.length < config.minPurchases) return [];
  const discounted = purchases.filter((p) => p.discounted).length;
  return [
    {
      key: config.key,
      value: round(discounted / purchases.length),
      kind: 'inferred',
      channel: latest.channel,
      purpose: config.purpose,
      confidence: round(saturating(purchases.length, config.confidenceHalfCount)),
      observedAt: latest.at,
      sourceEventId: latest.id,
      origin: 'inference:price-sensitivity',
    },
  ];
}

export function deriveGiftBuying(purchases: readonly PurchaseSignal[], config: GiftBuyingConfig): Fact[] {
  const latest = newest(purchases);
  if (!latest || purchases.length < config.minPurchases) return [];
  const gifts = purchases.filter((p) => p.gift).length;
  return [
    {
      key: config.key,
      value: gifts > 0 && gifts / purchases.length >= config.minGiftShare,
      kind: 'inferred',
      channel: latest.channel,
      purpose: config.purpose,
      confidence: round(saturating(purchases.length, config.confidenceHalfCount)),
      observedAt: latest.at,
      sourceEventId: latest.id,
      origin: 'inference:gift-buying',
    },
  ];
}
