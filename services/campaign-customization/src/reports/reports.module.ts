import { Module } from '@nestjs/common';
import { ProfilesModule } from '../profiles/profiles.module';
import { ReportValueByStageQuery } from './application/report-value-by-stage/report-value-by-stage.query';
import { ReportsController } from './interface/reports.controller';

/** Reports over the combined profiles (value with needs). */
@Module({
  imports: [ProfilesModule],
  controllers: [ReportsController],
  providers: [ReportValueByStageQuery],
})
export class ReportsModule {}
