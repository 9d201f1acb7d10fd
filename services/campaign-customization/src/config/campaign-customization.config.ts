import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

/**
 * Segments created at boot when missing (by id; an existing segment is never overwritten, so
 * edits made through the API survive restarts). Validated again by the segments module with
 * the rule validator; here only the JSON shape is checked.
 */
const defaultSegments = JSON.stringify([
  {
    id: 'purchase-stage-or-beyond',
    name: 'First-time buyers and beyond (stage purchase, connection or loyalty)',
    purpose: 'marketing',
    rule: { path: 'needs.stage', op: 'in', value: ['purchase', 'connection', 'loyalty'] },
  },
  {
    id: 'value-tier-a',
    name: 'Most valuable customers (value tier A)',
    purpose: 'marketing',
    rule: { path: 'value.tier', op: 'eq', value: 'A' },
  },
  {
    id: 'repeat-buyers-30d',
    name: '2 or more orders in the last 30 days',
    purpose: 'marketing',
    rule: { count: { event: 'Order Completed', days: 30 }, op: 'gte', value: 2 },
  },
]);

const jsonArray = z.string().transform((text, ctx): unknown[] => {
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON array' });
  return z.NEVER;
});

const capRules = z.string().transform((text, ctx) => {
  try {
    const parsed: unknown = JSON.parse(text);
    const result = z
      .array(
        z.strictObject({
          max: z.number().int().min(0),
          windowHours: z
            .number()
            .int()
            .min(1)
            .max(24 * 90),
        }),
      )
      .safeParse(parsed);
    if (result.success) return result.data;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON array of {"max": n, "windowHours": h}' });
  return z.NEVER;
});

const channelCapRules = z.string().transform((text, ctx) => {
  try {
    const parsed: unknown = JSON.parse(text);
    const result = z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
        z.array(
          z.strictObject({
            max: z.number().int().min(0),
            windowHours: z
              .number()
              .int()
              .min(1)
              .max(24 * 90),
          }),
        ),
      )
      .safeParse(parsed);
    if (result.success) return result.data;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object of channel -> [{"max": n, "windowHours": h}]' });
  return z.NEVER;
});

export const campaignCustomizationConfigSchema = z.object({
  ...baseServiceConfigShape,
  HTTP_PORT: configFields.port.default(3004),
  /** The management listener: health and metrics, apart from the authenticated API. */
  MANAGEMENT_PORT: configFields.listenPort.default(3104),
  MONGO_DB: baseServiceConfigShape.MONGO_DB.default('campaign_customization'),
  KAFKA_GROUP_ID: z.string().default('campaign-customization'),
  /** JSON array of segment drafts ({id, name, purpose, consentMode?, rule}) created at boot when missing. */
  CAMPAIGN_DEFAULT_SEGMENTS: jsonArray.default(() => JSON.parse(defaultSegments) as unknown[]),
  /** Track event carrying consent decisions: properties { purpose, channel, granted, wordingVersion }. */
  CONSENT_EVENT: z.string().min(1).default('Consent Updated'),
  /** Platform caps over all campaigns and channels, JSON [{"max": 3, "windowHours": 24}]. */
  CONTACT_TOTAL_CAPS: capRules.default([]),
  /** Platform caps per channel over all campaigns, JSON {"email": [{"max": 2, "windowHours": 168}], "sms": [...]}. */
  CONTACT_CHANNEL_CAPS: channelCapRules.default({}),
  /**
   * Channels on which the platform starts the contact, comma-separated: contacts on them are capped
   * by the customer's stage guidance (needs.profiles.v1 stageGuidance: contacts per 30 days, days
   * between contacts). Empty: stage guidance caps nothing.
   */
  STAGE_GUIDANCE_CHANNELS: z
    .string()
    .default('email,sms,push,mail')
    .transform((text) =>
      text
        .split(',')
        .map((c) => c.trim())
        .filter((c) => c !== ''),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/))),
  /** Share of all customers kept out of every campaign (global control group). */
  GLOBAL_HOLDOUT_SHARE: z.coerce.number().min(0).max(0.5).default(0),
  /** Customers re-evaluated per page when a segment is back-filled. */
  BACKFILL_PAGE_SIZE: z.coerce.number().int().min(10).max(5000).default(200),
  /**
   * How often this instance looks for back-fills to run (another instance's, or one a stopped
   * instance left) and outboxes a crash left unpublished (older than 15 s), and, at most every
   * OUTCOME_SWEEP_INTERVAL_MS, offers past their response window. A back-fill started through this instance's API starts at once, whatever
   * this says. Each pass costs ~4 database reads with nothing to do, so every 2 s made an idle
   * instance the largest source of commands per event at saturation (issue 19).
   */
  BACKGROUND_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * How often (at most: it runs within the background pass) offers past their response window
   * become Offer Ignored and outcomes a crash left claimed for 30 s are published again. Its two
   * reads of offer_decisions every pass were the largest share of an idle instance's database
   * commands (issue 19); windows are hours, so a minute's delay changes nothing.
   */
  OUTCOME_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /**
   * How long the next-action path may use an identifier lookup it cached, and the campaign list
   * while campaign change notices are not heard (Redis away).
   */
  CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /**
   * Longest each instance keeps its campaign list while it hears campaign change notices (a save
   * through any instance's API drops every copy at once): only a notice lost on its way waits this
   * long. An idle instance reads the campaigns once per this period (was every CACHE_TTL_MS).
   */
  CAMPAIGN_CATALOG_MAX_AGE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Bounds of one customer's document (a limit that applies is counted in o2o_campaign_customer_limits_applied_total and logged): counter series kept (the least recently active dropped beyond it). */
  CUSTOMER_COUNTER_SERIES_MAX: z.coerce.number().int().min(10).max(100_000).default(300),
  /** A day's count of one counter series saturates here. */
  CUSTOMER_COUNTER_VALUE_MAX: z.coerce.number().int().min(100).default(1_000_000),
  /** Identify trait names kept per customer; new names beyond it are ignored. */
  CUSTOMER_TRAITS_MAX: z.coerce.number().int().min(10).max(100_000).default(200),
  /** Arbitration among eligible campaigns of equal priority: learned (Thompson sampling on offer outcomes per archetype) or priority (worth of a conversion only). */
  ARBITRATION: z.enum(['learned', 'priority']).default('learned'),
  /** How long arbitration may use the response counts it read (they are re-counted from offer_outcomes after this). */
  OUTCOME_STATS_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  /** Upper bound of the customer snapshots each instance keeps in memory for next-action (characters of their JSON text). */
  SNAPSHOT_CACHE_MAX_BYTES: z.coerce.number().int().min(1_000_000).max(4_000_000_000).default(64_000_000),
});

export type CampaignCustomizationConfig = z.infer<typeof campaignCustomizationConfigSchema>;

export function loadCampaignCustomizationConfig(env: Env = process.env): CampaignCustomizationConfig {
  return loadConfig(campaignCustomizationConfigSchema, env);
}
