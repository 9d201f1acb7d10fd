import { Controller, Get, Param, Query } from '@nestjs/common';
import { slugSchema } from '../../segments/domain/consent';
import { invalid, notFound, problem } from '../../shared/interface/http-problem';
import { CustomerChangingError, DecideNextActionHandler, UnknownCustomerError, type NextActionAnswer } from '../application/decide-next-action/decide-next-action.handler';
import { RequireScope, SCOPES } from '@o2o/auth';

/** For the call-centre screen and the store clerk: who this is, and what to say or offer now. */
@Controller('v1/customers/by')
export class NextActionController {
  constructor(private readonly decide: DecideNextActionHandler) {}

  @RequireScope(SCOPES.decisionsWrite)
  @Get(':type/:value/next-action')
  async nextAction(@Param('type') type: string, @Param('value') value: string, @Query('channel') channel?: string): Promise<NextActionAnswer> {
    const parsed = slugSchema.safeParse(channel);
    if (!parsed.success) throw invalid([{ field: 'channel', message: channel === undefined ? 'the channel of the contact is required' : parsed.error.issues[0]?.message ?? 'invalid' }]);
    try {
      return await this.decide.execute({ type, value, channel: parsed.data });
    } catch (error) {
      if (error instanceof UnknownCustomerError) throw notFound(error.message);
      if (error instanceof CustomerChangingError) throw problem(503, 'customer_changing', error.message);
      throw error;
    }
  }
}
