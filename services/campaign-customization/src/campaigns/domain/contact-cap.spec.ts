import { emptyProfile, type CustomerProfile, type ProfileFact } from '../../segments/domain/customer-profile';
import { parseCampaign, type CampaignDefinition } from './campaign-definition';
import { capChecksFor, checkCaps, contactScopes, countKey, countsNeeded, customerLimits, type ContactPolicy } from './contact-cap';

const limit = (key: string, value: ProfileFact['value'], observedAt = '2024-06-01T00:00:00Z', kind: ProfileFact['kind'] = 'explicit'): ProfileFact => ({
  key,
  value,
  kind,
  channel: 'web',
  purpose: 'contact-preferences',
  confidence: 1,
  observedAt,
});

function withFacts(facts: ProfileFact[]): CustomerProfile {
  return { ...emptyProfile('c'), needs: { stage: 'purchase', stageReason: '', facts, archetypes: [], unknown: [], updatedAt: '2024-06-01T00:00:00Z' } };
}

function campaign(): CampaignDefinition {
  const result = parseCampaign({
    id: 'spring',
    version: 1,
    name: 'Spring',
    status: 'active',
    segmentId: 'gold',
    purpose: 'email-marketing',
    channels: ['email', 'sms'],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 14,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare: 0,
    caps: { campaign: [{ max: 3, windowHours: 168 }], perChannel: { email: [{ max: 1, windowHours: 24 }] } },
    modules: {},
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

const policy: ContactPolicy = { channelCaps: { email: [{ max: 5, windowHours: 168 }] }, totalCaps: [{ max: 10, windowHours: 168 }], globalHoldoutShare: 0 };

describe('contact caps', () => {
  it("reads the customer's own limits per channel and overall, the latest explicit one first", () => {
    const p = withFacts([
      limit('contact.maxPerWeek.email', 4, '2024-01-01T00:00:00Z'),
      limit('contact.maxPerWeek.email', 2, '2024-05-01T00:00:00Z'),
      limit('contact.maxPerWeek.email', 9, '2024-06-01T00:00:00Z', 'inferred'),
      limit('contact.maxPerMonth', 6),
      limit('contact.maxPerDay.sms', 0),
      limit('contact.maxPerWeek.push', 'often'),
      limit('contact.preferredChannel', 'email'),
    ]);
    expect(customerLimits(p, 'email')).toEqual([
      { scope: 'all', windowHours: 720, max: 6, source: 'customer' },
      { scope: 'channel:email', windowHours: 168, max: 2, source: 'customer' },
    ]);
    expect(customerLimits(p, 'sms')).toEqual([
      { scope: 'all', windowHours: 720, max: 6, source: 'customer' },
      { scope: 'channel:sms', windowHours: 24, max: 0, source: 'customer' },
    ]);
  });

  it('blocks the fourth contact under a cap of three, and names the cap', () => {
    const checks = capChecksFor(campaign(), 'sms', policy, emptyProfile('c'));
    const counts = (campaignWeek: number) =>
      new Map([
        [countKey('all', 168), 0],
        [countKey('campaign:spring', 168), campaignWeek],
      ]);
    expect(checkCaps(checks, counts(2))).toEqual({ ok: true });
    expect(checkCaps(checks, counts(3))).toEqual({ ok: false, code: 'cap', reason: 'campaign cap of 3 per 168h on campaign:spring reached (3 already)' });
  });

  it("checks the customer's limit before any other, and a lower one wins even when caps allow more", () => {
    const p = withFacts([limit('contact.maxPerWeek.email', 1)]);
    const checks = capChecksFor(campaign(), 'email', policy, p);
    expect(checks.map((c) => `${c.source}:${c.scope}@${c.windowHours}`)).toEqual([
      'customer:channel:email@168',
      'platform:all@168',
      'platform:channel:email@168',
      'campaign:campaign:spring@168',
      'campaign:campaign:spring:channel:email@24',
    ]);
    const counts = new Map(countsNeeded([campaign()], 'email', policy, p).map((n) => [n.key, 0]));
    expect(checkCaps(checks, counts)).toEqual({ ok: true });
    counts.set(countKey('channel:email', 168), 1);
    expect(checkCaps(checks, counts)).toEqual({
      ok: false,
      code: 'customer-limit',
      reason: "the customer's own limit of 1 per 168h on channel:email reached (1 already)",
    });
  });

  it('does not contact when a count is missing', () => {
    const checks = capChecksFor(campaign(), 'email', policy, emptyProfile('c'));
    expect(checkCaps(checks, new Map())).toMatchObject({ ok: false, code: 'count-unavailable' });
  });

  it('lists every count to fetch once, fairness window included, and the scopes a contact increments', () => {
    const needed = countsNeeded([campaign(), campaign()], 'email', policy, emptyProfile('c')).map((n) => n.key);
    expect(needed.sort()).toEqual(['all@168h', 'campaign:spring:channel:email@24h', 'campaign:spring@168h', 'channel:email@168h']);
    expect(contactScopes('spring', 'email')).toEqual(['all', 'channel:email', 'campaign:spring', 'campaign:spring:channel:email']);
  });
});
