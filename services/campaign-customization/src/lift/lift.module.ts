import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { MeasureLiftHandler } from './application/measure-lift/measure-lift.handler';
import { LiftController } from './interface/lift.controller';

/**
 * Lift of each campaign against its control group, counted over the customers' attribution (a
 * CampaignAttribution) that the projection provides: the service root names the module that
 * exports it.
 */
@Module({})
export class LiftModule {
  static over(attribution: Type<unknown>): DynamicModule {
    return {
      module: LiftModule,
      imports: [CampaignsModule, attribution],
      controllers: [LiftController],
      providers: [MeasureLiftHandler],
    };
  }
}
