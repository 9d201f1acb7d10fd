import type { ConsentRecord } from '../../shared-kernel/domain/consent';
import { emptyProfile, type CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import { arbitrate } from './campaign.arbitration';
import { assessEligibility } from './campaign.eligibility';
import { parseCampaign, type CampaignDefinition, type CampaignInput } from './campaign-definition';
import { countKey, countsNeeded, defaultContactPolicy, type ContactPolicy } from './contact-cap';
import { customerBrief } from './customer-brief';
import { isInCampaignHoldout, isInGlobalHoldout } from './holdout';
import { decideNextAction, type NextActionInput } from './next-action.decider';

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
    caps: { campaign: [{ max: 3, windowHours: 168 }] },
    modules: { message: { options: [{ id: 'hello' }] } },
    ...over,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

const granted = (purpose: string, channel: string): ConsentRecord => ({ purpose, channel, status: 'granted', at: '2024-01-01T00:00:00Z' });

function customer(id = 'c-1'): CustomerProfile {
  return {
    ...emptyProfile(id),
    identity: { identifiers: [], mergedIds: [], traits: { firstName: 'Ann' } },
    value: {
      tier: 'A',
      actualValue: 1,
      strategicValue: 0,
      purchases: 1,
      revenue: 1,
      currency: 'EUR',
      modelVersion: 'm',
      updatedAt: now.toISOString(),
    },
    needs: {
      stage: 'loyalty',
      stageReason: '',
      facts: [],
      archetypes: [],
      unknown: ['room.view'],
      nextQuestion: { questionId: 'q-view', factKey: 'room.view', purpose: 'personalisation', value: 0.3 },
      updatedAt: now.toISOString(),
    },
    consent: [granted('email-marketing', 'email'), granted('service', '*')],
  };
}

function input(
  campaigns: CampaignDefinition[],
  profile = customer(),
  policy: ContactPolicy = defaultContactPolicy,
  set: Record<string, number> = {},
): NextActionInput {
  const counts = new Map(countsNeeded(campaigns, 'email', policy, profile).map((n) => [n.key, 0]));
  for (const [key, value] of Object.entries(set)) counts.set(key, value);
  return { profile, memberships: { gold: 2, all: 1 }, campaigns, channel: 'email', now, counts, policy };
}

/** First id from a sequence that satisfies the predicate: holdout membership is fixed by hashing, so tests find their customers. */
function findId(predicate: (id: string) => boolean): string {
  for (let i = 0; i < 10_000; i++) if (predicate(`c-${i}`)) return `c-${i}`;
  throw new Error('no id found');
}

describe('eligibility', () => {
  const base = input([campaign({})]);
  const assess = (c: CampaignDefinition, over: Partial<NextActionInput> = {}) => {
    const i = { ...base, ...over };
    return assessEligibility({
      campaign: c,
      profile: i.profile,
      memberships: i.memberships,
      channel: i.channel,
      now: i.now,
      counts: i.counts,
      policy: i.policy,
    });
  };

  it('is eligible in segment, with consent, with an offer, under caps', () => {
    expect(assess(campaign({}))).toMatchObject({
      eligible: true,
      reasons: [
        'in segment gold (version 2)',
        'consent for email-marketing on email granted at 2024-01-01T00:00:00Z',
        'under all 1 contact caps',
      ],
    });
  });

  it.each([
    ['not-live', campaign({ status: 'paused' }), {}, 'campaign is paused'],
    ['not-live', campaign({ endAt: '2024-02-01T00:00:00Z' }), {}, 'campaign is outside its dates'],
    ['channel', campaign({ channels: ['sms'] }), {}, 'campaign does not use email'],
    ['segment', campaign({ segmentId: 'silver' }), {}, 'not in segment silver'],
    ['consent', campaign({ purpose: 'sms-marketing' }), {}, 'no consent for sms-marketing on email'],
    [
      'consent',
      campaign({}),
      {
        profile: {
          ...customer(),
          consent: [
            ...customer().consent,
            { purpose: 'email-marketing', channel: '*', status: 'withdrawn' as const, at: '2024-05-01T00:00:00Z' },
          ],
        },
      },
      'consent for email-marketing on email withdrawn at 2024-05-01T00:00:00Z',
    ],
    [
      'offer',
      campaign({ modules: { product: { options: [{ id: 'x', when: { path: 'value.tier', op: 'eq', value: 'D' } }] } } }),
      {},
      'no product option fits (x: value.tier is "A": not eq "D")',
    ],
    [
      'cap',
      campaign({}),
      { counts: new Map([[countKey('campaign:spring', 168), 3]]) },
      'campaign cap of 3 per 168h on campaign:spring reached (3 already)',
    ],
  ])('is not eligible: %s', (code, c, over, reason) => {
    expect(assess(c, over)).toEqual({ eligible: false, campaignId: c.id, code, reason });
  });
});

describe('arbitration', () => {
  const eligible = (c: CampaignDefinition) => ({ campaign: c });

  it('lets priority decide outright, then value discounted by recent contacts', () => {
    const service = campaign({ id: 'service', priority: 10, conversionValue: 1 });
    const rich = campaign({ id: 'rich', conversionValue: 50 });
    const modest = campaign({ id: 'modest', conversionValue: 20 });
    const counts = new Map([[countKey('campaign:rich', 168), 4]]);
    const ranking = arbitrate([rich, modest, service].map(eligible), 'c-1', now, counts);
    expect(ranking.map((r) => r.candidate.campaign.id)).toEqual(['service', 'modest', 'rich']);
    expect(ranking[2]?.reason).toBe('priority 0, value 50 / (1 + 4 contacts this week) = 10');
  });

  it('breaks exact ties the same way on every instance, and not always the same way', () => {
    const a = campaign({ id: 'a' });
    const b = campaign({ id: 'b' });
    const winner = (customerId: string, day: Date) => arbitrate([a, b].map(eligible), customerId, day, new Map())[0]?.candidate.campaign.id;
    expect(winner('c-1', now)).toBe(winner('c-1', now));
    expect(arbitrate([b, a].map(eligible), 'c-1', now, new Map())[0]?.candidate.campaign.id).toBe(winner('c-1', now));
    const days = Array.from({ length: 30 }, (_, i) => new Date(now.getTime() + i * 86_400_000));
    const wins = days.map((d) => winner('c-1', d));
    expect(new Set(wins)).toEqual(new Set(['a', 'b']));
  });
});

describe('next action', () => {
  it('offers the winning campaign with its reasons and says why the others were passed over', () => {
    const action = decideNextAction(
      input([
        campaign({ id: 'a', conversionValue: 5 }),
        campaign({ id: 'b', conversionValue: 1 }),
        campaign({ id: 'c', segmentId: 'none' }),
      ]),
    );
    expect(action.kind).toBe('offer');
    if (action.kind !== 'offer') return;
    expect(action.campaignId).toBe('a');
    expect(action.offer.modules.map((m) => m.optionId)).toEqual(['hello']);
    expect(action.reasons[3]).toBe('won arbitration: priority 0, value 5 / (1 + 0 contacts this week) = 5');
    expect(action.passed.map((p) => [p.campaignId, p.code])).toEqual([
      ['c', 'segment'],
      ['b', 'lost-arbitration'],
    ]);
  });

  it('returns the control decision when the winner holds the customer out, without a substitute', () => {
    const id = findId((i) => isInCampaignHoldout(i, 'a', 0.5));
    const action = decideNextAction(
      input([campaign({ id: 'a', holdoutShare: 0.5, conversionValue: 5 }), campaign({ id: 'b' })], customer(id)),
    );
    expect(action).toMatchObject({
      kind: 'control',
      group: 'campaign',
      campaignId: 'a',
      reason: 'in the control group of a (50% held out)',
    });
    const treatedId = findId((i) => !isInCampaignHoldout(i, 'a', 0.5));
    expect(decideNextAction(input([campaign({ id: 'a', holdoutShare: 0.5 })], customer(treatedId))).kind).toBe('offer');
  });

  it('keeps the global control group out of every campaign', () => {
    const policy = { ...defaultContactPolicy, globalHoldoutShare: 0.2 };
    const id = findId((i) => isInGlobalHoldout(i, 0.2));
    expect(decideNextAction(input([campaign({})], customer(id), policy))).toMatchObject({
      kind: 'control',
      group: 'global',
      campaignId: 'spring',
    });
  });

  it('has nothing to offer when no campaign is eligible', () => {
    expect(decideNextAction(input([campaign({ status: 'ended' })]))).toEqual({
      kind: 'none',
      reason: 'no campaign is eligible',
      passed: [{ campaignId: 'spring', code: 'not-live', reason: 'campaign is ended' }],
    });
  });
});

describe('customer brief', () => {
  it('gives the greeting, tier, stage and next question, unless its purpose was withdrawn', () => {
    expect(customerBrief(customer())).toEqual({
      customerId: 'c-1',
      greetingName: 'Ann',
      tier: 'A',
      stage: 'loyalty',
      nextQuestion: { questionId: 'q-view', factKey: 'room.view', purpose: 'personalisation', buildsOn: [] },
    });
    const withdrawn = {
      ...customer(),
      consent: [{ purpose: 'personalisation', channel: '*', status: 'withdrawn' as const, at: '2024-06-01T00:00:00Z' }],
    };
    expect(customerBrief(withdrawn).nextQuestion).toBeUndefined();
    expect(customerBrief(emptyProfile('x'))).toEqual({ customerId: 'x' });
  });

  it("words the question for the channel asked about and names the facts it builds on, leaving out a withdrawn purpose's facts", () => {
    const base = customer();
    const needs = base.needs;
    if (needs === undefined) throw new Error('no needs');
    const fact = (key: string, value: string, purpose: string) => ({
      key,
      value,
      kind: 'explicit' as const,
      channel: 'web',
      purpose,
      confidence: 1,
      observedAt: '2024-05-01T00:00:00Z',
    });
    const profile = {
      ...base,
      needs: {
        ...needs,
        facts: [fact('room.type', 'suite', 'personalisation'), fact('household.size', '4', 'marketing')],
        nextQuestion: {
          questionId: 'q-view',
          factKey: 'room.view',
          purpose: 'personalisation',
          value: 0.3,
          wording: { 'call-centre': 'Sea or garden view for your suite?' },
          buildsOn: ['room.type', 'household.size', 'not.known'],
        },
      },
      consent: [...base.consent, { purpose: 'marketing', channel: '*', status: 'withdrawn' as const, at: '2024-06-01T00:00:00Z' }],
    };
    expect(customerBrief(profile, 'call-centre').nextQuestion).toEqual({
      questionId: 'q-view',
      factKey: 'room.view',
      purpose: 'personalisation',
      wording: 'Sea or garden view for your suite?',
      buildsOn: [{ key: 'room.type', value: 'suite', observedAt: '2024-05-01T00:00:00Z' }],
    });
    expect(customerBrief(profile, 'email').nextQuestion?.wording).toBeUndefined();
  });
});
