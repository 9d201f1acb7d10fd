import type { PurchaseSummary, ScoreWrite } from '../../../shared-kernel/domain';
import type { SplitPart } from '../../domain/order-lines';

/**
 * A summary's new state, written only if the document still has the revision it was read at
 * (`expectedRevision`; undefined: it did not exist, so it is created first).
 */
export interface SummaryWrite {
  customerId: string;
  expectedRevision: number | undefined;
  set: Record<string, unknown>;
  unset: string[];
}

export interface LoadedSummaries {
  docs: Map<string, PurchaseSummary>;
  /** The customer whose summary holds this id's events now (itself unless merged away). */
  survivorOf(id: string): string;
}

/** What a fit reads of a customer. */
export type FitInputs = Pick<PurchaseSummary, '_id' | 'x' | 'mx' | 'firstPurchaseDay' | 'lastPurchaseDay'>;

/**
 * The purchase summaries as the use cases read and write them (every write conditional on the
 * revision read, see purchases/infrastructure/purchase-summary.repository.ts, the MongoDB
 * implementation). An abstract class so it doubles as the Nest injection token; unit tests pass
 * plain fakes.
 */
export abstract class PurchaseSummaries {
  /** The summaries of the given customers and of the survivors merged ones point to. */
  abstract loadResolving(customerIds: readonly string[]): Promise<LoadedSummaries>;
  /** Writes new states, each at the revision it was read at; returns the ids whose write lost a race. */
  abstract save(writes: readonly SummaryWrite[]): Promise<Set<string>>;
  /** The states published at these revisions are in Kafka for good: clears `pendingPublish` (unless the summary moved on). */
  abstract confirmPublished(published: ReadonlyArray<{ customerId: string; revision: number }>): Promise<void>;
  abstract find(customerIds: string[]): Promise<PurchaseSummary[]>;
  abstract findOne(customerId: string): Promise<PurchaseSummary | null>;
  /** Writes scores at the revision they were computed from (published ones pending until confirmed); returns the ids of the published writes that lost. */
  abstract writeScores(writes: ScoreWrite[]): Promise<string[]>;
  /** The re-scoring walk's ranking key, written whatever the revision. */
  abstract setRankValues(values: Array<{ customerId: string; rankValue: number }>): Promise<void>;
  /** A page of the most-growable ranking (growthValue desc, _id asc) after a cursor. */
  abstract growablePage(after: { growthValue: number; id: string } | undefined, limit: number): Promise<PurchaseSummary[]>;
  /** Next page of live (not merged-away) customers by _id, without order lines. */
  abstract page(afterId: string | undefined, limit: number): Promise<PurchaseSummary[]>;
  /** Next page of fit inputs: customers with a purchase, by _id. */
  abstract fitPage(afterId: string | undefined, limit: number): Promise<FitInputs[]>;
  abstract countWithPurchases(): Promise<number>;
  /** Next page in descending rankValue, ties by _id. */
  abstract rankPage(after: { rankValue: number; id: string } | undefined, limit: number): Promise<PurchaseSummary[]>;
  /** Folds a merged customer's history into the survivor; whether the survivor changed. */
  abstract fold(survivorId: string, mergedId: string): Promise<boolean>;
  /** Gives a split customer's lines back to the parts; the ids whose history changed. */
  abstract split(eventId: string, customerId: string, parts: SplitPart[]): Promise<string[]>;
}
