import type { TypedIdentifier } from '../../../matching/domain';
import type { PlannedMerge } from '../../domain/identity-graph.model';

// What merging two customers needs of the graph; it publishes through IdentityEvents and reads
// the limits from RulesInForce (application/ports). Abstract classes are also Nest injection
// tokens: resolution.module binds each to its infrastructure, unit tests pass plain fakes.

/** A customer as the merge sees it (a CustomerDocument in the service). */
export interface MergeableCustomer {
  readonly _id: string;
  /** Time of the customer's first event: the older one survives. */
  readonly createdAt: Date;
  readonly members?: readonly string[];
  readonly separatedFrom?: readonly string[];
}

/** How a merge a person made is written in the customer's history. */
export type ManualMergeKind = 'review-accepted' | 'operator-merged';

/** The identity graph (IdentityGraphRepository in the service). */
export abstract class MergeGraph {
  /** The customer an id stands for now, following merges; undefined when unknown. */
  abstract currentCustomer(id: string): Promise<MergeableCustomer | undefined>;
  /** The identifiers each customer holds now (not retired), by customer id. */
  abstract heldIdentifiers(customerIds: readonly string[]): Promise<ReadonlyMap<string, readonly TypedIdentifier[]>>;
  /** Writes merges, each with its outbox flag down (mergeAnnounced false); safe to repeat. */
  abstract applyMerges(merges: readonly PlannedMerge[]): Promise<void>;
  /** Records a person's merge in the survivor's history and drops the split memory between the two. */
  abstract recordManualMerge(survivorId: string, mergedId: string, reason: string, kind: ManualMergeKind): Promise<void>;
  /** Raises the outbox flag of merges Kafka acknowledged. */
  abstract markAnnounced(mergedIds: readonly string[]): Promise<void>;
}
