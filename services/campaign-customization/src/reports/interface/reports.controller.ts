import { Controller, Get } from '@nestjs/common';
import { RequireScope, SCOPES } from '@o2o/auth';
import { ReportValueByStageQuery } from '../application/report-value-by-stage/report-value-by-stage.query';

@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly valueByStage: ReportValueByStageQuery) {}

  /** Customers, value and tiers per relationship stage and per needs archetype (aggregates only, no customer ids). */
  @RequireScope(SCOPES.segmentsRead)
  @Get('value-by-stage')
  async valueByStageReport() {
    return this.valueByStage.execute();
  }
}
