import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module';
import { ManageSegmentsHandler } from './application/manage-segments/manage-segments.handler';
import { ReadMembersQuery } from './application/read-members/read-members.query';
import { SegmentsController } from './interface/segments.controller';
import { SegmentsModule } from './segments.module';

/** The segments API and the default segments created at boot. */
@Module({
  imports: [SegmentsModule, ProfilesModule],
  controllers: [SegmentsController],
  providers: [ManageSegmentsHandler, ReadMembersQuery],
})
export class SegmentsApiModule {}
