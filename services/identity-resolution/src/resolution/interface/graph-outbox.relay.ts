import { Inject, Injectable } from '@nestjs/common';
import { InjectLogger, Logger } from '@o2o/observability';
import { OutboxRelay } from '@o2o/runtime';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import { PlannedMerge, PlannedMove } from '../domain/identity-graph.model';
import { RecordedSplit } from '../application/ports/identity-events.port';
import { IdentityEventsPublisher } from '../infrastructure/identity-events.publisher';
import { IdentityGraphRepository } from '../infrastructure/identity-graph.repository';

/** A change of the graph written with its outbox mark but not yet acknowledged by Kafka. */
type GraphOutboxEntry =
  | { readonly kind: 'move'; readonly move: PlannedMove; readonly merge?: PlannedMerge }
  | { readonly kind: 'merge'; readonly merge: PlannedMerge }
  | ({ readonly kind: 'split' } & RecordedSplit);

/**
 * Publishes the graph changes written outside a consumer's Kafka transaction whose events Kafka
 * never acknowledged (a crash between the write and the publish, or Kafka away): re-resolution
 * moves (`moveAnnounced`), reviewers' and training runs' merges (`mergeAnnounced`) and operators' splits
 * (`splitOutbox`). Each keeps its event id, so a change published twice is applied once.
 */
@Injectable()
export class GraphOutboxRelay extends OutboxRelay<GraphOutboxEntry> {
  constructor(
    graph: IdentityGraphRepository,
    publisher: IdentityEventsPublisher,
    @Inject(IDENTITY_CONFIG) config: IdentityResolutionConfig,
    @InjectLogger() logger: Logger,
  ) {
    super(
      {
        waiting: async (before, limit) => {
          const { moves, merges, splits } = await graph.unannouncedChanges(before, limit);
          return [
            ...splits.map((s) => ({ kind: 'split' as const, ...s })),
            ...moves.map((m) => ({ kind: 'move' as const, ...m })),
            ...merges.map((merge) => ({ kind: 'merge' as const, merge })),
          ];
        },
        // One request: splits (moves included) before merges, as a live publish orders them.
        publish: (entries) =>
          publisher.publish({
            splits: entries.flatMap((e) => (e.kind === 'split' ? [e] : [])),
            moves: entries.flatMap((e) => (e.kind === 'move' ? [e.move] : [])),
            merges: entries.flatMap((e) => (e.kind !== 'split' && e.merge !== undefined ? [e.merge] : [])),
          }),
        published: async (entries) => {
          await graph.markSplitsAnnounced(entries.flatMap((e) => (e.kind === 'split' ? [e] : [])));
          await graph.markMovesAnnounced(entries.flatMap((e) => (e.kind === 'move' ? [e.move.partId] : [])));
          await graph.markAnnounced(entries.flatMap((e) => (e.kind === 'merge' ? [e.merge.mergedId] : [])));
        },
      },
      // Younger changes are left to the request, batch or training run that is publishing them.
      { name: 'identity graph changes', graceMs: 10000, page: 100, intervalMs: config.GRAPH_OUTBOX_RELAY_MS },
      logger,
    );
  }
}
