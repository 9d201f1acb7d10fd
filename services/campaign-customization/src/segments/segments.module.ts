import { Module } from '@nestjs/common';
import { MembershipFlowStore } from './infrastructure/membership-flow.store';
import { SegmentRepository } from './infrastructure/segment.repository';

/** Segment definitions as stored: what every evaluation reads; and the entries and exits counted per hour. */
@Module({
  providers: [SegmentRepository, MembershipFlowStore],
  exports: [SegmentRepository, MembershipFlowStore],
})
export class SegmentsModule {}
