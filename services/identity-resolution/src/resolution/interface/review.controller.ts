import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { DecideReviewHandler } from '../application/decide-review/decide-review.handler';
import { ReviewQueueRepository } from '../infrastructure/review-queue.repository';
import { parseBody } from '@o2o/runtime';
import { RequireScope, SCOPES } from '@o2o/auth';

export const reviewListQuery = z.object({
  status: z.enum(['pending', 'accepted', 'rejected']).default('pending'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  customerId: z.string().min(1).optional(),
});
export const reviewDecisionBody = z.object({ note: z.string().max(1000).optional() }).default({});

@Controller('v1/review')
export class ReviewController {
  constructor(
    private readonly reviews: ReviewQueueRepository,
    private readonly decide: DecideReviewHandler,
  ) {}

  /** Links waiting for a person: probabilistic pairs between the thresholds and links a guard held back. */
  @RequireScope(SCOPES.matchingRead)
  @Get()
  async list(@Query() query: unknown) {
    const { status, limit, customerId } = parseBody(reviewListQuery, query);
    const items = await this.reviews.list(status, limit, customerId);
    return {
      items: items.map((r) => ({
        id: r._id,
        kind: r.kind,
        status: r.status,
        customerIds: r.customerIds,
        reason: r.reason,
        ...(r.score !== undefined ? { score: r.score } : {}),
        evidence: r.evidence,
        eventId: r.eventId,
        createdAt: r.createdAt.toISOString(),
      })),
    };
  }

  @RequireScope(SCOPES.matchingWrite)
  @Post(':id/accept')
  @HttpCode(200)
  accept(@Param('id') id: string, @Body() body: unknown) {
    const { note } = parseBody(reviewDecisionBody, body);
    return this.decide.accept(id, note);
  }

  @RequireScope(SCOPES.matchingWrite)
  @Post(':id/reject')
  @HttpCode(200)
  reject(@Param('id') id: string, @Body() body: unknown) {
    const { note } = parseBody(reviewDecisionBody, body);
    return this.decide.reject(id, note);
  }
}
