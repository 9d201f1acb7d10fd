import { Module } from '@nestjs/common';
import { SegmentRepository } from './infrastructure/segment.repository';

/** Segment definitions as stored: what every evaluation reads. */
@Module({
  providers: [SegmentRepository],
  exports: [SegmentRepository],
})
export class SegmentsModule {}
