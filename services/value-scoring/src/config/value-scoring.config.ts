import { z } from 'zod';
import { baseServiceConfigShape, configFields, loadConfig, Env } from '@o2o/config';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    );

const positiveInt = z.coerce.number().int().min(1);
const price = z.coerce.number().finite().min(0);

/** "email=0.05,sms=0.08" -> { email: 0.05, sms: 0.08 }: prices per channel, each finite and >= 0. */
const channelPrices = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const prices: Record<string, number> = {};
      for (const entry of s
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const [channel, amount, ...rest] = entry.split('=').map((p) => p.trim());
        const n = Number(amount);
        if (!channel || amount === undefined || amount === '' || rest.length > 0 || !Number.isFinite(n) || n < 0) {
          ctx.addIssue({ code: 'custom', message: `expected channel=price with a price >= 0, got "${entry}"` });
          return z.NEVER;
        }
        prices[channel] = n;
      }
      return prices;
    });
const fraction = z.coerce.number().gt(0).max(1);

export const valueScoringConfigSchema = z
  .object({
    ...baseServiceConfigShape,
    HTTP_PORT: configFields.port.default(3002),
    /** The management listener: health and metrics, apart from the authenticated API. */
    MANAGEMENT_PORT: configFields.listenPort.default(3102),
    MONGO_DB: baseServiceConfigShape.MONGO_DB.default('value_scoring'),
    KAFKA_GROUP_ID: z.string().default('value-scoring'),
    /** Track event names that count as purchases (Segment e-commerce spec: "Order Completed"). */
    PURCHASE_EVENTS: list('Order Completed,Purchase,Product Purchased'),
    REFUND_EVENTS: list('Order Refunded'),
    /** Track event names that record a service call (libs/contracts costTrackEvents). */
    SERVICE_CALL_EVENTS: list('Service Call Completed'),
    /**
     * Track event names that record an outbound contact, priced by the channel they name (libs/contracts
     * costTrackEvents). Not "Offer Presented" by default: most offers are presented in a contact the
     * customer started (a visit, a call), which costs nothing more; add it where offers go out on their own.
     */
    CONTACT_EVENTS: list('Contact Made'),

    /*
     * The cost model's defaults, in VALUE_CURRENCY, until an operator sets one through
     * PUT /v1/cost-model. Value is margin: revenue minus these (docs/architecture.md, value scoring).
     */
    /** Picking, packing, shipping and payment fees of one order. */
    COST_PER_ORDER: price.default(4),
    /** Handling one return (an Order Refunded): reverse shipping, inspection, restocking. */
    COST_PER_RETURN: price.default(12),
    /** One service call. */
    COST_PER_SERVICE_CALL: price.default(8),
    /** One outbound contact per channel ("channel=price,..."). */
    COST_PER_CONTACT: channelPrices('email=0.05,sms=0.08,app=0.01,web=0,call-centre=6,phone=6,mail=1.2,store=2,dealer=2'),
    /** One outbound contact on a channel COST_PER_CONTACT does not name. */
    COST_PER_CONTACT_DEFAULT: price.default(0.5),
    /** Keeping a customer on the books for a year (account, statements, data upkeep). */
    COST_PER_CUSTOMER_YEAR: price.default(1),
    /** Account currency; amounts in other currencies are kept but flagged. */
    VALUE_CURRENCY: z.string().length(3).default('EUR'),

    /** Actual value horizon in years (expected discounted value over it). */
    VALUE_HORIZON_YEARS: z.coerce.number().gt(0).max(50).default(3),
    /** Yearly discount rate of future spend. */
    VALUE_DISCOUNT_RATE: z.coerce.number().min(0).max(1).default(0.1),
    /** Cash-flow periods per year in the discounting (12: monthly). */
    VALUE_PERIODS_PER_YEAR: positiveInt.max(365).default(12),
    /** Model time unit in days (7: weeks, as in the BG/NBD literature). Changing it needs a refit. */
    MODEL_TIME_UNIT_DAYS: z.coerce.number().gt(0).max(365).default(7),

    /** Scheduled refit period (default 7 days). */
    REFIT_INTERVAL_MS: positiveInt.default(7 * 86_400_000),
    /** Scheduled re-scoring and re-tiering period, as recency decays value (default 1 day). */
    RESCORE_INTERVAL_MS: positiveInt.default(86_400_000),
    /** How often each instance checks whether a scheduled job is due. */
    SCHEDULER_TICK_MS: positiveInt.default(60_000),
    SCHEDULER_ENABLED: configFields.booleanFlag.default(true),
    /** How often each instance reloads the current model version and tier cut-offs. */
    MODEL_REFRESH_MS: positiveInt.default(30_000),
    /** Lease of the model-job lock in Redis; the holder renews it every third of it. */
    MODEL_LOCK_TTL_MS: positiveInt.min(1000).default(60_000),

    /** No fitted model below this many customers with a purchase: the interim model scores. */
    FIT_MIN_CUSTOMERS: positiveInt.default(200),
    /** ... nor below this many repeat buyers (Gamma-Gamma learns only from them). */
    FIT_MIN_REPEAT_CUSTOMERS: positiveInt.default(50),
    /** Fits use a deterministic sample of at most this many customers (memory bound of a fit). */
    FIT_MAX_CUSTOMERS: positiveInt.default(250_000),
    /** Documents per page when streaming summaries (fit, re-scoring, re-tiering). */
    SCORING_PAGE_SIZE: positiveInt.max(10_000).default(1000),
    /**
     * Order lines kept whole per customer (bounded customers): older ones, whole UTC days, are
     * folded into an aggregate (purchase days, their value, totals) that scores the same.
     */
    ORDER_LINES_KEPT: positiveInt.min(10).max(100_000).default(500),

    /** Cumulative value share upper bounds of tiers A, B, C (D takes the rest). */
    TIER_SHARE_A: fraction.default(0.5),
    TIER_SHARE_B: fraction.default(0.8),
    TIER_SHARE_C: fraction.default(0.95),
    /** A value state is republished when the tier changes or the value moves by more than both of these. */
    PUBLISH_VALUE_CHANGE_RELATIVE: z.coerce.number().min(0).default(0.05),
    PUBLISH_VALUE_CHANGE_ABSOLUTE: z.coerce.number().min(0).default(1),

    /** Peer spend level: this percentile of expected yearly spend within the peer group. */
    PEER_PERCENTILE: fraction.default(0.8),
    /** Smallest peer group whose level is trusted; smaller groups fall back to category breadth only. */
    PEER_MIN_GROUP_SIZE: positiveInt.default(30),
    /** Lower bounds of the category-breadth bands ("1,2,4,7": 1, 2-3, 4-6, 7+). */
    CATEGORY_BREADTH_BANDS: z
      .string()
      .default('1,2,4,7')
      .transform((s) => s.split(',').map((e) => Number(e.trim())))
      .pipe(z.array(z.number().int().min(1)).min(1)),
  })
  .refine((c) => c.TIER_SHARE_A < c.TIER_SHARE_B && c.TIER_SHARE_B < c.TIER_SHARE_C, {
    message: 'tier shares must satisfy TIER_SHARE_A < TIER_SHARE_B < TIER_SHARE_C',
    path: ['TIER_SHARE_A'],
  });

export type ValueScoringConfig = z.infer<typeof valueScoringConfigSchema>;

export function loadValueScoringConfig(env: Env = process.env): ValueScoringConfig {
  return loadConfig(valueScoringConfigSchema, env);
}
