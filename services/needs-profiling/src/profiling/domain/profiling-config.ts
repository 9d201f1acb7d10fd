import { z } from 'zod';
import { segmentEventTypes } from '@o2o/contracts';
import { archetypeRulesSchema } from './archetype.rules';
import { categoryAffinityConfigSchema } from './category-affinity';
import { channelPreferenceConfigSchema } from './channel-preference';
import { giftBuyingConfigSchema, priceSensitivityConfigSchema } from './purchase-habits';
import { questionBankSchema } from './question-bank';
import { stageGuidanceSchema, stageRulesSchema } from './stage.machine';

/**
 * Everything about needs profiling that marketing may want to change without a release: which
 * traits mean what and why we keep them, how inferences weigh evidence, the archetypes, the stage
 * rules, the question bank. Every field has a default, so `{}` is a working configuration.
 */
const attributeMappingSchema = z.strictObject({
  /** Fact key the attribute fills. */
  key: z.string().min(1).max(200),
  /** Purpose used when the event states none. */
  purpose: z.string().min(1).optional(),
  /** A list value becomes one boolean fact per element: interests ["golf"] -> interest.golf = true. */
  expand: z.boolean().default(false),
});
export type AttributeMapping = z.output<typeof attributeMappingSchema>;

const defaultAttributes: Record<string, z.input<typeof attributeMappingSchema>> = {
  smokingRoom: { key: 'room.smoking', purpose: 'service' },
  newspaper: { key: 'reading.newspaper', purpose: 'personalisation' },
  preferredContactMethod: { key: 'contact.preferredChannel', purpose: 'contact' },
  preferredChannel: { key: 'contact.preferredChannel', purpose: 'contact' },
  preferredContactTime: { key: 'contact.preferredTime', purpose: 'contact' },
  hasChildren: { key: 'household.children', purpose: 'personalisation' },
  children: { key: 'household.children', purpose: 'personalisation' },
  interests: { key: 'interest', purpose: 'personalisation', expand: true },
  workLocation: { key: 'work.location', purpose: 'personalisation' },
  travelFrequency: { key: 'travel.frequency', purpose: 'personalisation' },
  loyaltyMember: { key: 'loyalty.member', purpose: 'service' },
};

export const explicitFactsConfigSchema = z.object({
  /**
   * Identify traits and preference-centre choices, by attribute name (matched ignoring case,
   * dashes and underscores), to the fact they fill.
   */
  attributes: z.record(z.string().min(1), attributeMappingSchema).default(() => {
    const parsed: Record<string, AttributeMapping> = {};
    for (const [name, mapping] of Object.entries(defaultAttributes)) parsed[name] = attributeMappingSchema.parse(mapping);
    return parsed;
  }),
  /**
   * Unmapped traits are kept (as trait.<name>) only if the event states a purpose and this is on:
   * by default, data nobody declared a purpose for is not collected.
   */
  keepUnmappedTraitsWithStatedPurpose: z.boolean().default(false),
  /** Identity and contact data: identity-resolution's business, never a need, even with a purpose. */
  neverStore: z
    .array(z.string().min(1))
    .default([
      'email',
      'phone',
      'name',
      'firstName',
      'lastName',
      'address',
      'birthday',
      'age',
      'userId',
      'anonymousId',
      'id',
      'password',
      'createdAt',
    ]),
  /** Purpose of preference-centre choices when neither the event nor a mapping states one. */
  preferenceCentrePurpose: z.string().min(1).default('contact'),
  /** Purpose under which consent choices are recorded as facts (consent.<purpose>). */
  consentPurpose: z.string().min(1).default('consent-management'),
  confidence: z
    .object({
      answer: z.number().min(0).max(1).default(1),
      preference: z.number().min(0).max(1).default(1),
      /** Traits often come from imports and forms filled in by staff, so slightly less than the customer's own answer. */
      trait: z.number().min(0).max(1).default(0.9),
    })
    .prefault({}),
  maxValueLength: z.number().int().positive().default(200),
  /** Distinct explicit fact keys per customer; beyond this, new keys are refused. */
  maxFacts: z.number().int().positive().default(300),
  /** Superseded observations kept per fact key. */
  historyPerKey: z.number().int().min(0).default(5),
});
export type ExplicitFactsConfig = z.output<typeof explicitFactsConfigSchema>;

export const eventNamesConfigSchema = z.object({
  questionAsked: z.string().min(1).default('Question Asked'),
  questionAnswered: z.string().min(1).default('Question Answered'),
  /** The customer would not answer: properties { questionId, reason? }; not asked again for the decline cooldown. */
  questionDeclined: z.string().min(1).default('Question Declined'),
  preferencesUpdated: z.string().min(1).default('Preferences Updated'),
  /** A single consent given or withdrawn: properties { purpose, granted, channel?, wordingVersion? }. */
  consentUpdated: z.string().min(1).default('Consent Updated'),
  /** Track events that are purchases. */
  purchases: z.array(z.string().min(1)).default(['Order Completed']),
  /** Things we did to the customer, not things the customer did: they are not activity. */
  outbound: z
    .array(z.string().min(1))
    .default([
      'Question Asked',
      'Email Sent',
      'Email Delivered',
      'Email Bounced',
      'Push Notification Sent',
      'Message Sent',
      'Campaign Sent',
    ]),
  /** Segment call types that count as customer activity (alias and group are bookkeeping). */
  activityTypes: z.array(z.enum(segmentEventTypes)).default(['track', 'page', 'screen', 'identify']),
});
export type EventNamesConfig = z.output<typeof eventNamesConfigSchema>;

export const evidenceLimitsSchema = z.object({
  categories: z.number().int().min(1).default(300),
  purchases: z.number().int().min(1).default(100),
  channels: z.number().int().min(1).default(200),
  engagement: z.number().int().min(1).default(100),
});

const outcomeWeights = (accepted: number, declined: number, ignored: number) =>
  z
    .object({
      presented: z.number().finite().default(0),
      accepted: z.number().finite().default(accepted),
      declined: z.number().finite().default(declined),
      ignored: z.number().finite().default(ignored),
    })
    .prefault({});

/**
 * Learning from offer outcomes (campaigns.outcomes.v1): each outcome adds a signal to the
 * offer's categories and to the channel it happened on, decaying like every other signal
 * (affinity.halfLifeDays, channelPreference.halfLifeDays). Acceptances raise, declines and
 * ignored offers lower; an ignore says less than a decline.
 */
export const outcomeLearningSchema = z.object({
  /** Category signal per outcome (a purchase counts 5, a product view 1). */
  categoryWeights: outcomeWeights(5, -3, -1),
  /** Channel signal per outcome (a use of the channel counts 1). */
  channelWeights: outcomeWeights(2, -1, -0.5),
  /** The source id outcome events carry inside this service (never a channel's: ingestion assigns those from write keys). */
  sourceId: z.string().min(1).default('platform:campaigns.outcomes'),
});
export type OutcomeLearningConfig = z.output<typeof outcomeLearningSchema>;

export const materialityConfigSchema = z.object({
  /** An inferred numeric fact must move this much to count as changed. */
  valueDelta: z.number().min(0).default(0.05),
  /** A fact's confidence must move this much to count as changed. */
  confidenceDelta: z.number().min(0).default(0.1),
});
export type MaterialityConfig = z.output<typeof materialityConfigSchema>;

export const profilingConfigSchema = z
  .object({
    events: eventNamesConfigSchema.prefault({}),
    explicit: explicitFactsConfigSchema.prefault({}),
    affinity: categoryAffinityConfigSchema.prefault({}),
    channelPreference: channelPreferenceConfigSchema.prefault({}),
    priceSensitivity: priceSensitivityConfigSchema.prefault({}),
    giftBuying: giftBuyingConfigSchema.prefault({}),
    evidenceLimits: evidenceLimitsSchema.prefault({}),
    archetypes: archetypeRulesSchema,
    stages: stageRulesSchema.prefault({}),
    stageGuidance: stageGuidanceSchema.prefault({}),
    questionBank: questionBankSchema.prefault({}),
    materiality: materialityConfigSchema.prefault({}),
    outcomes: outcomeLearningSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    // Purchase counts come from the bounded purchase evidence, so a threshold above the bound could never be met.
    const limit = config.evidenceLimits.purchases;
    for (const [path, value] of [
      [['stages', 'loyalty', 'minPurchases'], config.stages.loyalty.minPurchases],
      [['stages', 'connection', 'minPurchases'], config.stages.connection.minPurchases],
      [['priceSensitivity', 'minPurchases'], config.priceSensitivity.minPurchases],
      [['giftBuying', 'minPurchases'], config.giftBuying.minPurchases],
    ] as const) {
      if (value > limit) ctx.addIssue({ code: 'custom', path: [...path], message: `must not exceed evidenceLimits.purchases (${limit})` });
    }
    if (config.stages.consideration.minSignals > config.evidenceLimits.engagement)
      ctx.addIssue({
        code: 'custom',
        path: ['stages', 'consideration', 'minSignals'],
        message: 'must not exceed evidenceLimits.engagement',
      });
  });

export type ProfilingConfig = z.output<typeof profilingConfigSchema>;
export type ProfilingConfigInput = z.input<typeof profilingConfigSchema>;

export class ProfilingConfigError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(`invalid needs-profiling configuration: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'ProfilingConfigError';
  }
}

/** Validates a configuration document (e.g. loaded from a file or the service's config); throws with every problem at once. */
export function parseProfilingConfig(input: unknown): ProfilingConfig {
  const result = profilingConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ProfilingConfigError(result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message })));
}

export const defaultProfilingConfig: ProfilingConfig = parseProfilingConfig({});
