import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { EstimateParametersHandler } from '../application/estimate-parameters/estimate-parameters.handler';
import { MatchParametersRepository } from '../infrastructure/match-parameters.repository';
import { mapErrors } from './http-errors';

@Controller('v1/matching/parameters')
export class MatchingController {
  constructor(
    private readonly estimate: EstimateParametersHandler,
    private readonly parameters: MatchParametersRepository,
  ) {}

  /** The current Fellegi-Sunter parameters and the stored versions. */
  @Get()
  async current() {
    const [current, versions] = await Promise.all([this.parameters.current(), this.parameters.versions()]);
    return { current, versions };
  }

  /** Re-estimates the parameters from the stored trait records (EM) and makes them current. */
  @Post('estimate')
  @HttpCode(200)
  reestimate() {
    return mapErrors(() => this.estimate.execute());
  }
}
