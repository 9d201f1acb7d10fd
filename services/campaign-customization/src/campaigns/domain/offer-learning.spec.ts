import fc from 'fast-check';
import { emptyProfile } from '../../shared-kernel/domain/customer-profile';
import { arbitrate } from './campaign.arbitration';
import { parseCampaign, type CampaignDefinition, type CampaignInput } from './campaign-definition';
import {
  addOutcome,
  archetypeOf,
  armKey,
  betaSampler,
  defaultLearningPolicy,
  estimateOffer,
  NO_ARCHETYPE,
  offerIdOf,
  type ResponseCounts,
} from './offer-learning';

const now = new Date('2024-06-15T12:00:00Z');

function campaign(over: Partial<CampaignInput>): CampaignDefinition {
  const result = parseCampaign({
    id: 'spring',
    version: 1,
    name: 'Spring',
    status: 'active',
    segmentId: 'gold',
    purpose: 'email-marketing',
    channels: ['email'],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 14,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare: 0,
    modules: { product: { options: [{ id: 'boots', attributes: { category: 'shoes' } }] } },
    ...over,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

function candidate(c: CampaignDefinition, offerId: string) {
  return {
    campaign: c,
    offer: {
      campaignId: c.id,
      campaignVersion: c.version,
      modules: [{ module: 'product' as const, optionId: offerId, attributes: {}, reason: '' }],
    },
  };
}

describe('offer learning', () => {
  it('draws rates near the posterior mean once evidence is in, and never beyond the bound', () => {
    const sampler = betaSampler(42);
    const stats = new Map<string, ResponseCounts>([['k', { accepted: 300, rejected: 700 }]]);
    const draws = Array.from({ length: 200 }, () => estimateOffer(stats, 'k', defaultLearningPolicy, sampler));
    const mean = (1 + 300) / (2 + 1000);
    const sd = Math.sqrt((301 * 701) / (1002 ** 2 * 1003));
    for (const e of draws) {
      expect(e.mean).toBeCloseTo(mean, 10);
      expect(Math.abs(e.draw - mean)).toBeLessThanOrEqual(defaultLearningPolicy.maxDeviations * sd + 1e-12);
    }
    const average = draws.reduce((sum, e) => sum + e.draw, 0) / draws.length;
    expect(Math.abs(average - mean)).toBeLessThan(0.01);
  });

  it('keeps every draw a rate in [0, 1], whatever the counts', () => {
    const sampler = betaSampler(7);
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (accepted, rejected) => {
        const e = estimateOffer(new Map([['k', { accepted, rejected }]]), 'k', defaultLearningPolicy, sampler);
        expect(e.draw).toBeGreaterThanOrEqual(0);
        expect(e.draw).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('learns per archetype: the offer a context accepts wins there, the other one elsewhere', () => {
    const a = campaign({ id: 'boots-promo' });
    const b = campaign({ id: 'tent-promo' });
    let stats = new Map<string, ResponseCounts>();
    for (let i = 0; i < 200; i++) {
      stats = addOutcome(stats, armKey('boots-promo', 'boots', 'urban'), i % 10 < 4);
      stats = addOutcome(stats, armKey('tent-promo', 'tent', 'urban'), i % 10 < 1);
      stats = addOutcome(stats, armKey('boots-promo', 'boots', 'outdoor'), i % 10 < 1);
      stats = addOutcome(stats, armKey('tent-promo', 'tent', 'outdoor'), i % 10 < 5);
    }
    const sampler = betaSampler(1);
    const wins = { urban: 0, outdoor: 0 };
    for (let i = 0; i < 100; i++) {
      for (const archetype of ['urban', 'outdoor'] as const) {
        const ranked = arbitrate([candidate(a, 'boots'), candidate(b, 'tent')], `c-${i}`, now, new Map(), {
          stats,
          archetype,
          policy: defaultLearningPolicy,
          sampler,
        });
        const expected = archetype === 'urban' ? 'boots-promo' : 'tent-promo';
        if (ranked[0]?.candidate.campaign.id === expected) wins[archetype] += 1;
      }
    }
    expect(wins.urban).toBe(100);
    expect(wins.outdoor).toBe(100);
  });

  it('explores an offer without evidence against a known mediocre one, and stops once it is known to be worse', () => {
    const known = campaign({ id: 'known' });
    const fresh = campaign({ id: 'fresh' });
    const sampler = betaSampler(3);
    const mediocre = new Map<string, ResponseCounts>([[armKey('known', 'boots', NO_ARCHETYPE), { accepted: 30, rejected: 70 }]]);
    const first = (stats: Map<string, ResponseCounts>) => {
      let freshWins = 0;
      for (let i = 0; i < 400; i++) {
        const ranked = arbitrate([candidate(known, 'boots'), candidate(fresh, 'new')], `c-${i}`, now, new Map(), {
          stats,
          archetype: NO_ARCHETYPE,
          policy: defaultLearningPolicy,
          sampler,
        });
        if (ranked[0]?.candidate.campaign.id === 'fresh') freshWins += 1;
      }
      return freshWins;
    };
    const exploring = first(mediocre);
    expect(exploring).toBeGreaterThan(100);
    const bad = new Map(mediocre).set(armKey('fresh', 'new', NO_ARCHETYPE), { accepted: 2, rejected: 98 });
    expect(first(bad)).toBe(0);
  });

  it('never lets learning override priority', () => {
    const service = campaign({ id: 'service', priority: 10 });
    const promo = campaign({ id: 'promo', priority: 1 });
    const stats = new Map<string, ResponseCounts>([
      [armKey('service', 'boots', NO_ARCHETYPE), { accepted: 0, rejected: 1000 }],
      [armKey('promo', 'boots', NO_ARCHETYPE), { accepted: 1000, rejected: 0 }],
    ]);
    const sampler = betaSampler(5);
    for (let i = 0; i < 50; i++) {
      const ranked = arbitrate([candidate(promo, 'boots'), candidate(service, 'boots')], `c-${i}`, now, new Map(), {
        stats,
        archetype: NO_ARCHETYPE,
        policy: defaultLearningPolicy,
        sampler,
      });
      expect(ranked[0]?.candidate.campaign.id).toBe('service');
    }
  });

  it('names the arm by product option, else by campaign, and the context by the first archetype', () => {
    expect(offerIdOf({ campaignId: 'c', modules: [{ module: 'message', optionId: 'm', attributes: {}, reason: '' }] })).toBe('c');
    expect(offerIdOf({ campaignId: 'c', modules: [{ module: 'product', optionId: 'p', attributes: {}, reason: '' }] })).toBe('p');
    const profile = emptyProfile('c-1');
    expect(archetypeOf(profile)).toBe(NO_ARCHETYPE);
    expect(
      archetypeOf({
        ...profile,
        needs: {
          stage: 'loyalty',
          stageReason: '',
          facts: [],
          archetypes: ['family', 'outdoor'],
          unknown: [],
          updatedAt: now.toISOString(),
        },
      }),
    ).toBe('family');
  });
});
