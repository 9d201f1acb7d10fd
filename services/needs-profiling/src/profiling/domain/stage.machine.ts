import { z } from 'zod';
import type { RelationshipStage } from '@o2o/contracts';
import { compareInstants, daysBetween, instantMs, DAY_MS } from './instant';
import type { NeedsProfile, StageState, StageTransition } from './needs-profile';

/**
 * The relationship stage is a function of the profile's evidence and its clock, not of the order
 * in which events arrived: a replica that saw the same events, in any order, lands in the same
 * stage. Only the transition log (history) depends on arrival order.
 */
export const stageRulesSchema = z
  .object({
    /** No customer activity for this long: lapsing. */
    lapsingAfterDays: z.number().positive().default(90),
    /** No customer activity for this long: lost. */
    lostAfterDays: z.number().positive().default(365),
    consideration: z
      .object({
        windowDays: z.number().positive().default(30),
        /** Engagement signals within the window that make a prospect a considerer. */
        minSignals: z.number().int().min(1).default(3),
        /** Track events that count as engagement. */
        signals: z
          .array(z.string().min(1))
          .default([
            'Product Viewed',
            'Product Clicked',
            'Product List Viewed',
            'Products Searched',
            'Product Added',
            'Product Added to Wishlist',
            'Cart Viewed',
            'Checkout Started',
            'Question Answered',
            'Preferences Updated',
          ]),
        countPageViews: z.boolean().default(true),
      })
      .prefault({}),
    purchase: z.object({ minPurchases: z.number().int().min(1).default(1) }).prefault({}),
    connection: z
      .object({
        /** Repeat buyers are connected. */
        minPurchases: z.number().int().min(1).default(2),
        /** So is a buyer who has told us this many things (a learning relationship has begun). */
        minExplicitFacts: z.number().int().min(1).default(3),
      })
      .prefault({}),
    loyalty: z
      .object({
        minPurchases: z.number().int().min(1).default(4),
        /** Days since the first purchase. */
        minTenureDays: z.number().min(0).default(180),
      })
      .prefault({}),
    /** Transitions kept in the profile. */
    transitionsKept: z.number().int().min(1).default(20),
  })
  .superRefine((rules, ctx) => {
    if (rules.lostAfterDays <= rules.lapsingAfterDays)
      ctx.addIssue({ code: 'custom', path: ['lostAfterDays'], message: 'must be greater than lapsingAfterDays' });
    if (rules.connection.minPurchases < rules.purchase.minPurchases)
      ctx.addIssue({ code: 'custom', path: ['connection', 'minPurchases'], message: 'must be at least purchase.minPurchases' });
    if (rules.loyalty.minPurchases < rules.connection.minPurchases)
      ctx.addIssue({ code: 'custom', path: ['loyalty', 'minPurchases'], message: 'must be at least connection.minPurchases' });
  });
export type StageRules = z.output<typeof stageRulesSchema>;

const guidanceSchema = z.object({
  /** Cap on contacts we initiate in a rolling 30 days. */
  maxContactsPer30Days: z.number().int().min(0),
  minDaysBetweenContacts: z.number().min(0),
  /** What the content should do at this stage, for campaign authors and agents. */
  content: z.array(z.string()),
});
export type StageGuidance = z.output<typeof guidanceSchema>;

const guidance = (maxContactsPer30Days: number, minDaysBetweenContacts: number, content: string[]) =>
  guidanceSchema.default({ maxContactsPer30Days, minDaysBetweenContacts, content });

export const stageGuidanceSchema = z.object({
  prospecting: guidance(2, 7, ['introduce the brand and its service promise', 'ask one easy needs question', 'no hard selling']),
  consideration: guidance(4, 3, [
    'help choose within the categories they look at',
    'reviews, comparisons, availability',
    'answer open questions',
  ]),
  purchase: guidance(3, 5, ['confirm and onboard', 'usage and care tips', 'ask how it went']),
  connection: guidance(4, 5, ['personalised recommendations from known needs', 'service reminders', 'ask the next needs question']),
  loyalty: guidance(4, 5, ['recognition and rewards', 'early access and invitations', 'ask for referrals and co-creation']),
  lapsing: guidance(2, 10, ['win-back offer matched to known needs', 'ask what changed', 'offer to lower contact frequency']),
  lost: guidance(1, 30, ['occasional reactivation only', 'respect opt-outs; consider erasure of stale data']),
});
export type StageGuidanceConfig = z.output<typeof stageGuidanceSchema>;

export interface StageDecision {
  stage: RelationshipStage;
  reason: string;
}

type StageInputs = Pick<NeedsProfile, 'activity' | 'evidence' | 'facts'>;

const days = (value: number) => Math.floor(value);

/** Which stage the profile is in at `asOf`, and why. Rules are checked from the strongest down. */
export function classifyStage(profile: StageInputs, asOf: string, rules: StageRules): StageDecision {
  const last = profile.activity.lastActivityAt;
  if (last === undefined) return { stage: 'prospecting', reason: 'no customer activity yet' };
  const inactiveDays = daysBetween(last, asOf);
  if (inactiveDays >= rules.lostAfterDays)
    return { stage: 'lost', reason: `no activity for ${days(inactiveDays)} days (lost after ${rules.lostAfterDays})` };
  if (inactiveDays >= rules.lapsingAfterDays)
    return { stage: 'lapsing', reason: `no activity for ${days(inactiveDays)} days (lapsing after ${rules.lapsingAfterDays})` };

  const purchases = profile.evidence.purchases.length;
  const first = profile.activity.firstPurchaseAt;
  const tenureDays = first === undefined ? 0 : daysBetween(first, asOf);
  if (purchases >= rules.loyalty.minPurchases && tenureDays >= rules.loyalty.minTenureDays)
    return {
      stage: 'loyalty',
      reason: `${purchases} purchases over ${days(tenureDays)} days (loyalty from ${rules.loyalty.minPurchases} purchases over ${rules.loyalty.minTenureDays} days)`,
    };
  if (purchases >= rules.connection.minPurchases)
    return { stage: 'connection', reason: `repeat buyer: ${purchases} purchases (connection from ${rules.connection.minPurchases})` };
  const told = profile.facts.filter((f) => f.kind === 'explicit' && f.value !== null && !f.key.startsWith('consent.')).length;
  if (purchases >= rules.purchase.minPurchases && told >= rules.connection.minExplicitFacts)
    return {
      stage: 'connection',
      reason: `buyer who has shared ${told} needs (connection from ${rules.connection.minExplicitFacts})`,
    };
  if (purchases >= rules.purchase.minPurchases)
    return {
      stage: 'purchase',
      reason: `${purchases} purchase${purchases === 1 ? '' : 's'} (purchase from ${rules.purchase.minPurchases})`,
    };

  const windowStart = new Date(instantMs(asOf) - rules.consideration.windowDays * DAY_MS).toISOString();
  const signals = profile.evidence.engagement.filter((s) => compareInstants(s.at, windowStart) > 0).length;
  if (signals >= rules.consideration.minSignals)
    return {
      stage: 'consideration',
      reason: `${signals} engagement signals in the last ${rules.consideration.windowDays} days (consideration from ${rules.consideration.minSignals})`,
    };
  return {
    stage: 'prospecting',
    reason: `no purchase yet and ${signals} engagement signal${signals === 1 ? '' : 's'} in the last ${rules.consideration.windowDays} days`,
  };
}

/** Moves the stage state to `decision`, logging a transition only when the stage itself changes. */
export function withStage(
  state: StageState,
  decision: StageDecision,
  at: string,
  cause: StageTransition['cause'],
  rules: Pick<StageRules, 'transitionsKept'>,
  sourceEventId?: string,
): { state: StageState; transition?: StageTransition } {
  if (decision.stage === state.current) {
    return decision.reason === state.reason ? { state } : { state: { ...state, reason: decision.reason } };
  }
  const transition: StageTransition = { from: state.current, to: decision.stage, reason: decision.reason, at, cause };
  if (sourceEventId !== undefined) transition.sourceEventId = sourceEventId;
  return {
    transition,
    state: {
      current: decision.stage,
      previous: state.current,
      reason: decision.reason,
      since: at,
      transitions: [...state.transitions, transition].slice(-rules.transitionsKept),
    },
  };
}

export function guidanceFor(stage: RelationshipStage, config: StageGuidanceConfig): StageGuidance {
  return config[stage];
}
