import type { Context } from '@opentelemetry/api';
import type { EventReceivedV1 } from '@o2o/contracts';
import type { TypedIdentifier } from '../../../matching/domain';
import type { PlannedMerge, PlannedMove } from '../../domain/identity-graph.model';
import type { SplitOutboxEntry } from './identity-graph.records';

export interface ResolvedForPublishing {
  readonly event: EventReceivedV1;
  readonly trace: Context;
  readonly customerId: string;
  readonly identifiers: readonly TypedIdentifier[];
}

/** A split as its outbox holds it: each part is published with the identifiers it holds now. */
export interface RecordedSplit {
  readonly customerId: string;
  readonly split: SplitOutboxEntry;
}

/** What one change of the graph published: any of resolved events, merges, splits and moves. */
export interface GraphChanges {
  readonly resolved?: readonly ResolvedForPublishing[];
  readonly merges?: readonly PlannedMerge[];
  readonly splits?: readonly RecordedSplit[];
  /** Records re-resolution moved: each is published as a split of the customer it left (the part taking the record's identifiers). */
  readonly moves?: readonly PlannedMove[];
  readonly touched?: readonly string[];
}

/**
 * Publication of graph changes (IdentityEventsPublisher: customer.merged and customer.split,
 * resolved events, snapshots, tombstones of merged-away customers, then the lookup cache), in one
 * acknowledged request. An abstract class so it doubles as the Nest injection token
 * (resolution.module binds it); unit tests pass plain fakes.
 */
export abstract class IdentityEvents {
  abstract publish(changes: GraphChanges): Promise<void>;
}
