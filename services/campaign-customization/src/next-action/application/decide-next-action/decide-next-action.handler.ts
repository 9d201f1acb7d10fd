import { Inject, Injectable } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import type { CampaignDecidedDataV1 } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import type { CampaignCustomizationConfig } from '../../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../../campaign.tokens';
import { isLive } from '../../../campaigns/domain/campaign-definition';
import { capChecksFor, contactScopes, countsNeeded, type ContactPolicy } from '../../../campaigns/domain/contact-cap';
import { customerBrief, type CustomerBrief } from '../../../campaigns/domain/customer-brief';
import { outboundChannel } from '../../../campaigns/domain/outbound-channel';
import { decideNextAction, type NextAction } from '../../../campaigns/domain/next-action.decider';
import { LiveCampaigns } from '../../../campaigns/application/ports';
import { ContactCaps, CustomerSnapshots, DecisionEvents } from '../ports';
import { archetypeOf, betaSampler, defaultLearningPolicy, type ResponseSampler } from '../../../campaigns/domain/offer-learning';
import type { ArbitrationLearning } from '../../../campaigns/domain/campaign.arbitration';
import { RecordOfferOutcomesHandler } from '../../../outcomes/application/record-offer-outcomes.handler';

const SOURCE = '/services/campaign-customization';
/**
 * Decisions redone when a concurrent contact of the same customer took the last room under a
 * cap, or the customer changed between the reads and the reservation.
 */
const MAX_ATTEMPTS = 4;

export class UnknownCustomerError extends Error {
  constructor(type: string) {
    super(`no customer has this ${type} identifier`);
    this.name = 'UnknownCustomerError';
  }
}

export interface NextActionAnswer extends CustomerBrief {
  /** "Hello Ann" when the name is known, else a neutral greeting. */
  greeting: string;
  channel: string;
  action: NextAction;
  /** Id of the published decision (offer or control); absent when there was nothing to decide, and in a preview. */
  decisionId?: string;
  decidedAt: string;
  /** A preview: what would be decided now; nothing was reserved or published. */
  preview?: true;
  /** The answer to an earlier request with the same key (nothing was decided again). */
  replayed?: true;
}

/** Preview: decide without reserving the contact or publishing. Decision: reserve and publish under this id. */
export type NextActionMode = { kind: 'preview' } | { kind: 'decision'; decisionId: string };

/**
 * The next best action for one contact: the customer's brief, then the decision, then the
 * contact recorded (caps, atomically with their check) and the decision published for the
 * channels and for attribution. Round trips on the usual path: one Redis pipeline (the contact
 * counts and the version of the customer's snapshot, which this process holds in memory), one
 * Redis script (caps checked and the contact recorded, only if the snapshot is still at that
 * version), and the decision queued for Kafka (sent behind the answer). A snapshot found out of date is reloaded and the
 * decision made again, so eligibility is always decided on the customer's current state.
 */
@Injectable()
export class DecideNextActionHandler {
  private readonly policy: ContactPolicy;
  private readonly sampler: ResponseSampler = betaSampler();
  private readonly learned: boolean;

  constructor(
    private readonly lookup: CustomerSnapshots,
    private readonly catalog: LiveCampaigns,
    private readonly counters: ContactCaps,
    private readonly decisions: DecisionEvents,
    private readonly outcomes: RecordOfferOutcomesHandler,
    @Inject(CAMPAIGN_CONFIG) config: CampaignCustomizationConfig,
  ) {
    this.policy = {
      channelCaps: config.CONTACT_CHANNEL_CAPS,
      totalCaps: config.CONTACT_TOTAL_CAPS,
      globalHoldoutShare: config.GLOBAL_HOLDOUT_SHARE,
      initiatedChannels: config.STAGE_GUIDANCE_CHANNELS,
    };
    this.learned = config.ARBITRATION === 'learned';
  }

  /** The customer's brief with an action decided before (a retried request): nothing is decided again. */
  async replay(
    input: { type: string; value: string; channel: string },
    decided: { action: NextAction; decisionId?: string; decidedAt: string },
  ): Promise<NextActionAnswer> {
    const customerId = await this.lookup.resolve(input.type, input.value);
    const held = customerId === undefined ? undefined : (await this.lookup.chain(customerId, false))?.at(-1);
    if (held === undefined) throw new UnknownCustomerError(input.type);
    const brief = customerBrief(held.snapshot.profile, input.channel);
    return {
      ...brief,
      greeting: brief.greetingName ? `Hello ${brief.greetingName}` : 'Hello',
      channel: input.channel,
      action: decided.action,
      ...(decided.decisionId ? { decisionId: decided.decisionId } : {}),
      decidedAt: decided.decidedAt,
      replayed: true,
    };
  }

  /**
   * `channel` absent (outbound, with `campaignId`): the customer's preferred consented channel of
   * that campaign is chosen (outboundChannel). `campaignId`: decide for that campaign only.
   */
  async execute(
    input: { type: string; value: string; channel?: string; campaignId?: string },
    mode: NextActionMode,
  ): Promise<NextActionAnswer> {
    const customerId = await this.lookup.resolve(input.type, input.value);
    if (customerId === undefined) throw new UnknownCustomerError(input.type);
    const all = await this.catalog.all();
    const campaigns = input.campaignId === undefined ? all : all.filter((c) => c.id === input.campaignId);
    let channel = input.channel ?? '';
    let channelReason: string | undefined;
    let fromMongo = false;

    for (let attempt = 1; ; attempt++) {
      const chain = await this.lookup.chain(customerId, fromMongo);
      const held = chain?.[chain.length - 1];
      if (chain === undefined || held === undefined) throw new UnknownCustomerError(input.type);
      const { profile, memberships } = held.snapshot;
      const now = new Date();
      if (input.channel === undefined) {
        const only = campaigns[0];
        const chosen = only === undefined ? undefined : outboundChannel(only, profile);
        if (chosen === undefined) {
          const brief = customerBrief(profile);
          return {
            ...brief,
            greeting: brief.greetingName ? `Hello ${brief.greetingName}` : 'Hello',
            channel: '',
            decidedAt: now.toISOString(),
            action: { kind: 'none', reason: 'no channel of the campaign is consented for its purpose', passed: [] },
          };
        }
        channel = chosen.channel;
        channelReason = `channel ${chosen.channel}: ${chosen.reason}`;
      }
      // Only campaigns that could reach the cap check need counts fetched.
      const candidates = campaigns.filter(
        (c) => isLive(c, now) && c.channels.includes(channel) && Object.prototype.hasOwnProperty.call(memberships, c.segmentId),
      );
      const ids = chain.map((e) => e.customerId);
      const { counts, versions } = await this.counters.read(
        profile.customerId,
        countsNeeded(candidates, channel, this.policy, profile),
        now,
        fromMongo ? [] : ids,
      );
      if (!fromMongo) {
        const stale = chain.filter((e) => versions.get(e.customerId) !== e.version).map((e) => e.customerId);
        if (stale.length > 0) {
          this.lookup.forget(stale);
          // Nothing from Redis at all: it cannot vouch for any copy, so decide on MongoDB's.
          if (versions.size === 0) fromMongo = true;
          if (attempt < MAX_ATTEMPTS) continue;
          throw new CustomerChangingError();
        }
      }
      const brief = customerBrief(profile, channel);
      const answer = {
        ...brief,
        greeting: brief.greetingName ? `Hello ${brief.greetingName}` : 'Hello',
        channel,
        decidedAt: now.toISOString(),
      };
      // Counts are cached (OUTCOME_STATS_TTL_MS), so the usual request adds no round trip for them.
      const learning: ArbitrationLearning | undefined = this.learned
        ? {
            stats: await this.outcomes.responseStats(),
            archetype: archetypeOf(profile),
            policy: defaultLearningPolicy,
            sampler: this.sampler,
          }
        : undefined;
      const decided = decideNextAction({
        profile,
        memberships,
        campaigns,
        channel,
        now,
        counts,
        policy: this.policy,
        ...(learning !== undefined ? { learning } : {}),
      });
      const action: NextAction =
        channelReason !== undefined && decided.kind === 'offer' ? { ...decided, reasons: [...decided.reasons, channelReason] } : decided;
      if (action.kind === 'none') return { ...answer, action, ...(mode.kind === 'preview' ? { preview: true as const } : {}) };
      // A preview reads the counts but reserves nothing and publishes nothing (GET has no side effects).
      if (mode.kind === 'preview') return { ...answer, action, preview: true };
      const decisionId = mode.decisionId;
      if (action.kind === 'offer') {
        const campaign = candidates.find((c) => c.id === action.campaignId);
        const outcome =
          campaign === undefined
            ? 'capped'
            : await this.counters.reserve(
                profile.customerId,
                held.version,
                contactScopes(campaign.id, channel, this.policy),
                capChecksFor(campaign, channel, this.policy, profile),
                decisionId,
                now,
              );
        if (outcome === 'stale') this.lookup.forget([held.customerId]);
        if (outcome !== 'reserved') {
          if (attempt < MAX_ATTEMPTS) continue;
          return { ...answer, action: { kind: 'none', reason: 'a concurrent contact reached a cap', passed: action.passed } };
        }
      }
      // Answered only once Kafka has the decision (see DecisionEvents), with the request's trace.
      await this.decisions.publish({
        key: profile.customerId,
        trace: context.active(),
        event: createEnvelope({
          id: decisionId,
          type: 'campaign.decided',
          version: 1,
          source: SOURCE,
          subject: profile.customerId,
          time: answer.decidedAt,
          data: decisionData(decisionId, profile.customerId, action, answer.decidedAt, profile.needs?.archetypes ?? []),
        }),
      });
      return { ...answer, action, decisionId };
    }
  }
}

/** The customer kept changing while the decision was being made (the caller may ask again). */
export class CustomerChangingError extends Error {
  constructor() {
    super('the customer changed during every attempt to decide; ask again');
    this.name = 'CustomerChangingError';
  }
}

function decisionData(
  decisionId: string,
  customerId: string,
  action: Exclude<NextAction, { kind: 'none' }>,
  decidedAt: string,
  archetypes: string[],
): CampaignDecidedDataV1 {
  const base = {
    decisionId,
    customerId,
    campaignId: action.campaignId,
    campaignVersion: action.campaignVersion,
    channel: action.channel,
    decidedAt,
    archetypes,
  };
  if (action.kind === 'control') return { ...base, kind: 'control', controlGroup: action.group, modules: [], reasons: [action.reason] };
  return {
    ...base,
    kind: 'offer',
    modules: action.offer.modules.map((m) => ({
      module: m.module,
      optionId: m.optionId,
      ...(m.label !== undefined ? { label: m.label } : {}),
      attributes: m.attributes,
      reason: m.reason,
    })),
    reasons: action.reasons,
  };
}
