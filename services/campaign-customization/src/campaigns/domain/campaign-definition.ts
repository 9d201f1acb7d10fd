import { z } from 'zod';
import { slugSchema } from '../../shared-kernel/domain/consent';
import { MAX_WINDOW_DAYS, type FilterValue } from '../../shared-kernel/domain/event-counter';
import { resolvePath } from '../../shared-kernel/domain/profile-path';
import type { SegmentRule } from '../../segments/domain/segment-rule';
import { segmentRuleSchema } from '../../segments/domain/segment-rule.validator';
import { segmentIdSchema } from '../../segments/domain/segment-definition';

/** The parts an offer is assembled from, one option each, per customer (mass customization). */
export const offerModuleNames = ['product', 'message', 'delivery', 'packaging', 'payment'] as const;
export type OfferModuleName = (typeof offerModuleNames)[number];

export type OptionAttribute = string | number | boolean;

export interface OfferOption {
  id: string;
  label?: string;
  /** When the option fits, over the same profile paths as segment rules; absent: fits everyone. */
  when?: SegmentRule;
  /** Base preference among fitting options. */
  weight: number;
  /** A numeric profile path (e.g. "facts.affinity.category.shoes") added to the weight, so the option the customer leans to wins. */
  affinity?: string;
  /** What the channel needs to render or fulfil the option (sku, template id, ...). */
  attributes: Record<string, OptionAttribute>;
}

export interface OfferModule {
  options: OfferOption[];
}

/** At most max contacts in any sliding window of windowHours. */
export interface CapRule {
  max: number;
  windowHours: number;
}

export const campaignStatuses = ['draft', 'active', 'paused', 'ended'] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

export interface CampaignDefinition {
  id: string;
  version: number;
  name: string;
  status: CampaignStatus;
  /** Members of this segment (any version) are the audience. */
  segmentId: string;
  /** What the contact is for; consent must be granted for it on the channel used. */
  purpose: string;
  /** Channels it may be delivered on, in order of preference. */
  channels: string[];
  /** The conversion the campaign is judged on. */
  goal: { event: string; where?: { property: string; value: FilterValue } };
  /** A goal event counts for the campaign when it happens within this many days of the first exposure. */
  attributionWindowDays: number;
  startAt: string;
  endAt?: string;
  /** Share of the audience kept as the campaign's control group, in [0, 0.9]. */
  holdoutShare: number;
  /** Higher wins arbitration outright. */
  priority: number;
  /** Worth of one conversion, comparing campaigns of equal priority. */
  conversionValue: number;
  caps: {
    /** Contacts of one customer by this campaign, whatever the channel. */
    campaign: CapRule[];
    /** Contacts of one customer by this campaign on one channel. */
    perChannel: Record<string, CapRule[]>;
  };
  modules: Partial<Record<OfferModuleName, OfferModule>>;
  /** An offer without an accepted or declined answer this many hours after the decision counts as ignored (72 when absent). */
  responseWindowHours?: number;
  /** What to do once the lift interval excludes zero (absent: nothing, keep measuring). */
  liftRule?: LiftRule;
  /**
   * on-request (default): decided when a channel asks for the next action. on-segment-entry: also
   * decided, offer and channel, as soon as a customer enters the segment, and published on
   * campaigns.decisions.v1 for delivery systems.
   */
  trigger?: 'on-request' | 'on-segment-entry';
}

/**
 * Stop or shift a campaign on evidence: when the conversion-lift interval excludes zero in the
 * given direction, with at least minExposed customers in each group, `stop` pauses the campaign
 * and `shift` lowers its holdout to holdoutShare (the control group has made its point).
 */
export interface LiftRule {
  when: 'negative' | 'positive';
  action: 'stop' | 'shift';
  minExposed: number;
  /** For shift: the holdout kept afterwards. */
  holdoutShare?: number;
}

const MAX_CAP_WINDOW_HOURS = 24 * 90;

export const capRuleSchema = z.strictObject({
  max: z.number().int().min(0, 'max is a whole number of contacts, 0 or more'),
  windowHours: z
    .number()
    .int('windowHours is a whole number')
    .min(1, 'windowHours is at least 1')
    .max(MAX_CAP_WINDOW_HOURS, `windowHours is at most ${MAX_CAP_WINDOW_HOURS} (90 days)`),
});

const optionSchema = z.strictObject({
  id: slugSchema,
  label: z.string().max(200).optional(),
  when: segmentRuleSchema.optional(),
  weight: z.number().finite().default(0),
  affinity: z
    .string()
    .optional()
    .superRefine((path, ctx) => {
      if (path === undefined) return;
      const resolved = resolvePath(path);
      if (!resolved.ok) ctx.addIssue({ code: 'custom', message: resolved.message });
      else if (resolved.path.kind.type !== 'number' && resolved.path.kind.type !== 'dynamic') {
        ctx.addIssue({ code: 'custom', message: `${path} is not numeric, so it cannot weigh an option` });
      }
    }),
  attributes: z.record(z.string(), z.union([z.string(), z.number().finite(), z.boolean()])).default({}),
});

const moduleSchema = z.strictObject({
  options: z
    .array(optionSchema)
    .min(1, 'a module needs at least one option')
    .max(100)
    .superRefine((options, ctx) => {
      const seen = new Set<string>();
      options.forEach((o, i) => {
        if (seen.has(o.id)) ctx.addIssue({ code: 'custom', message: `duplicate option id "${o.id}"`, path: [i, 'id'] });
        seen.add(o.id);
      });
    }),
});

const isoTime = z.iso.datetime({ offset: true });

/** A campaign as the API accepts it; checks that can only be made across fields come last. */
export const campaignDefinitionSchema = z
  .strictObject({
    id: slugSchema,
    version: z.number().int().positive(),
    name: z.string().trim().min(1).max(200),
    status: z.enum(campaignStatuses).default('draft'),
    segmentId: segmentIdSchema,
    purpose: slugSchema,
    channels: z.array(slugSchema).min(1, 'a campaign needs at least one channel').max(20),
    goal: z.strictObject({
      event: z.string().min(1).max(200),
      where: z
        .strictObject({ property: z.string().min(1).max(200), value: z.union([z.string(), z.number().finite(), z.boolean()]) })
        .optional(),
    }),
    attributionWindowDays: z.number().int().min(1).max(MAX_WINDOW_DAYS),
    startAt: isoTime,
    endAt: isoTime.optional(),
    holdoutShare: z.number().min(0).max(0.9, 'a holdout above 90% leaves too few treated customers'),
    priority: z.number().int().min(0).max(1000).default(0),
    conversionValue: z.number().finite().positive().default(1),
    caps: z
      .strictObject({
        campaign: z.array(capRuleSchema).max(10).default([]),
        perChannel: z.record(slugSchema, z.array(capRuleSchema).max(10)).default({}),
      })
      .default({ campaign: [], perChannel: {} }),
    responseWindowHours: z
      .number()
      .positive('responseWindowHours is more than 0 (fractions of an hour are allowed)')
      .max(24 * 90, 'responseWindowHours is at most 2160 (90 days)')
      .optional(),
    trigger: z.enum(['on-request', 'on-segment-entry']).optional(),
    liftRule: z
      .strictObject({
        when: z.enum(['negative', 'positive']),
        action: z.enum(['stop', 'shift']),
        minExposed: z.number().int().min(1).default(100),
        holdoutShare: z.number().min(0).max(0.9).optional(),
      })
      .superRefine((rule, ctx) => {
        if (rule.action === 'shift' && rule.holdoutShare === undefined)
          ctx.addIssue({ code: 'custom', message: 'shift needs the holdoutShare to keep', path: ['holdoutShare'] });
      })
      .optional(),
    modules: z.strictObject(
      Object.fromEntries(offerModuleNames.map((m) => [m, moduleSchema.optional()])) as Record<
        OfferModuleName,
        z.ZodOptional<typeof moduleSchema>
      >,
    ),
  })
  .superRefine((c, ctx) => {
    if (c.endAt !== undefined && Date.parse(c.endAt) <= Date.parse(c.startAt)) {
      ctx.addIssue({ code: 'custom', message: 'endAt must be after startAt', path: ['endAt'] });
    }
    for (const channel of Object.keys(c.caps.perChannel)) {
      if (!c.channels.includes(channel)) {
        ctx.addIssue({
          code: 'custom',
          message: `cap for channel "${channel}", which the campaign does not use`,
          path: ['caps', 'perChannel', channel],
        });
      }
    }
    if (new Set(c.channels).size !== c.channels.length)
      ctx.addIssue({ code: 'custom', message: 'channels are listed twice', path: ['channels'] });
  });

export type CampaignInput = z.input<typeof campaignDefinitionSchema>;

/** Parses and normalises a campaign; the result is a CampaignDefinition. */
export function parseCampaign(
  input: unknown,
): { ok: true; campaign: CampaignDefinition } | { ok: false; issues: Array<{ path: string; message: string }> } {
  const parsed = campaignDefinitionSchema.safeParse(input);
  if (parsed.success) {
    const campaign: CampaignDefinition = parsed.data;
    return { ok: true, campaign };
  }
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(campaign)', message: i.message })),
  };
}

/** Whether the campaign may contact anyone at this time. */
export function isLive(campaign: CampaignDefinition, now: Date): boolean {
  const t = now.getTime();
  return (
    campaign.status === 'active' && Date.parse(campaign.startAt) <= t && (campaign.endAt === undefined || t < Date.parse(campaign.endAt))
  );
}
