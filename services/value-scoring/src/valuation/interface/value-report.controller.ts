import { Controller, Get, Query } from '@nestjs/common';
import { parseBody } from '@o2o/runtime';
import { RequireScope, SCOPES } from '@o2o/auth';
import { PurchaseSummaryRepository } from '../../purchases/infrastructure/purchase-summary.repository';
import { ValueReportBuilder } from '../domain/value-report';
import { growableQuery } from '../../costs/interface/cost-model.dto';

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

  /**
   * The most-growable customers: the largest gap between what they could be worth (strategic:
   * potential = actual + strategic value) and what they are worth (actual value), highest first,
   * page by page (`limit`, and `after` = the previous page's `next`). Customer ids and values
   * only. A keyset page in growthValue order, read by growth band from an index on MongoDB and
   * FerretDB v1 alike (docs/architecture.md, most growable).
   */
  @RequireScope(SCOPES.segmentsRead)
  @Get('most-growable')
  async mostGrowable(@Query() query: unknown) {
    const { limit, after } = parseBody(growableQuery, query);
    let cursor: { growthValue: number; id: string } | undefined;
    if (after !== undefined) {
      const colon = after.indexOf(':');
      cursor = { growthValue: Number(after.slice(0, colon)), id: after.slice(colon + 1) };
    }
    const page = await this.summaries.growablePage(cursor, limit);
    const customers = page.map((s) => {
      const actualValue = s.score?.actualValue ?? 0;
      const growthValue = s.growthValue ?? 0;
      return {
        customerId: s._id,
        tier: s.score?.tier ?? 'unscored',
        growthValue,
        actualValue,
        strategicValue: s.score?.strategicValue ?? 0,
        potentialValue: Math.round((actualValue + growthValue) * 100) / 100,
        grossValue: s.score?.grossValue ?? null,
        costToServe: s.score?.costToServe ?? null,
        archetypes: s.archetypes ?? [],
      };
    });
    const last = page[page.length - 1];
    return {
      customers,
      next: page.length === limit && last ? `${last.growthValue ?? 0}:${last._id}` : null,
      generatedAt: new Date().toISOString(),
    };
  }
}
