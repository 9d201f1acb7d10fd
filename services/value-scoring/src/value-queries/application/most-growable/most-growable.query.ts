import { Injectable } from '@nestjs/common';
import { PurchaseSummaries } from '../../../purchases/application/ports/purchase-summaries.port';
import { Clock } from '../../../shared-kernel/application/clock';

/** Where a page of the ranking starts: after this customer (the previous page's last). */
export interface GrowableCursor {
  growthValue: number;
  id: string;
}

/**
 * Most growable: the customers with the largest gap between what they could be worth (strategic:
 * potential = actual + strategic value) and what they are worth (actual value), highest first,
 * page by page. Customer ids and values only. A keyset page in growthValue order, read by growth
 * band from an index on MongoDB and FerretDB v1 alike (docs/architecture.md, most growable).
 */
@Injectable()
export class MostGrowableHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly clock: Clock,
  ) {}

  async execute(cursor: GrowableCursor | undefined, limit: number) {
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
      generatedAt: this.clock.now().toISOString(),
    };
  }
}
