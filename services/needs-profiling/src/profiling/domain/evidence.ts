import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { canonicalJson } from './canonical-json';
import { anyTruthy, readRecord, readRecords, readString, slug, type JsonRecord } from './event-reading';
import { normaliseInstant } from './instant';
import {
  unionNewest,
  type CategorySignal,
  type ChannelSignal,
  type EngagementSignal,
  type Evidence,
  type PurchaseSignal,
} from './needs-profile';
import type { ProfilingConfig } from './profiling-config';

/**
 * Whether the event is an offer outcome from campaigns.outcomes.v1 (see the outcomes consumer):
 * learning input only. The channel's own report of the same outcome arrives on identity.events
 * and counts as activity there, and an ignored offer is no activity at all.
 */
export function isOfferOutcome(event: ResolvedEventDataV1, config: ProfilingConfig): boolean {
  return event.sourceId === config.outcomes.sourceId;
}

/** Whether the customer did something (as opposed to us doing something to them). */
export function isCustomerActivity(event: ResolvedEventDataV1, config: ProfilingConfig): boolean {
  if (isOfferOutcome(event, config)) return false;
  if (!config.events.activityTypes.includes(event.eventType)) return false;
  return !(event.eventType === 'track' && event.event !== undefined && config.events.outbound.includes(event.event));
}

export function isPurchase(event: ResolvedEventDataV1, config: ProfilingConfig): boolean {
  return event.eventType === 'track' && event.event !== undefined && config.events.purchases.includes(event.event);
}

function categoriesOf(event: ResolvedEventDataV1): string[] {
  const found = new Set<string>();
  const addFrom = (record: JsonRecord | undefined) => {
    const category = readString(record, 'category');
    if (category !== undefined && slug(category) !== '') found.add(slug(category));
  };
  addFrom(event.properties);
  for (const product of readRecords(event.properties, 'products')) addFrom(product);
  if (event.eventType === 'page' || event.eventType === 'screen') {
    if (event.category !== undefined && slug(event.category) !== '') found.add(slug(event.category));
  }
  return [...found].sort();
}

function addressesDiffer(properties: JsonRecord | undefined): boolean {
  const shipping =
    readRecord(properties, 'shipping_address', 'shippingAddress') ?? readString(properties, 'shipping_address', 'shippingAddress');
  const billing =
    readRecord(properties, 'billing_address', 'billingAddress') ?? readString(properties, 'billing_address', 'billingAddress');
  if (shipping === undefined || billing === undefined) return false;
  return normalisedAddress(shipping) !== normalisedAddress(billing);
}

function normalisedAddress(address: JsonRecord | string): string {
  if (typeof address === 'string') return address.toLowerCase().replace(/\s+/g, ' ').trim();
  const cleaned: JsonRecord = {};
  for (const [k, v] of Object.entries(address)) cleaned[k] = typeof v === 'string' ? v.toLowerCase().replace(/\s+/g, ' ').trim() : v;
  return canonicalJson(cleaned);
}

/** The behavioural evidence one event carries, each item keyed by the event id. */
export function evidenceOf(event: ResolvedEventDataV1, config: ProfilingConfig): Evidence {
  const evidence: Evidence = { categories: [], purchases: [], channels: [], engagement: [] };
  if (isOfferOutcome(event, config)) return outcomeEvidence(event, config);
  if (!isCustomerActivity(event, config)) return evidence;
  const at = normaliseInstant(event.timestamp);
  const id = event.messageId;

  if (!config.channelPreference.ignoreChannels.includes(event.channel)) {
    evidence.channels.push({ id, at, channel: event.channel } satisfies ChannelSignal);
  }

  const consideration = config.stages.consideration;
  const isPageView = event.eventType === 'page' || event.eventType === 'screen';
  const isSignal = event.eventType === 'track' && event.event !== undefined && consideration.signals.includes(event.event);
  if (isSignal || (isPageView && consideration.countPageViews)) {
    evidence.engagement.push({ id, at, event: event.event ?? event.eventType } satisfies EngagementSignal);
  }

  const weight = isPageView
    ? config.affinity.pageViewWeight
    : (config.affinity.signals.find((s) => event.eventType === 'track' && s.event === event.event)?.weight ?? 0);
  if (weight > 0) {
    for (const category of categoriesOf(event)) {
      evidence.categories.push({
        id: `${id}#${category}`,
        eventId: id,
        at,
        channel: event.channel,
        category,
        weight,
      } satisfies CategorySignal);
    }
  }

  if (isPurchase(event, config)) {
    const products = readRecords(event.properties, 'products');
    const discountProps = config.priceSensitivity.discountProperties;
    const giftProps = config.giftBuying.giftProperties;
    const discounted = anyTruthy(event.properties, discountProps) || products.some((p) => anyTruthy(p, discountProps));
    const gift =
      anyTruthy(event.properties, giftProps) ||
      products.some((p) => anyTruthy(p, giftProps)) ||
      (config.giftBuying.differentShippingAddressIsGift && addressesDiffer(event.properties));
    evidence.purchases.push({ id, at, channel: event.channel, discounted, gift } satisfies PurchaseSignal);
  }
  return evidence;
}

const OUTCOMES = ['presented', 'accepted', 'declined', 'ignored'] as const;

/**
 * What an offer outcome teaches: a signal on each of the offer's categories and one on the
 * channel it happened on, weighted by the outcome (negative for declined and ignored), keyed by
 * the outcome's id so a redelivery adds nothing. They decay like the other signals.
 */
function outcomeEvidence(event: ResolvedEventDataV1, config: ProfilingConfig): Evidence {
  const evidence: Evidence = { categories: [], purchases: [], channels: [], engagement: [] };
  const outcome = OUTCOMES.find((o) => o === readString(event.properties, 'outcome'));
  if (outcome === undefined) return evidence;
  const at = normaliseInstant(event.timestamp);
  const id = event.messageId;
  const channel = readString(event.properties, 'channel') ?? event.channel;
  const channelWeight = config.outcomes.channelWeights[outcome];
  if (channelWeight !== 0 && !config.channelPreference.ignoreChannels.includes(channel)) {
    evidence.channels.push({ id, at, channel, weight: channelWeight } satisfies ChannelSignal);
  }
  const categoryWeight = config.outcomes.categoryWeights[outcome];
  const raw = event.properties?.['categories'];
  const categories = [
    ...new Set(
      (Array.isArray(raw) ? raw : [])
        .filter((c): c is string => typeof c === 'string')
        .map((c) => slug(c))
        .filter((c) => c !== ''),
    ),
  ].sort();
  if (categoryWeight !== 0) {
    for (const category of categories)
      evidence.categories.push({
        id: `${id}#${category}`,
        eventId: id,
        at,
        channel,
        category,
        weight: categoryWeight,
      } satisfies CategorySignal);
  }
  return evidence;
}

export function unionEvidence(a: Evidence, b: Evidence, limits: ProfilingConfig['evidenceLimits']): Evidence {
  return {
    categories: unionNewest(a.categories, b.categories, limits.categories),
    purchases: unionNewest(a.purchases, b.purchases, limits.purchases),
    channels: unionNewest(a.channels, b.channels, limits.channels),
    engagement: unionNewest(a.engagement, b.engagement, limits.engagement),
  };
}
