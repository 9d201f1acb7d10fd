import { Injectable } from '@nestjs/common';
import { ReviewAlreadyDecidedError, UnknownCustomerError, UnknownReviewError } from '../../domain/identity.errors';
import { MergeCustomersHandler } from '../merge-customers/merge-customers.handler';
import { ReviewQueue } from './review-queue.port';

export interface ReviewDecision {
  readonly reviewId: string;
  readonly status: 'accepted' | 'rejected';
  /** The customer both now are, when accepted. */
  readonly customerId?: string;
}

/**
 * A person's answer to a review item. Accepting merges the two customers through the one merge
 * command (merge-customers: survivor the oldest, as for automatic merges) with the reviewer's
 * decision as the recorded reason; rejecting only closes the item, and the item's fixed id keeps
 * the same pair from being queued again.
 */
@Injectable()
export class DecideReviewHandler {
  constructor(
    private readonly reviews: ReviewQueue,
    private readonly merge: MergeCustomersHandler,
  ) {}

  async accept(reviewId: string, note?: string): Promise<ReviewDecision> {
    const item = await this.reviews.get(reviewId);
    if (item === null) throw new UnknownReviewError(reviewId);
    if (item.status !== 'pending') throw new ReviewAlreadyDecidedError(reviewId, item.status);
    const reason = `review accepted (${item.kind}): ${item.reason}${note !== undefined ? `; note: ${note}` : ''}`;
    let customerId: string;
    try {
      ({ customerId } = await this.merge.execute({
        decidedBy: 'review',
        customerIds: item.customerIds,
        reason,
        evidence: item.evidence,
        eventId: item.eventId,
        ...(item.score !== undefined ? { score: item.score } : {}),
      }));
    } catch (error) {
      // A customer the item names is gone (erased): the item cannot be decided.
      if (error instanceof UnknownCustomerError) throw new UnknownReviewError(reviewId);
      throw error;
    }
    if (!(await this.reviews.decide(reviewId, 'accepted', note))) throw new ReviewAlreadyDecidedError(reviewId, 'decided');
    return { reviewId, status: 'accepted', customerId };
  }

  async reject(reviewId: string, note?: string): Promise<ReviewDecision> {
    const item = await this.reviews.get(reviewId);
    if (item === null) throw new UnknownReviewError(reviewId);
    if (!(await this.reviews.decide(reviewId, 'rejected', note))) throw new ReviewAlreadyDecidedError(reviewId, item.status);
    return { reviewId, status: 'rejected' };
  }
}
