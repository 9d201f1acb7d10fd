import { PRODUCT_CATEGORIES } from './population-data';
import { SeededRandom } from '@o2o/random';
import { SyntheticSegmentEvent } from './segment-event.model';
import { TimeWindow } from './channel-event.generator';
import { SyntheticPerson } from './synthetic-person.model';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * "Order Completed" events of one person over the window: a Poisson process at the person's
 * yearly rate, each order worth Gamma(4, mean/4) so that order values scatter around the
 * person's own mean (the heterogeneity value models such as Pareto/NBD with gamma-gamma expect).
 */
export function purchaseEvents(
  rng: SeededRandom,
  person: SyntheticPerson,
  window: TimeWindow,
  nextOrderNumber: () => number,
): SyntheticSegmentEvent[] {
  const events: SyntheticSegmentEvent[] = [];
  const ratePerMs = person.purchaseRatePerYear / YEAR_MS;
  if (ratePerMs <= 0) return events;
  const channels = person.channels.filter((channel) => ['web', 'app', 'store', 'dealer'].includes(channel));
  const purchaseChannel = channels.length > 0 ? channels : (['store'] as const);
  for (let time = window.start + rng.exponential(ratePerMs); time < window.end; time += rng.exponential(ratePerMs)) {
    const channel = rng.pick(purchaseChannel);
    const target = rng.gamma(4, 4 / person.meanOrderValue);
    const lines = rng.int(1, 3);
    const products = Array.from({ length: lines }, (_, index) => {
      const category = rng.pick(PRODUCT_CATEGORIES);
      const quantity = rng.chance(0.8) ? 1 : rng.int(2, 4);
      // Prices share the order's target value between lines, nudged towards the category price.
      const price = round2(Math.max(5, (target / lines) * 0.7 + category.typicalPrice * 0.3 * rng.uniform()) / quantity);
      return {
        product_id: `sku-${category.category.toLowerCase().replace(/\s+/gu, '-')}-${rng.int(1, 50)}`,
        category: category.category,
        price,
        quantity,
        position: index + 1,
      };
    });
    const revenue = round2(products.reduce((sum, product) => sum + product.price * product.quantity, 0));
    const identity =
      (channel === 'web' || channel === 'app') && person.userId !== undefined
        ? { userId: person.userId, anonymousId: person.devices[0] ?? rng.uuid() }
        : { anonymousId: rng.uuid() };
    const traits =
      channel === 'store' && person.loyaltyCard !== undefined
        ? { loyaltyCard: person.loyaltyCard }
        : channel === 'dealer' && person.licencePlate !== undefined
          ? { licencePlate: person.licencePlate }
          : person.email !== undefined
            ? { email: person.email }
            : {};
    events.push({
      type: 'track',
      event: 'Order Completed',
      messageId: rng.uuid(),
      timestamp: new Date(Math.floor(time)).toISOString(),
      ...identity,
      properties: { order_id: `ord-${String(nextOrderNumber()).padStart(7, '0')}`, revenue, currency: 'AUD', products },
      context: { channel, traits },
    });
  }
  return events;
}
