import type { Context } from '@opentelemetry/api';
import type { OfferOutcomeDataV1, OfferOutcomeV1 } from '@o2o/contracts';
import type { ResponseStats } from '../../campaigns/domain/offer-learning';
import type { OpenOffer } from '../domain/offer-outcome';

// What the offer-outcome use cases need from the outside. Abstract classes are also Nest
// injection tokens: outcomes.module binds each to its infrastructure, unit tests pass plain fakes.

export type OfferState = 'open' | 'answered' | 'ignored';

/**
 * One offer decision and its answer. The deadline is stored, and a periodic sweep claims what is
 * overdue (no in-memory timer: a restart or another instance picks it up). `pending` holds the
 * outcome claimed for publication until Kafka has it, so a crash in between republishes it.
 */
export interface OfferDecisionDocument extends Omit<OpenOffer, 'decisionId'> {
  _id: string;
  state: OfferState;
  pending?: { outcome: OfferOutcomeDataV1; claimedAt: string } | null;
}

/** Open offers, their claimed outcomes and the recorded outcomes learning counts (OfferOutcomeStore in the service). */
export abstract class OfferOutcomes {
  /** Stores offers awaiting an answer; a redelivered decision changes nothing. */
  abstract recordOffers(offers: readonly OpenOffer[]): Promise<void>;
  /**
   * The offers of these decision ids and every offer of these customers (for channels that
   * reported no decision id): one read per kind asked for, whatever the number of reports.
   */
  abstract held(decisionIds: readonly string[], customerIds: readonly string[]): Promise<OfferDecisionDocument[]>;
  /**
   * Closes open offers, each with its outcome pending until published (one write for all, at most
   * one claim per decision). Returns the decision ids whose claim landed; the others were no
   * longer open (another answer or the sweep came first).
   */
  abstract claim(
    claims: ReadonlyArray<{ decisionId: string; outcome: OfferOutcomeDataV1 }>,
    state: Exclude<OfferState, 'open'>,
    now: Date,
  ): Promise<Set<string>>;
  /** Open offers whose window has passed. */
  abstract overdue(now: Date, limit: number): Promise<OfferDecisionDocument[]>;
  /** Outcomes claimed but not marked published before this time (a crash between the two). */
  abstract unpublished(claimedBefore: Date, limit: number): Promise<OfferOutcomeDataV1[]>;
  abstract markPublished(decisionIds: readonly string[]): Promise<void>;
  /** Records outcomes read back from the topic; once per outcome id. */
  abstract recordOutcomes(outcomes: readonly OfferOutcomeDataV1[]): Promise<void>;
  /** Accepted against declined-or-ignored counts per learning key. */
  abstract responseStats(): Promise<ResponseStats>;
}

/** Offer outcomes published on campaigns.outcomes.v1 (OutcomePublisher in the service). */
export abstract class OutcomeEvents {
  /** Resolves once Kafka has them (the caller marks them published after). */
  abstract publish(outcomes: ReadonlyArray<{ event: OfferOutcomeV1; trace?: Context | undefined }>): Promise<void>;
}
