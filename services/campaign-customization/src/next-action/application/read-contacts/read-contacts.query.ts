import { Inject, Injectable } from '@nestjs/common';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import { isLive } from '../../../campaigns/domain/campaign-definition';
import { capChecksFor, countKey, scopes, type CapSource, type ContactPolicy } from '../../../campaigns/domain/contact-cap';
import { LiveCampaigns } from '../../../campaigns/application/ports';
import { ContactHistory, CustomerSnapshots } from '../ports';
import { UnknownCustomerError } from '../decide-next-action/decide-next-action.handler';

/** The settings the contacts answer reads: the platform's caps and holdout, and the channels guidance initiates on. */
export type ContactsConfig = Pick<
  CampaignCustomizationConfig,
  'CONTACT_CHANNEL_CAPS' | 'CONTACT_TOTAL_CAPS' | 'GLOBAL_HOLDOUT_SHARE' | 'STAGE_GUIDANCE_CHANNELS'
>;

/** Windows the screen shows contacts made over: a day, a week, thirty days. */
const SHOWN_WINDOWS_HOURS = [24, 24 * 7, 24 * 30];
const LATEST_CONTACTS = 20;

export interface CapStanding {
  campaignId: string;
  scope: string;
  windowHours: number;
  max: number;
  used: number;
  left: number;
  source: CapSource;
}

export interface ContactsAnswer {
  customerId: string;
  channel: string;
  at: string;
  /** Contacts made over each window: on every channel, and on this one. */
  made: Array<{ windowHours: number; all: number; channel: number }>;
  /** The latest contacts, newest first, with the campaign that made each (when still defined). */
  latest: Array<{ contactId: string; at: string; campaignId?: string }>;
  /** Every cap one more contact on this channel would count against, per live campaign whose segment holds the customer. */
  caps: CapStanding[];
  /** Per such campaign: whether one more contact fits under all of its caps now. */
  /** capsLeft: contacts left under the tightest cap (null: the campaign sets no cap on this channel). */
  campaigns: Array<{ campaignId: string; name: string; capsLeft: number | null; contactAllowed: boolean }>;
}

/**
 * Contacts made and caps left, for the agent's screen: the same sliding-window counters and cap
 * rules the next-action path decides with (read only: nothing is reserved).
 */
@Injectable()
export class ReadContactsQuery {
  private readonly policy: ContactPolicy;

  constructor(
    private readonly lookup: CustomerSnapshots,
    private readonly catalog: LiveCampaigns,
    private readonly counters: ContactHistory,
    @Inject(CAMPAIGN_CONFIG) config: ContactsConfig,
  ) {
    this.policy = {
      channelCaps: config.CONTACT_CHANNEL_CAPS,
      totalCaps: config.CONTACT_TOTAL_CAPS,
      globalHoldoutShare: config.GLOBAL_HOLDOUT_SHARE,
      initiatedChannels: config.STAGE_GUIDANCE_CHANNELS,
    };
  }

  async execute(input: { type: string; value: string; channel: string }, now = new Date()): Promise<ContactsAnswer> {
    const customerId = await this.lookup.resolve(input.type, input.value);
    const chain = customerId === undefined ? undefined : await this.lookup.chain(customerId, true);
    const held = chain?.[chain.length - 1];
    if (held === undefined) throw new UnknownCustomerError(input.type);
    const { profile, memberships } = held.snapshot;
    const { channel } = input;
    const campaigns = await this.catalog.all();
    const reachable = campaigns.filter(
      (c) => isLive(c, now) && c.channels.includes(channel) && Object.prototype.hasOwnProperty.call(memberships, c.segmentId),
    );
    const checks = reachable.flatMap((campaign) =>
      capChecksFor(campaign, channel, this.policy, profile).map((check) => ({ campaignId: campaign.id, check })),
    );
    const needed = new Map<string, { scope: string; windowHours: number; key: string }>();
    const add = (scope: string, windowHours: number) =>
      needed.set(countKey(scope, windowHours), { scope, windowHours, key: countKey(scope, windowHours) });
    for (const hours of SHOWN_WINDOWS_HOURS) {
      add(scopes.all(), hours);
      add(scopes.channel(channel), hours);
    }
    for (const { check } of checks) add(check.scope, check.windowHours);
    const { counts, contacts } = await this.counters.history(
      profile.customerId,
      [...needed.values()],
      campaigns.map((c) => c.id),
      now,
      LATEST_CONTACTS,
    );
    const count = (scope: string, hours: number) => counts.get(countKey(scope, hours)) ?? 0;
    const caps = checks.map(({ campaignId, check }): CapStanding => {
      const used = count(check.scope, check.windowHours);
      return {
        campaignId,
        scope: check.scope,
        windowHours: check.windowHours,
        max: check.max,
        used,
        left: Math.max(0, check.max - used),
        source: check.source,
      };
    });
    return {
      customerId: profile.customerId,
      channel,
      at: now.toISOString(),
      made: SHOWN_WINDOWS_HOURS.map((hours) => ({
        windowHours: hours,
        all: count(scopes.all(), hours),
        channel: count(scopes.channel(channel), hours),
      })),
      latest: contacts,
      caps,
      campaigns: reachable.map((c) => {
        const own = caps.filter((cap) => cap.campaignId === c.id);
        return {
          campaignId: c.id,
          name: c.name,
          capsLeft: own.length === 0 ? null : Math.min(...own.map((cap) => cap.left)),
          contactAllowed: own.every((cap) => cap.left > 0),
        };
      }),
    };
  }
}
