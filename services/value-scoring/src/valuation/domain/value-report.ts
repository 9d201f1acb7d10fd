/** One customer as the value report sees it. */
export interface ReportedCustomer {
  customerId: string;
  tier: string;
  actualValue: number;
  strategicValue: number;
  archetypes: readonly string[];
}

export interface ValueReport {
  customers: number;
  /** Customers per tier (A, B, C, D, and "unscored" for those without a score yet). */
  tiers: Record<string, number>;
  /** Customers per actual-value band: [from, to) in the currency; the last band is open. Below-zero customers are in `belowZero` instead. */
  histogram: Array<{ from: number; to: number | null; customers: number }>;
  /** Customers whose margin is below zero (they cost more than they bring) and their summed value (negative). */
  belowZero: { customers: number; actualValue: number };
  /** The customers with the most room to grow: strategic value, highest first. */
  mostGrowable: Array<{ customerId: string; tier: string; actualValue: number; strategicValue: number }>;
  /** Customers, total and mean actual value per needs archetype ("none" when no archetype is known). */
  byArchetype: Array<{ archetype: string; customers: number; actualValue: number; meanActualValue: number }>;
}

/** Bands of actual value; doubling widths keep both the many small and the few large customers readable. */
export const VALUE_BANDS = [0, 25, 50, 100, 250, 500, 1000, 2500, 5000];

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Builds the report in one pass; pure, so the service can feed it page by page. */
export class ValueReportBuilder {
  private customers = 0;
  private readonly tiers: Record<string, number> = {};
  private readonly bands = VALUE_BANDS.map(() => 0);
  private readonly belowZero = { customers: 0, actualValue: 0 };
  private growable: ValueReport['mostGrowable'] = [];
  private readonly archetypes = new Map<string, { customers: number; actualValue: number }>();

  constructor(private readonly top = 10) {}

  add(customer: ReportedCustomer): void {
    this.customers++;
    this.tiers[customer.tier] = (this.tiers[customer.tier] ?? 0) + 1;
    if (customer.actualValue < 0) {
      this.belowZero.customers++;
      this.belowZero.actualValue += customer.actualValue;
    } else {
      let band = 0;
      for (let i = 0; i < VALUE_BANDS.length; i++) if (customer.actualValue >= (VALUE_BANDS[i] ?? 0)) band = i;
      this.bands[band] = (this.bands[band] ?? 0) + 1;
    }
    if (customer.strategicValue > 0) {
      this.growable.push({
        customerId: customer.customerId,
        tier: customer.tier,
        actualValue: round2(customer.actualValue),
        strategicValue: round2(customer.strategicValue),
      });
      if (this.growable.length > this.top * 4) this.trim();
    }
    for (const archetype of customer.archetypes.length > 0 ? customer.archetypes : ['none']) {
      const entry = this.archetypes.get(archetype) ?? { customers: 0, actualValue: 0 };
      entry.customers++;
      entry.actualValue += customer.actualValue;
      this.archetypes.set(archetype, entry);
    }
  }

  private trim(): void {
    this.growable.sort((a, b) => b.strategicValue - a.strategicValue || (a.customerId < b.customerId ? -1 : 1));
    this.growable = this.growable.slice(0, this.top);
  }

  build(): ValueReport {
    this.trim();
    return {
      customers: this.customers,
      tiers: { ...this.tiers },
      histogram: VALUE_BANDS.map((from, i) => ({ from, to: VALUE_BANDS[i + 1] ?? null, customers: this.bands[i] ?? 0 })),
      belowZero: { customers: this.belowZero.customers, actualValue: round2(this.belowZero.actualValue) },
      mostGrowable: [...this.growable],
      byArchetype: [...this.archetypes]
        .map(([archetype, e]) => ({
          archetype,
          customers: e.customers,
          actualValue: round2(e.actualValue),
          meanActualValue: round2(e.actualValue / e.customers),
        }))
        .sort((a, b) => b.actualValue - a.actualValue || (a.archetype < b.archetype ? -1 : 1)),
    };
  }
}
