import { Injectable } from '@nestjs/common';
import { InjectLogger, Logger } from '@o2o/observability';
import { ReviewAlreadyDecidedError, UnknownReviewError } from '../../domain/identity.errors';
import { PlannedMerge, REVIEW_ACCEPTED_RULE } from '../../domain/identity-graph.model';
import { IdentityEventsPublisher } from '../../infrastructure/identity-events.publisher';
import { IdentityGraphRepository } from '../../infrastructure/identity-graph.repository';
import { ReviewQueueRepository } from '../../infrastructure/review-queue.repository';

export interface ReviewDecision {
  readonly reviewId: string;
  readonly status: 'accepted' | 'rejected';
  /** The customer both now are, when accepted. */
  readonly customerId?: string;
}

/**
 * A person's answer to a review item. Accepting merges the two customers (survivor: the oldest,
 * as for automatic merges) with the reviewer's decision as the recorded reason; rejecting only
 * closes the item, and the item's fixed id keeps the same pair from being queued again.
 */
@Injectable()
export class DecideReviewHandler {
  constructor(
    private readonly reviews: ReviewQueueRepository,
    private readonly graph: IdentityGraphRepository,
    private readonly publisher: IdentityEventsPublisher,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async accept(reviewId: string, note?: string): Promise<ReviewDecision> {
    const item = await this.reviews.get(reviewId);
    if (item === null) throw new UnknownReviewError(reviewId);
    if (item.status !== 'pending') throw new ReviewAlreadyDecidedError(reviewId, item.status);
    const [a, b] = await Promise.all(item.customerIds.map((id) => this.graph.currentCustomer(id)));
    if (a === undefined || b === undefined) throw new UnknownReviewError(reviewId);
    let survivorId = a._id;
    if (a._id !== b._id) {
      const [survivor, merged] =
        a.createdAt < b.createdAt || (a.createdAt.getTime() === b.createdAt.getTime() && a._id < b._id) ? [a, b] : [b, a];
      survivorId = survivor._id;
      const reason = `review accepted (${item.kind}): ${item.reason}${note !== undefined ? `; note: ${note}` : ''}`;
      const merge: PlannedMerge = {
        survivorId,
        mergedId: merged._id,
        reason,
        evidence: item.evidence,
        link: {
          rule: REVIEW_ACCEPTED_RULE,
          eventId: item.eventId,
          at: new Date().toISOString(),
          ...(item.score !== undefined ? { score: item.score } : {}),
        },
        members: merged.members ?? [merged._id],
        separatedFrom: (merged.separatedFrom ?? []).filter((id) => id !== survivorId),
      };
      // The merge is written unannounced (its outbox flag): from here on it reaches Kafka, from
      // this request or, after a crash or while Kafka is away, from the GraphOutboxRelay.
      await this.graph.applyMerges([merge]);
      await this.graph.recordReviewMerge(survivorId, merged._id, reason);
      try {
        await this.publisher.publish({ merges: [merge] });
        await this.graph.markAnnounced([merged._id]);
      } catch (error) {
        this.logger.warn(
          { err: error, reviewId, survivorId, mergedId: merged._id },
          'review merge written but not yet published; the outbox relay will publish it',
        );
      }
    }
    if (!(await this.reviews.decide(reviewId, 'accepted', note))) throw new ReviewAlreadyDecidedError(reviewId, 'decided');
    return { reviewId, status: 'accepted', customerId: survivorId };
  }

  async reject(reviewId: string, note?: string): Promise<ReviewDecision> {
    const item = await this.reviews.get(reviewId);
    if (item === null) throw new UnknownReviewError(reviewId);
    if (!(await this.reviews.decide(reviewId, 'rejected', note))) throw new ReviewAlreadyDecidedError(reviewId, item.status);
    return { reviewId, status: 'rejected' };
  }
}
