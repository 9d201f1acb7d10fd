import { Inject, Injectable } from '@nestjs/common';
import type { Channel, RelationshipStage } from '@o2o/contracts';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import {
  consentedPurposesOf,
  effectiveFacts,
  evaluateStage,
  Fact,
  guidanceFor,
  NeedsProfile,
  nextQuestion,
  NextQuestion,
  questionWeight,
  StageGuidance,
  StageTransition,
  unknownFactKeys,
} from '../../domain';
import { CustomerValues } from '../ports/customer-values';
import { NeedsProfileStore } from '../ports/needs-profile.store';

export class CustomerNotFoundError extends Error {
  constructor(readonly customerId: string) {
    super(`no needs profile for customer ${customerId}`);
    this.name = 'CustomerNotFoundError';
  }
}

export interface NeedsView {
  customerId: string;
  /** Customers merged into this one (a lookup by any of them answers with this profile). */
  mergedIds: string[];
  stage: {
    current: RelationshipStage;
    previous?: RelationshipStage;
    reason: string;
    since?: string;
    guidance: StageGuidance;
    transitions: StageTransition[];
  };
  /** One fact per key: the customer's word over our inference. */
  facts: Fact[];
  archetypes: string[];
  /** Fact keys the question bank cares about that are unknown or stale. */
  unknown: string[];
  /** The most valuable question on any channel, if one may be asked. */
  nextQuestion: NextQuestion | null;
  consentedPurposes: string[];
  /** The instant the view was computed at (time-based stages and decays included). */
  asOf: string;
}

/**
 * Reads for customer-facing screens. The stored profile is evaluated at the current time
 * without being written, so a customer who stopped coming shows as lapsing before the next sweep.
 */
@Injectable()
export class ReadNeedsQuery {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly values: CustomerValues,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
  ) {}

  async needs(customerId: string): Promise<NeedsView> {
    const { profile, asOf, weight } = await this.current(customerId);
    const bank = this.config.profiling.questionBank;
    const consentedPurposes = consentedPurposesOf(profile);
    const stage = profile.stage;
    return {
      customerId: profile.customerId,
      mergedIds: profile.mergedIds,
      stage: {
        current: stage.current,
        ...(stage.previous !== undefined ? { previous: stage.previous } : {}),
        reason: stage.reason,
        ...(stage.since !== undefined ? { since: stage.since } : {}),
        guidance: guidanceFor(stage.current, this.config.profiling.stageGuidance),
        transitions: stage.transitions,
      },
      facts: effectiveFacts(profile),
      archetypes: profile.archetypes,
      unknown: unknownFactKeys(profile, bank, asOf),
      nextQuestion: nextQuestion(profile, { consentedPurposes, now: asOf, weight }, bank) ?? null,
      consentedPurposes,
      asOf,
    };
  }

  async nextQuestion(
    customerId: string,
    channel: Channel | undefined,
  ): Promise<{ customerId: string; channel: Channel | null; question: NextQuestion | null; asOf: string }> {
    const { profile, asOf, weight } = await this.current(customerId);
    const context = { consentedPurposes: consentedPurposesOf(profile), now: asOf, weight, ...(channel !== undefined ? { channel } : {}) };
    return {
      customerId: profile.customerId,
      channel: channel ?? null,
      question: nextQuestion(profile, context, this.config.profiling.questionBank) ?? null,
      asOf,
    };
  }

  /** The profile evaluated now, and the customer's weight for questions (their value state, read beside it). */
  private async current(customerId: string): Promise<{ profile: NeedsProfile; asOf: string; weight: number }> {
    const loaded = await this.profiles.loadResolving([customerId]);
    const stored = loaded.docs.get(loaded.survivorOf(customerId))?.profile;
    if (!stored) throw new CustomerNotFoundError(customerId);
    const { profile } = evaluateStage(stored, new Date().toISOString(), this.config.profiling);
    const value = (await this.values.find([profile.customerId])).get(profile.customerId);
    return {
      profile,
      asOf: profile.clock ?? new Date().toISOString(),
      weight: questionWeight(value, this.config.profiling.questionBank.priority),
    };
  }
}
