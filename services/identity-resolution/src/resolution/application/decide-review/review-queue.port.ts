import type { ReviewKind } from '../../domain/identity-graph.model';

/** A review item as the decision reads it (a ReviewDocument in the service). */
export interface ReviewItem {
  readonly _id: string;
  readonly kind: ReviewKind;
  readonly status: 'pending' | 'accepted' | 'rejected';
  readonly customerIds: readonly [string, string];
  readonly reason: string;
  readonly score?: number;
  readonly evidence: ReadonlyArray<{ type: string; value: string }>;
  readonly eventId: string;
}

/**
 * The review queue (ReviewQueueRepository in the service). An abstract class is also the Nest
 * injection token: resolution.module binds it, unit tests pass a plain fake.
 */
export abstract class ReviewQueue {
  /** Items with a status in queue order (oldest first), those naming `customerId` when given. */
  abstract list(status: ReviewItem['status'], limit: number, customerId?: string): Promise<ReviewItem[]>;
  abstract get(id: string): Promise<ReviewItem | null>;
  /** Decides a pending item once; false when it was no longer pending. */
  abstract decide(id: string, status: 'accepted' | 'rejected', note: string | undefined): Promise<boolean>;
}
