import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { ProfilesModule } from '../profiles/profiles.module';
import { MeasureLiftHandler } from './application/measure-lift/measure-lift.handler';
import { LiftController } from './interface/lift.controller';

/** Lift of each campaign against its control group, counted over the customers' attribution. */
@Module({
  imports: [CampaignsModule, ProfilesModule],
  controllers: [LiftController],
  providers: [MeasureLiftHandler],
})
export class LiftModule {}
