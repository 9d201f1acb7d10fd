import { Controller, Get, Param } from '@nestjs/common';
import { RequireScope, SCOPES } from '@o2o/auth';
import { notFound } from '../../shared/interface/http-problem';
import { MeasureLiftHandler } from '../application/measure-lift/measure-lift.handler';

@Controller('v1/campaigns')
export class LiftController {
  constructor(private readonly lift: MeasureLiftHandler) {}

  /** Conversion of treated and control customers within the attribution window, the lift and its 95% interval. */
  @RequireScope(SCOPES.campaignsRead)
  @Get(':id/lift')
  async measure(@Param('id') id: string) {
    const result = await this.lift.execute(id);
    if (result === undefined) throw notFound(`no campaign ${id}`);
    return result;
  }
}
