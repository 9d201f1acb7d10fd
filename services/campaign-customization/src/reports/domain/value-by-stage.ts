import { relationshipStages } from '@o2o/contracts';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';

export interface ValueGroup {
  /** Customers in the group. */
  customers: number;
  /** Of them, those value scoring has scored. */
  scored: number;
  actualValue: number;
  strategicValue: number;
  meanActualValue: number | null;
  meanStrategicValue: number | null;
  tiers: Record<string, number>;
}

export interface ValueByStageReport {
  customers: number;
  /** Per relationship stage, in the order of the relationship ("unknown" when needs profiling has not profiled the customer). */
  byStage: Array<{ stage: string } & ValueGroup>;
  /** Per needs archetype ("none" when no archetype is known); a customer of several archetypes counts in each. */
  byArchetype: Array<{ archetype: string } & ValueGroup>;
}

interface Sum {
  customers: number;
  scored: number;
  actualValue: number;
  strategicValue: number;
  tiers: Record<string, number>;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function view(sum: Sum): ValueGroup {
  return {
    customers: sum.customers,
    scored: sum.scored,
    actualValue: round2(sum.actualValue),
    strategicValue: round2(sum.strategicValue),
    meanActualValue: sum.scored === 0 ? null : round2(sum.actualValue / sum.scored),
    meanStrategicValue: sum.scored === 0 ? null : round2(sum.strategicValue / sum.scored),
    tiers: sum.tiers,
  };
}

/**
 * Value by relationship stage and by needs archetype, over the combined profiles this service
 * holds (value from value.scores, stage and archetypes from needs.profiles): the one place both
 * halves meet, so no service has to join another's data.
 */
export class ValueByStageAccumulator {
  private customers = 0;
  private readonly stages = new Map<string, Sum>();
  private readonly archetypes = new Map<string, Sum>();

  add(profile: CustomerProfile): void {
    this.customers++;
    const stage = profile.needs?.stage ?? 'unknown';
    const archetypes = profile.needs?.archetypes.length ? [...new Set(profile.needs.archetypes)] : ['none'];
    this.count(this.stages, stage, profile);
    for (const archetype of archetypes) this.count(this.archetypes, archetype, profile);
  }

  report(): ValueByStageReport {
    const order = [...relationshipStages, 'unknown'] as readonly string[];
    const rank = (stage: string) => (order.includes(stage) ? order.indexOf(stage) : order.length);
    return {
      customers: this.customers,
      byStage: [...this.stages]
        .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
        .map(([stage, sum]) => ({ stage, ...view(sum) })),
      byArchetype: [...this.archetypes]
        .sort(([a, x], [b, y]) => y.actualValue - x.actualValue || a.localeCompare(b))
        .map(([archetype, sum]) => ({ archetype, ...view(sum) })),
    };
  }

  private count(groups: Map<string, Sum>, key: string, profile: CustomerProfile): void {
    const sum = groups.get(key) ?? { customers: 0, scored: 0, actualValue: 0, strategicValue: 0, tiers: {} };
    sum.customers++;
    if (profile.value) {
      sum.scored++;
      sum.actualValue += profile.value.actualValue;
      sum.strategicValue += profile.value.strategicValue;
      sum.tiers[profile.value.tier] = (sum.tiers[profile.value.tier] ?? 0) + 1;
    }
    groups.set(key, sum);
  }
}
