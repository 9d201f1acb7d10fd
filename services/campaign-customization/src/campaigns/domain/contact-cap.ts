import type { CustomerProfile, ProfileFact } from '../../shared-kernel/domain/customer-profile';
import type { CampaignDefinition, CapRule } from './campaign-definition';

/**
 * Frequency caps are checked here against counts the caller fetched (sliding-window counters in
 * Redis): this module says which counters matter and whether one more contact fits under them.
 * A contact increments every scope of contactScopes(campaignId, channel).
 */

export interface ContactPolicy {
  /** Platform caps per channel over all campaigns, protecting customers from the sum of campaigns. */
  channelCaps: Record<string, CapRule[]>;
  /** Platform caps over all channels and campaigns. */
  totalCaps: CapRule[];
  /** Share of all customers kept out of every campaign, to measure the programme as a whole. */
  globalHoldoutShare: number;
  /**
   * Channels on which the platform starts the contact (e-mail, SMS...): contacts on them are also
   * counted as "initiated" and capped by the customer's stage guidance. Absent or empty: no stage caps.
   */
  initiatedChannels?: readonly string[];
}

export const defaultContactPolicy: ContactPolicy = { channelCaps: {}, totalCaps: [], globalHoldoutShare: 0 };

export type CapSource = 'customer' | 'platform' | 'stage' | 'campaign';

export interface CapCheck {
  /** The counter: "all", "initiated", "channel:<ch>", "campaign:<id>" or "campaign:<id>:channel:<ch>". */
  scope: string;
  windowHours: number;
  max: number;
  source: CapSource;
}

/** Contacts counted per (scope, window): key countKey(scope, windowHours). */
export type ContactCounts = ReadonlyMap<string, number>;

export type CapOutcome = { ok: true } | { ok: false; code: 'cap' | 'customer-limit' | 'count-unavailable'; reason: string };

/** Arbitration favours the campaign that contacted the customer least over this window. */
export const FAIRNESS_WINDOW_HOURS = 24 * 7;

export function countKey(scope: string, windowHours: number): string {
  return `${scope}@${windowHours}h`;
}

export const scopes = {
  all: () => 'all',
  /** Contacts the platform started (on policy.initiatedChannels), whatever the campaign. */
  initiated: () => 'initiated',
  channel: (channel: string) => `channel:${channel}`,
  campaign: (campaignId: string) => `campaign:${campaignId}`,
  campaignChannel: (campaignId: string, channel: string) => `campaign:${campaignId}:channel:${channel}`,
};

/** The counters one delivered contact increments (with "initiated" on a channel the platform starts contacts on). */
export function contactScopes(campaignId: string, channel: string, policy?: Pick<ContactPolicy, 'initiatedChannels'>): string[] {
  const all = [scopes.all(), scopes.channel(channel), scopes.campaign(campaignId), scopes.campaignChannel(campaignId, channel)];
  return isInitiated(channel, policy) ? [...all, scopes.initiated()] : all;
}

function isInitiated(channel: string, policy: Pick<ContactPolicy, 'initiatedChannels'> | undefined): boolean {
  return policy?.initiatedChannels?.includes(channel) ?? false;
}

/** Longest window a cap may have: the contact counters keep 90 days. */
const MAX_WINDOW_HOURS = 24 * 90;
const STAGE_WINDOW_HOURS = 24 * 30;

/**
 * The customer's stage guidance (from needs profiling's profile) as caps on the contacts the
 * platform starts: at most maxContactsPer30Days over 30 days, and none within
 * minDaysBetweenContacts of the last one (a cap of 1 over that window). Contacts the customer
 * started (a visit, a call) are not capped by it.
 */
export function stageCaps(profile: CustomerProfile, channel: string, policy: Pick<ContactPolicy, 'initiatedChannels'>): CapCheck[] {
  const guidance = profile.needs?.stageGuidance;
  if (guidance === undefined || !isInitiated(channel, policy)) return [];
  const checks: CapCheck[] = [
    { scope: scopes.initiated(), windowHours: STAGE_WINDOW_HOURS, max: guidance.maxContactsPer30Days, source: 'stage' },
  ];
  if (guidance.minDaysBetweenContacts > 0) {
    checks.push({
      scope: scopes.initiated(),
      windowHours: Math.min(guidance.minDaysBetweenContacts * 24, MAX_WINDOW_HOURS),
      max: 1,
      source: 'stage',
    });
  }
  return checks;
}

const periodHours: Record<string, number> = { Day: 24, Week: 24 * 7, Month: 24 * 30 };
const limitKey = /^contact\.maxPer(Day|Week|Month)(?:\.([a-z0-9][a-z0-9_-]{0,63}))?$/;

/**
 * The customer's own limits, from facts such as "contact.maxPerWeek.email" (one channel) or
 * "contact.maxPerWeek" (all channels). They are read whatever purpose they were collected for,
 * because honouring them only ever protects the customer. They apply on top of every other cap:
 * a customer asking for more contact than the platform allows does not lift the platform's caps.
 */
export function customerLimits(profile: CustomerProfile, channel: string): CapCheck[] {
  const latest = new Map<string, ProfileFact>();
  for (const fact of profile.needs?.facts ?? []) {
    if (!limitKey.test(fact.key) || typeof fact.value !== 'number' || !(fact.value >= 0)) continue;
    const held = latest.get(fact.key);
    if (held === undefined || rank(fact) > rank(held)) latest.set(fact.key, fact);
  }
  const checks: CapCheck[] = [];
  for (const [key, fact] of latest) {
    const match = limitKey.exec(key);
    const period = match?.[1];
    const factChannel = match?.[2];
    const windowHours = period === undefined ? undefined : periodHours[period];
    if (windowHours === undefined || typeof fact.value !== 'number') continue;
    if (factChannel !== undefined && factChannel !== channel) continue;
    checks.push({
      scope: factChannel === undefined ? scopes.all() : scopes.channel(channel),
      windowHours,
      max: Math.floor(fact.value),
      source: 'customer',
    });
  }
  return checks.sort((a, b) => a.scope.localeCompare(b.scope) || a.windowHours - b.windowHours);
}

/** Every cap one more contact by this campaign on this channel must fit under: the customer's first. */
export function capChecksFor(campaign: CampaignDefinition, channel: string, policy: ContactPolicy, profile: CustomerProfile): CapCheck[] {
  return [
    ...customerLimits(profile, channel),
    ...stageCaps(profile, channel, policy),
    ...policy.totalCaps.map((c) => ({ scope: scopes.all(), ...c, source: 'platform' as const })),
    ...(policy.channelCaps[channel] ?? []).map((c) => ({ scope: scopes.channel(channel), ...c, source: 'platform' as const })),
    ...campaign.caps.campaign.map((c) => ({ scope: scopes.campaign(campaign.id), ...c, source: 'campaign' as const })),
    ...(campaign.caps.perChannel[channel] ?? []).map((c) => ({
      scope: scopes.campaignChannel(campaign.id, channel),
      ...c,
      source: 'campaign' as const,
    })),
  ];
}

/**
 * Whether one more contact fits. A count the caller could not fetch blocks the contact: when
 * unsure whether a customer was already contacted too often, do not contact.
 */
export function checkCaps(checks: readonly CapCheck[], counts: ContactCounts): CapOutcome {
  for (const check of checks) {
    const count = counts.get(countKey(check.scope, check.windowHours));
    if (count === undefined) {
      return { ok: false, code: 'count-unavailable', reason: `contact count for ${check.scope} over ${check.windowHours}h unavailable` };
    }
    if (count + 1 > check.max) {
      const who =
        check.source === 'customer'
          ? "the customer's own limit"
          : check.source === 'stage'
            ? "the stage's contact guidance"
            : `${check.source} cap`;
      return {
        ok: false,
        code: check.source === 'customer' ? 'customer-limit' : 'cap',
        reason: `${who} of ${check.max} per ${check.windowHours}h on ${check.scope} reached (${count} already)`,
      };
    }
  }
  return { ok: true };
}

/** The (scope, window) counts to fetch for deciding among these campaigns on this channel, deduplicated. */
export function countsNeeded(
  campaigns: readonly CampaignDefinition[],
  channel: string,
  policy: ContactPolicy,
  profile: CustomerProfile,
): Array<{ scope: string; windowHours: number; key: string }> {
  const needed = new Map<string, { scope: string; windowHours: number; key: string }>();
  const add = (scope: string, windowHours: number) =>
    needed.set(countKey(scope, windowHours), { scope, windowHours, key: countKey(scope, windowHours) });
  for (const campaign of campaigns) {
    for (const check of capChecksFor(campaign, channel, policy, profile)) add(check.scope, check.windowHours);
    add(scopes.campaign(campaign.id), FAIRNESS_WINDOW_HOURS);
  }
  return [...needed.values()];
}

function rank(fact: ProfileFact): number {
  return (fact.kind === 'explicit' ? 1e15 : 0) + Date.parse(fact.observedAt);
}
