import { Injectable } from '@nestjs/common';
import { PurchaseSummaries } from '../../../purchases/application/ports/purchase-summaries.port';
import { Clock } from '../../../shared-kernel/application/clock';
import { ValueReportBuilder } from '../../../valuation/domain/value-report';

const PAGE = 500;

/**
 * Value report: value across all customers, for the people who decide where effort goes (the
 * console's marketing screen): aggregates and customer ids only, never personal data. Reads every
 * live customer once, page by page.
 */
@Injectable()
export class ValueReportHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly clock: Clock,
  ) {}

  async execute() {
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
    return { ...builder.build(), generatedAt: this.clock.now().toISOString() };
  }
}
