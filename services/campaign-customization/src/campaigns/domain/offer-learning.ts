import betaRandom from '@stdlib/random-base-beta';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { AssembledOffer } from './offer.assembler';

/**
 * What arbitration learns: per offer (campaign and product option) and needs archetype, how
 * often customers accepted it against how often they declined or ignored it. Thompson sampling
 * over a Beta posterior: each eligible offer draws a plausible acceptance rate from
 * Beta(prior + accepted, prior + declined + ignored), and the best draw times the worth of a
 * conversion wins. An offer with little evidence draws widely (it gets tried); one with much
 * evidence draws near its rate (exploited, or left alone). Exploration therefore shrinks by
 * itself as evidence grows, and it only ever happens among offers that are already eligible:
 * caps, consent and holdouts are decided outside arbitration and stay untouched.
 */
export interface ResponseCounts {
  accepted: number;
  /** Declined plus ignored. */
  rejected: number;
}

/** Counts per armKey(campaignId, offerId, archetype). */
export type ResponseStats = ReadonlyMap<string, ResponseCounts>;

/** The context an offer's response rate is learned in: the customer's first needs archetype, or "none". */
export const NO_ARCHETYPE = 'none';

export function archetypeOf(profile: CustomerProfile): string {
  return profile.needs?.archetypes[0] ?? NO_ARCHETYPE;
}

/** The arm of an offer: its product option when it has a product module, else the campaign itself. */
export function offerIdOf(offer: Pick<AssembledOffer, 'campaignId' | 'modules'>): string {
  return offer.modules.find((m) => m.module === 'product')?.optionId ?? offer.campaignId;
}

export function armKey(campaignId: string, offerId: string, archetype: string): string {
  return `${campaignId}|${offerId}|${archetype}`;
}

export interface LearningPolicy {
  /** Beta prior pseudo-counts: alpha for acceptances, beta for rejections (1/1 is uniform). */
  priorAccepted: number;
  priorRejected: number;
  /**
   * Bound on exploration: an offer's draw is kept within this many posterior standard deviations
   * of its mean, so a long shot cannot win on a freak draw once its evidence is in.
   */
  maxDeviations: number;
}

export const defaultLearningPolicy: LearningPolicy = { priorAccepted: 1, priorRejected: 1, maxDeviations: 3 };

/** Draws acceptance rates; `sample(alpha, beta)` is a Beta draw. Seeded for tests and the benchmark. */
export interface ResponseSampler {
  sample(alpha: number, beta: number): number;
}

/** A Beta sampler from @stdlib (Marsaglia-Tsang via gamma draws), seeded or not. */
export function betaSampler(seed?: number): ResponseSampler {
  const draw = seed === undefined ? betaRandom.factory() : betaRandom.factory({ seed });
  return { sample: (alpha, beta) => draw(alpha, beta) };
}

export interface OfferEstimate {
  /** Posterior mean acceptance rate. */
  mean: number;
  /** The draw arbitration used (bounded). */
  draw: number;
  accepted: number;
  rejected: number;
}

/** The posterior of one offer in one context, and one bounded draw from it. */
export function estimateOffer(stats: ResponseStats, key: string, policy: LearningPolicy, sampler: ResponseSampler): OfferEstimate {
  const counts = stats.get(key) ?? { accepted: 0, rejected: 0 };
  const alpha = policy.priorAccepted + counts.accepted;
  const beta = policy.priorRejected + counts.rejected;
  const mean = alpha / (alpha + beta);
  const sd = Math.sqrt((alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)));
  const raw = sampler.sample(alpha, beta);
  const bound = policy.maxDeviations * sd;
  const draw = Math.min(Math.max(raw, mean - bound), mean + bound);
  return { mean, draw, accepted: counts.accepted, rejected: counts.rejected };
}

/** Adds outcomes to counts (pure: a new map). */
export function addOutcome(stats: ResponseStats, key: string, accepted: boolean): Map<string, ResponseCounts> {
  const next = new Map(stats);
  const held = next.get(key) ?? { accepted: 0, rejected: 0 };
  next.set(
    key,
    accepted ? { accepted: held.accepted + 1, rejected: held.rejected } : { accepted: held.accepted, rejected: held.rejected + 1 },
  );
  return next;
}
