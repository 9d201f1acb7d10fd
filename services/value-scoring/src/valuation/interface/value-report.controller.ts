import { Controller, Get } from '@nestjs/common';
import { RequireScope, SCOPES } from '@o2o/auth';
import { PurchaseSummaryRepository } from '../../purchases/infrastructure/purchase-summary.repository';
import { ValueReportBuilder } from '../domain/value-report';

const PAGE = 500;

/**
 * Value across all customers, for the people who decide where effort goes (the console's
 * marketing screen): aggregates and customer ids only, never personal data. Reads every live
 * customer once, page by page.
 */
@Controller('v1/reports')
export class ValueReportController {
  constructor(private readonly summaries: PurchaseSummaryRepository) {}

  @RequireScope(SCOPES.segmentsRead)
  @Get('value')
  async value() {
    const builder = new ValueReportBuilder();
    let after: string | undefined;
    for (;;) {
      const page = await this.summaries.page(after, PAGE);
      for (const s of page) {
        builder.add({
          customerId: s._id,
          tier: s.score?.tier ?? 'unscored',
          actualValue: s.score?.actualValue ?? 0,
          strategicValue: s.score?.strategicValue ?? 0,
          archetypes: s.archetypes ?? [],
        });
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]?._id;
    }
    return { ...builder.build(), generatedAt: new Date().toISOString() };
  }
}
