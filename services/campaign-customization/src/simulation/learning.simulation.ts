import { seededUniform } from '@o2o/random';
import { computeLift, type LiftResult } from '../lift/domain/lift.statistics';
import { emptyProfile, type CustomerProfile } from '../shared-kernel/domain/customer-profile';
import type { ConsentRecord } from '../shared-kernel/domain/consent';
import { parseCampaign, type CampaignDefinition } from '../campaigns/domain/campaign-definition';
import { capChecksFor, contactScopes, countsNeeded, type ContactPolicy } from '../campaigns/domain/contact-cap';
import { isInCampaignHoldout, isInGlobalHoldout } from '../campaigns/domain/holdout';
import { decideNextAction } from '../campaigns/domain/next-action.decider';
import {
  addOutcome,
  archetypeOf,
  armKey,
  betaSampler,
  defaultLearningPolicy,
  NO_ARCHETYPE,
  offerIdOf,
  type ResponseCounts,
  type ResponseSampler,
} from '../campaigns/domain/offer-learning';

/**
 * The learning benchmark's world, offline: a seeded population whose needs are hidden (each
 * customer wants one product category; needs profiling has inferred an archetype that points to
 * it most of the time), contacted on two channels over simulated weeks through the platform's
 * own decision code (decideNextAction: eligibility, consent, caps, arbitration, holdouts). Only
 * the world is simulated: the Redis contact counters are an in-memory log, and outcomes reach
 * the learner at the end of each week instead of through Kafka.
 */

export type Strategy = 'learned' | 'priority' | 'random';
export const strategies: readonly Strategy[] = ['learned', 'priority', 'random'];

export interface SimulationOptions {
  customers: number;
  weeks: number;
  seed: number;
}

interface Product {
  campaignId: string;
  offerId: string;
  category: string;
  /** The marketer's belief of a conversion's worth: what priority-only arbitration ranks by. */
  conversionValue: number;
  /** Revenue of an acceptance. */
  price: number;
}

const products: readonly Product[] = [
  { campaignId: 'boots-promo', offerId: 'boots', category: 'shoes', conversionValue: 60, price: 120 },
  { campaignId: 'tent-promo', offerId: 'tent', category: 'outdoor', conversionValue: 50, price: 200 },
  { campaignId: 'bag-promo', offerId: 'laptop-bag', category: 'work', conversionValue: 45, price: 80 },
  { campaignId: 'gift-promo', offerId: 'gift-box', category: 'gifts', conversionValue: 40, price: 60 },
];

/** Archetype needs profiling infers -> the category it signals. */
const archetypes: Readonly<Record<string, string>> = {
  'urban-walker': 'shoes',
  'outdoor-family': 'outdoor',
  'remote-worker': 'work',
  'gift-giver': 'gifts',
};
const archetypeNames = Object.keys(archetypes);

/** Chance per offer: base, plus this when it meets the customer's hidden need. */
const BASE_ACCEPT = 0.03;
const NEED_ACCEPT = 0.3;
const DECLINE_GIVEN_NO = 0.35;
/** Chance per week of buying something unprompted (the control group's conversions). */
const ORGANIC_PURCHASE = 0.015;
/** Chance the inferred archetype points to the hidden need (else another or none). */
const ARCHETYPE_FIDELITY = 0.8;
const CONSENT_SHARE = 0.85;
const channels = ['email', 'sms'] as const;
const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;

export const simulationPolicy: ContactPolicy = {
  channelCaps: { email: [{ max: 1, windowHours: 168 }], sms: [{ max: 1, windowHours: 168 }] },
  totalCaps: [{ max: 1, windowHours: 168 }],
  globalHoldoutShare: 0.05,
};
const CAMPAIGN_HOLDOUT = 0.1;

interface Person {
  profile: CustomerProfile;
  need: string;
  consented: Set<string>;
}

function population(options: SimulationOptions, start: Date): Person[] {
  const random = seededUniform(options.seed);
  const people: Person[] = [];
  for (let i = 0; i < options.customers; i++) {
    const need = products[Math.floor(random() * products.length)]?.category ?? 'shoes';
    const signalled = archetypeNames.find((a) => archetypes[a] === need) ?? NO_ARCHETYPE;
    const roll = random();
    const observed =
      roll < ARCHETYPE_FIDELITY
        ? signalled
        : roll < 0.9
          ? (archetypeNames[Math.floor(random() * archetypeNames.length)] ?? NO_ARCHETYPE)
          : undefined;
    const consented = new Set(channels.filter(() => random() < CONSENT_SHARE));
    const consent: ConsentRecord[] = [...consented].map((channel) => ({
      purpose: 'marketing',
      channel,
      status: 'granted',
      at: start.toISOString(),
    }));
    const profile: CustomerProfile = {
      ...emptyProfile(`sim-${options.seed}-${i}`),
      needs: {
        stage: 'connection',
        stageReason: 'simulated',
        facts: [],
        archetypes: observed === undefined || observed === NO_ARCHETYPE ? [] : [observed],
        unknown: [],
        updatedAt: start.toISOString(),
      },
      consent,
    };
    people.push({ profile, need, consented });
  }
  return people;
}

function campaigns(strategy: Strategy, start: Date): CampaignDefinition[] {
  return products.map((p) => {
    const parsed = parseCampaign({
      id: p.campaignId,
      version: 1,
      name: p.campaignId,
      status: 'active',
      segmentId: 'everyone',
      purpose: 'marketing',
      channels: [...channels],
      goal: { event: 'Offer Accepted' },
      attributionWindowDays: 90,
      startAt: start.toISOString(),
      holdoutShare: CAMPAIGN_HOLDOUT,
      priority: 1,
      // Random choice: equal worth, and every draw uniform (see the sampler below).
      conversionValue: strategy === 'random' ? 1 : p.conversionValue,
      caps: { campaign: [{ max: 1, windowHours: 24 * 14 }] },
      modules: { product: { options: [{ id: p.offerId, attributes: { category: p.category } }] } },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.campaign;
  });
}

export interface WeekFigures {
  week: number;
  offers: number;
  accepted: number;
}

export interface StrategyResult {
  strategy: Strategy | 'holdout';
  offers: number;
  accepted: number;
  declined: number;
  ignored: number;
  contactedCustomers: number;
  revenue: number;
  acceptanceRate: number;
  revenuePerContacted: number;
  contactsPerConversion: number | null;
  /** Customers in a control group (campaign or global), and how many converted (organic purchases only). */
  control: { exposed: number; converted: number; revenue: number };
  /** Treated customers (offered at least once) and how many converted (an acceptance or an organic purchase). */
  treated: { exposed: number; converted: number; revenue: number };
  lift: LiftResult;
  weekly: WeekFigures[];
  /** Violations found by checks independent of the decision code (must all be 0). */
  violations: { capBroken: number; consentBroken: number; holdoutContacted: number };
}

/** Runs one strategy over the whole horizon. */
export function simulate(strategy: Strategy, options: SimulationOptions): StrategyResult {
  const start = new Date(Date.UTC(2026, 0, 5));
  const people = population(options, start);
  const defined = campaigns(strategy, start);
  const outcomeRandom = seededUniform(options.seed * 7919 + strategies.indexOf(strategy));
  const uniform = seededUniform(options.seed * 104729 + 1);
  const sampler: ResponseSampler = strategy === 'random' ? { sample: () => uniform() } : betaSampler(options.seed);
  let stats = new Map<string, ResponseCounts>();
  const log = new Map<string, Array<{ at: number; scopes: string[] }>>();
  const result: StrategyResult = {
    strategy,
    offers: 0,
    accepted: 0,
    declined: 0,
    ignored: 0,
    contactedCustomers: 0,
    revenue: 0,
    acceptanceRate: 0,
    revenuePerContacted: 0,
    contactsPerConversion: null,
    control: { exposed: 0, converted: 0, revenue: 0 },
    treated: { exposed: 0, converted: 0, revenue: 0 },
    lift: computeLift({ treated: { exposed: 0, converted: 0 }, control: { exposed: 0, converted: 0 } }),
    weekly: [],
    violations: { capBroken: 0, consentBroken: 0, holdoutContacted: 0 },
  };
  const group = new Map<string, 'treated' | 'control'>();
  const converted = new Set<string>();
  const revenueOf = new Map<string, number>();

  for (let week = 0; week < options.weeks; week++) {
    const pending: Array<{ key: string; accepted: boolean }> = [];
    const figures: WeekFigures = { week: week + 1, offers: 0, accepted: 0 };
    for (const person of people) {
      const id = person.profile.customerId;
      for (const [slot, channel] of channels.entries()) {
        const now = new Date(start.getTime() + week * WEEK_MS + slot * 24 * HOUR_MS);
        const contacts = log.get(id) ?? [];
        const counts = new Map<string, number>();
        for (const needed of countsNeeded(defined, channel, simulationPolicy, person.profile)) {
          const since = now.getTime() - needed.windowHours * HOUR_MS;
          counts.set(needed.key, contacts.filter((c) => c.at > since && c.scopes.includes(needed.scope)).length);
        }
        const learning =
          strategy === 'priority'
            ? undefined
            : {
                stats,
                archetype: archetypeOf(person.profile),
                policy: strategy === 'random' ? { ...defaultLearningPolicy, maxDeviations: Infinity } : defaultLearningPolicy,
                sampler,
              };
        const action = decideNextAction({
          profile: person.profile,
          memberships: { everyone: 1 },
          campaigns: defined,
          channel,
          now,
          counts,
          policy: simulationPolicy,
          ...(learning ? { learning } : {}),
        });
        if (action.kind === 'none') continue;
        if (action.kind === 'control') {
          if (!group.has(id)) group.set(id, 'control');
          continue;
        }
        // Independent checks of what the decision code promised.
        const campaign = defined.find((c) => c.id === action.campaignId);
        if (campaign === undefined) throw new Error(`unknown campaign ${action.campaignId}`);
        if (!person.consented.has(channel)) result.violations.consentBroken += 1;
        if (isInGlobalHoldout(id, simulationPolicy.globalHoldoutShare) || isInCampaignHoldout(id, campaign.id, campaign.holdoutShare))
          result.violations.holdoutContacted += 1;
        for (const check of capChecksFor(campaign, channel, simulationPolicy, person.profile)) {
          const since = now.getTime() - check.windowHours * HOUR_MS;
          if (contacts.filter((c) => c.at > since && c.scopes.includes(check.scope)).length + 1 > check.max)
            result.violations.capBroken += 1;
        }
        contacts.push({ at: now.getTime(), scopes: contactScopes(campaign.id, channel) });
        log.set(id, contacts);
        if (group.get(id) !== 'treated') group.set(id, 'treated');
        result.offers += 1;
        figures.offers += 1;
        const product = products.find((p) => p.campaignId === campaign.id);
        if (product === undefined) throw new Error(`no product for ${campaign.id}`);
        const chance = BASE_ACCEPT + (product.category === person.need ? NEED_ACCEPT : 0);
        const roll = outcomeRandom();
        const accepted = roll < chance;
        if (accepted) {
          result.accepted += 1;
          figures.accepted += 1;
          result.revenue += product.price;
          converted.add(id);
          revenueOf.set(id, (revenueOf.get(id) ?? 0) + product.price);
        } else if (outcomeRandom() < DECLINE_GIVEN_NO) result.declined += 1;
        else result.ignored += 1;
        // Declined and ignored both count against the offer (see offer-learning.ts).
        pending.push({ key: armKey(campaign.id, offerIdOf(action.offer), archetypeOf(person.profile)), accepted });
      }
      // Organic purchases happen to everyone, offered or not: the baseline the control group measures.
      if (outcomeRandom() < ORGANIC_PURCHASE) {
        converted.add(id);
        revenueOf.set(id, (revenueOf.get(id) ?? 0) + 50);
      }
    }
    // Outcomes of the week reach the learner (in the service: campaigns.outcomes.v1, counted every OUTCOME_STATS_TTL_MS).
    if (strategy === 'learned') for (const p of pending) stats = addOutcome(stats, p.key, p.accepted);
    result.weekly.push(figures);
  }

  for (const [id, g] of group) {
    const side = g === 'treated' ? result.treated : result.control;
    side.exposed += 1;
    if (converted.has(id)) side.converted += 1;
    side.revenue += revenueOf.get(id) ?? 0;
  }
  result.contactedCustomers = result.treated.exposed;
  result.acceptanceRate = result.offers > 0 ? result.accepted / result.offers : 0;
  result.revenuePerContacted = result.contactedCustomers > 0 ? result.revenue / result.contactedCustomers : 0;
  result.contactsPerConversion = result.accepted > 0 ? result.offers / result.accepted : null;
  result.lift = computeLift({ treated: result.treated, control: result.control, confidence: 0.95 });
  return result;
}

/** The control group's own figures (never contacted): from the learned run, whose holdouts are the same customers. */
export function holdoutFigures(learned: StrategyResult): StrategyResult {
  const c = learned.control;
  return {
    ...learned,
    strategy: 'holdout',
    offers: 0,
    accepted: 0,
    declined: 0,
    ignored: 0,
    contactedCustomers: 0,
    revenue: c.revenue,
    acceptanceRate: 0,
    revenuePerContacted: c.exposed > 0 ? c.revenue / c.exposed : 0,
    contactsPerConversion: null,
    weekly: learned.weekly.map((w) => ({ week: w.week, offers: 0, accepted: 0 })),
  };
}
