import { emptyProfile, type CustomerProfile, type ProfileFact } from '../../shared-kernel/domain/customer-profile';
import type { CampaignDefinition } from './campaign-definition';
import { campaignOf } from './campaign.test-helper';
import {
  capChecksFor,
  checkCaps,
  contactScopes,
  countKey,
  countsNeeded,
  customerLimits,
  stageCaps,
  type ContactPolicy,
} from './contact-cap';

const limit = (
  key: string,
  value: ProfileFact['value'],
  observedAt = '2024-06-01T00:00:00Z',
  kind: ProfileFact['kind'] = 'explicit',
): ProfileFact => ({
  key,
  value,
  kind,
  channel: 'web',
  purpose: 'contact-preferences',
  confidence: 1,
  observedAt,
});

function withFacts(facts: ProfileFact[]): CustomerProfile {
  return {
    ...emptyProfile('c'),
    needs: { stage: 'purchase', stageReason: '', facts, archetypes: [], unknown: [], updatedAt: '2024-06-01T00:00:00Z' },
  };
}

function campaign(): CampaignDefinition {
  return campaignOf('spring', 'gold', { name: 'Spring', purpose: 'email-marketing', channels: ['email', 'sms'] });
}

const policy: ContactPolicy = {
  channelCaps: { email: [{ max: 5, windowHours: 168 }] },
  totalCaps: [{ max: 10, windowHours: 168 }],
  globalHoldoutShare: 0,
};

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
    expect(checkCaps(checks, counts(3))).toEqual({
      ok: false,
      code: 'cap',
      reason: 'campaign cap of 3 per 168h on campaign:spring reached (3 already)',
    });
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

  describe("the stage's contact guidance", () => {
    const staged = (stage: 'prospecting' | 'lapsing', maxContactsPer30Days: number, minDaysBetweenContacts: number): CustomerProfile => ({
      ...emptyProfile('c'),
      needs: {
        stage,
        stageReason: '',
        facts: [],
        archetypes: [],
        unknown: [],
        updatedAt: '2024-06-01T00:00:00Z',
        stageGuidance: { maxContactsPer30Days, minDaysBetweenContacts, content: [] },
      },
    });
    const outbound: ContactPolicy = { ...policy, initiatedChannels: ['email'] };

    it('caps contacts the platform starts per 30 days and by days between contacts', () => {
      expect(stageCaps(staged('prospecting', 2, 7), 'email', outbound)).toEqual([
        { scope: 'initiated', windowHours: 720, max: 2, source: 'stage' },
        { scope: 'initiated', windowHours: 168, max: 1, source: 'stage' },
      ]);
      expect(stageCaps(staged('lapsing', 3, 0), 'email', outbound)).toEqual([
        { scope: 'initiated', windowHours: 720, max: 3, source: 'stage' },
      ]);
    });

    it('leaves contacts the customer starts, profiles without guidance and a policy without initiated channels alone', () => {
      expect(stageCaps(staged('prospecting', 2, 7), 'store', outbound)).toEqual([]);
      expect(stageCaps(withFacts([]), 'email', outbound)).toEqual([]);
      expect(stageCaps(staged('prospecting', 2, 7), 'email', policy)).toEqual([]);
    });

    it('counts a contact on an initiated channel as initiated, and blocks the next one within the stage window', () => {
      expect(contactScopes('spring', 'email', outbound)).toContain('initiated');
      expect(contactScopes('spring', 'sms', outbound)).not.toContain('initiated');
      const p = staged('prospecting', 2, 7);
      const checks = capChecksFor(campaign(), 'email', outbound, p);
      const counts = (initiated7d: number, initiated30d: number) =>
        new Map(
          countsNeeded([campaign()], 'email', outbound, p).map((n) => [
            n.key,
            n.key === countKey('initiated', 168) ? initiated7d : n.key === countKey('initiated', 720) ? initiated30d : 0,
          ]),
        );
      expect(checkCaps(checks, counts(0, 1))).toEqual({ ok: true });
      const tooSoon = checkCaps(checks, counts(1, 1));
      expect(tooSoon).toMatchObject({ ok: false, code: 'cap' });
      expect(tooSoon.ok ? '' : tooSoon.reason).toContain("stage's contact guidance");
      expect(checkCaps(checks, counts(0, 2))).toMatchObject({ ok: false, code: 'cap' });
    });

    it('keeps the days-between window within what the counters hold', () => {
      expect(stageCaps(staged('lapsing', 1, 400), 'email', outbound)[1]).toEqual({
        scope: 'initiated',
        windowHours: 24 * 90,
        max: 1,
        source: 'stage',
      });
    });
  });
});
