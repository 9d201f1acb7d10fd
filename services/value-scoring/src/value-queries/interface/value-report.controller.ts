import { Controller, Get, Query } from '@nestjs/common';
import { parseBody } from '@o2o/runtime';
import { RequireScope, SCOPES } from '@o2o/auth';
import { GrowableCursor, MostGrowableHandler } from '../application/most-growable/most-growable.query';
import { ValueReportHandler } from '../application/value-report/value-report.query';
import { growableQuery } from './value-report.dto';

/** The value reports (the console's marketing screen): aggregates and customer ids only, never personal data. */
@Controller('v1/reports')
export class ValueReportController {
  constructor(
    private readonly report: ValueReportHandler,
    private readonly growable: MostGrowableHandler,
  ) {}

  @RequireScope(SCOPES.segmentsRead)
  @Get('value')
  async value() {
    return this.report.execute();
  }

  /** The most-growable customers, page by page (`limit`, and `after` = the previous page's `next`). */
  @RequireScope(SCOPES.segmentsRead)
  @Get('most-growable')
  async mostGrowable(@Query() query: unknown) {
    const { limit, after } = parseBody(growableQuery, query);
    let cursor: GrowableCursor | undefined;
    if (after !== undefined) {
      const colon = after.indexOf(':');
      cursor = { growthValue: Number(after.slice(0, colon)), id: after.slice(colon + 1) };
    }
    return this.growable.execute(cursor, limit);
  }
}
