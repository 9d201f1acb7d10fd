import { Module } from '@nestjs/common';
import { MembershipEvents, MembershipFlowCounts, StoredSegments } from './application/ports';
import { KafkaMembershipEvents } from './infrastructure/membership-events.publisher';
import { MembershipFlowStore } from './infrastructure/membership-flow.store';
import { SegmentRepository } from './infrastructure/segment.repository';

/** Segment definitions as stored: what every evaluation reads; the entries and exits counted per hour; their publication. */
@Module({
  providers: [
    SegmentRepository,
    MembershipFlowStore,
    { provide: StoredSegments, useExisting: SegmentRepository },
    { provide: MembershipFlowCounts, useExisting: MembershipFlowStore },
    KafkaMembershipEvents,
    { provide: MembershipEvents, useExisting: KafkaMembershipEvents },
  ],
  exports: [StoredSegments, MembershipFlowCounts, MembershipEvents],
})
export class SegmentsModule {}
