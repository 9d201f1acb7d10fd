import type { IdentifierV1, IdentitySnapshotDataV1, NeedsProfiledDataV1, ResolvedEventDataV1, ValueScoredDataV1 } from '@o2o/contracts';
import type { ExposureGroup } from '../../lift/domain';
import type { ConsentRecord } from '../../shared-kernel/domain/consent';

/** Trace: the tracing context the input arrived with, opaque to the domain. */
interface Base<Trace> {
  /** The customer the input is keyed by (an event may still carry a merged-away id). */
  customerId: string;
  /** Envelope id, or topic:partition:offset for tombstones: recorded to apply each input once. */
  eventId: string;
  /** The envelope's correlation id, carried on to what the change publishes. */
  correlationId?: string | undefined;
  trace?: Trace | undefined;
}

/** One input of the combined projection, as the consumers hand it over. */
export type ProfileChange<Trace = unknown> =
  | (Base<Trace> & { kind: 'event'; data: ResolvedEventDataV1; consent?: ConsentRecord })
  /** null: a tombstone, the state was erased. */
  | (Base<Trace> & { kind: 'value'; data: ValueScoredDataV1 | null })
  | (Base<Trace> & { kind: 'needs'; data: NeedsProfiledDataV1 | null })
  | (Base<Trace> & { kind: 'identity'; data: IdentitySnapshotDataV1 | null })
  | (Base<Trace> & { kind: 'merged'; mergedId: string; at: string })
  | (Base<Trace> & { kind: 'split'; parts: Array<{ customerId: string; identifiers: IdentifierV1[] }>; at: string })
  | (Base<Trace> & { kind: 'decision'; campaignId: string; group: ExposureGroup; at: string })
  /** Back-fill: recompute memberships against the current segments. */
  | { kind: 'reevaluate'; customerId: string }
  /** Publish whatever the outbox holds (recovery sweep). */
  | { kind: 'flush'; customerId: string };
