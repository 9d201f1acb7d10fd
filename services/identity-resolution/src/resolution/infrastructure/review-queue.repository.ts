import { Injectable } from '@nestjs/common';
import type { ReviewQueue } from '../application/decide-review/review-queue.port';
import { IdentityCollections, ReviewDocument, ReviewStatus } from './identity-graph.collections';

/** Links a person has to decide: pairs scored between the thresholds and links a guard held back. */
@Injectable()
export class ReviewQueueRepository implements ReviewQueue {
  constructor(private readonly db: IdentityCollections) {}

  async list(status: ReviewStatus, limit: number, customerId?: string): Promise<ReviewDocument[]> {
    return this.db.reviewQueue
      .find({ status, ...(customerId !== undefined ? { customerIds: customerId } : {}) })
      .sort({ createdAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  async get(id: string): Promise<ReviewDocument | null> {
    return this.db.reviewQueue.findOne({ _id: id });
  }

  /** Decides a pending item once: the filter on status makes a second decision a no-op. */
  async decide(id: string, status: Exclude<ReviewStatus, 'pending'>, note: string | undefined): Promise<boolean> {
    const result = await this.db.reviewQueue.updateOne(
      { _id: id, status: 'pending' },
      { $set: { status, decidedAt: new Date(), ...(note !== undefined ? { decisionNote: note } : {}) } },
    );
    return result.modifiedCount === 1;
  }
}
