import { Module } from '@nestjs/common';
import { MembershipFlowCounts, StoredSegments } from './application/ports';
import { MembershipFlowStore } from './infrastructure/membership-flow.store';
import { SegmentRepository } from './infrastructure/segment.repository';

/** Segment definitions as stored: what every evaluation reads; and the entries and exits counted per hour. */
@Module({
  providers: [
    SegmentRepository,
    MembershipFlowStore,
    { provide: StoredSegments, useExisting: SegmentRepository },
    { provide: MembershipFlowCounts, useExisting: MembershipFlowStore },
  ],
  exports: [StoredSegments, MembershipFlowCounts],
})
export class SegmentsModule {}
