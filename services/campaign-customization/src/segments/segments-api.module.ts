import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ManageSegmentsHandler } from './application/manage-segments/manage-segments.handler';
import { ReadMembersQuery } from './application/read-members/read-members.query';
import { SegmentsController } from './interface/segments.controller';
import { SegmentsModule } from './segments.module';

/**
 * The segments API and the default segments created at boot. Apart from SegmentsModule because it
 * reads the customers (a SegmentAudience) that the projection, itself a reader of segment
 * definitions, provides: the service root names the module that exports the audience.
 */
@Module({})
export class SegmentsApiModule {
  static over(audience: Type<unknown>): DynamicModule {
    return {
      module: SegmentsApiModule,
      imports: [SegmentsModule, audience],
      controllers: [SegmentsController],
      providers: [ManageSegmentsHandler, ReadMembersQuery],
    };
  }
}
