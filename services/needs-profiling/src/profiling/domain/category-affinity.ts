import { z } from 'zod';
import { round } from './canonical-json';
import { decayed, saturating } from './decay';
import { instantMs } from './instant';
import type { CategorySignal, Fact } from './needs-profile';

export const categoryAffinityConfigSchema = z.object({
  /** Track events that show interest in a category, with how much each counts. */
  signals: z.array(z.object({ event: z.string().min(1), weight: z.number().positive() })).default([
    { event: 'Product Viewed', weight: 1 },
    { event: 'Product Clicked', weight: 1 },
    { event: 'Product Added', weight: 3 },
    { event: 'Product Added to Wishlist', weight: 3 },
    { event: 'Order Completed', weight: 5 },
  ]),
  /** Weight of a page or screen view that names a category (0 ignores them). */
  pageViewWeight: z.number().min(0).default(0.5),
  halfLifeDays: z.number().positive().default(30),
  /** Publish at most this many categories, strongest first. */
  maxCategories: z.number().int().min(0).default(5),
  /** A category must hold at least this share of the customer's (decayed) interest. */
  minShare: z.number().min(0).max(1).default(0.1),
  /** Decayed weight at which confidence reaches 0.5 (one fresh purchase, by default). */
  confidenceHalfWeight: z.number().positive().default(5),
  purpose: z.string().min(1).default('personalisation'),
  keyPrefix: z.string().min(1).default('affinity.category.'),
});
export type CategoryAffinityConfig = z.output<typeof categoryAffinityConfigSchema>;

/**
 * Affinity value = the category's share of all (net, positive) decayed interest. Because every signal decays by
 * the same factor as time passes, the shares do not drift with the clock while the customer is
 * silent; only the confidence (absolute amount of fresh evidence) does.
 */
export function deriveCategoryAffinities(signals: readonly CategorySignal[], asOf: string, config: CategoryAffinityConfig): Fact[] {
  const byCategory = new Map<string, { weight: number; latest: CategorySignal }>();
  const asOfMs = instantMs(asOf);
  for (const signal of signals) {
    const weight = decayed(signal.weight, instantMs(signal.at), asOfMs, config.halfLifeDays);
    const entry = byCategory.get(signal.category);
    if (!entry) byCategory.set(signal.category, { weight, latest: signal });
    else {
      entry.weight += weight;
      if (signal.at > entry.latest.at || (signal.at === entry.latest.at && signal.id > entry.latest.id)) entry.latest = signal;
    }
  }
  // Declined and ignored offers count against their categories: a category's interest is its net
  // decayed weight, and one that nets out at or below zero holds no share of the customer's interest.
  let total = 0;
  for (const { weight } of byCategory.values()) if (weight > 0) total += weight;
  if (total <= 0) return [];
  return [...byCategory.entries()]
    .filter(([, { weight }]) => weight > 0)
    .map(([category, { weight, latest }]) => ({ category, weight, share: weight / total, latest }))
    .filter((c) => c.share >= config.minShare)
    .sort((a, b) => b.weight - a.weight || (a.category < b.category ? -1 : 1))
    .slice(0, config.maxCategories)
    .map(({ category, weight, share, latest }): Fact => ({
      key: `${config.keyPrefix}${category}`,
      value: round(share),
      kind: 'inferred',
      channel: latest.channel,
      purpose: config.purpose,
      confidence: round(saturating(weight, config.confidenceHalfWeight)),
      observedAt: latest.at,
      sourceEventId: latest.eventId,
      origin: 'inference:category-affinity',
    }));
}
