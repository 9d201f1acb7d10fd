/**
 * Peer groups for strategic value: customers with the same needs archetypes and a similar
 * category breadth should be able to spend alike, so the gap between a customer's expected
 * yearly spend and a high percentile of their peers' is the share of wallet not yet won.
 */

const { floor, log, exp, max } = Math;

/** "1", "2-3", "4-6", "7+" for band starts [1, 2, 4, 7]; "0" for customers without categories. */
export function categoryBreadthBand(categories: number, bandStarts: readonly number[]): string {
  const starts = [...new Set(bandStarts)].sort((p, q) => p - q);
  if (categories < (starts[0] ?? 1)) return '0';
  for (let i = starts.length - 1; i >= 0; i--) {
    const start = starts[i] ?? 1;
    if (categories < start) continue;
    const next = starts[i + 1];
    if (next === undefined) return `${start}+`;
    return next - 1 === start ? `${start}` : `${start}-${next - 1}`;
  }
  return '0';
}

export interface PeerGroupKeys {
  /** Archetype set + breadth band: the peer group proper. */
  specific: string;
  /** Breadth band alone: the fallback when the specific group is too small to trust. */
  broad: string;
}

export function peerGroupKeys(archetypes: readonly string[], categories: number, bandStarts: readonly number[]): PeerGroupKeys {
  const band = categoryBreadthBand(categories, bandStarts);
  const set = [...new Set(archetypes)].sort();
  return { specific: `archetypes=${set.length > 0 ? set.join('+') : '(none)'};breadth=${band}`, broad: `breadth=${band}` };
}

/** Bins grow by 2% from one cent: quantiles come out within 1% of the exact order statistic. */
const BIN_RATIO_LOG = log(1.02);
const BIN_ORIGIN = 0.01;

/**
 * A sparse log-scale histogram: a percentile per peer group without holding the group's
 * customers, so peer levels come out of the same streaming pass as the re-scoring.
 */
export class LogHistogram {
  private readonly bins = new Map<number, number>();
  private zeros = 0;
  count = 0;

  add(value: number): void {
    if (!(value > 0 && Number.isFinite(value))) {
      this.zeros++;
    } else {
      const bin = max(0, floor(log(value / BIN_ORIGIN) / BIN_RATIO_LOG));
      this.bins.set(bin, (this.bins.get(bin) ?? 0) + 1);
    }
    this.count++;
  }

  /** The p-quantile (0 < p <= 1), as the geometric middle of the bin holding it. */
  quantile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(p * this.count);
    let seen = this.zeros;
    if (seen >= rank) return 0;
    for (const bin of [...this.bins.keys()].sort((a, b) => a - b)) {
      seen += this.bins.get(bin) ?? 0;
      if (seen >= rank) return BIN_ORIGIN * exp((bin + 0.5) * BIN_RATIO_LOG);
    }
    return 0;
  }
}

export interface PeerLevel {
  key: string;
  /** The configured percentile of expected yearly spend in the group, in the account currency. */
  level: number;
  customers: number;
}

export function peerLevels(groups: ReadonlyMap<string, LogHistogram>, percentile: number, minGroupSize: number): PeerLevel[] {
  const levels: PeerLevel[] = [];
  for (const [key, histogram] of groups) {
    if (histogram.count < minGroupSize) continue;
    levels.push({ key, level: histogram.quantile(percentile), customers: histogram.count });
  }
  return levels.sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : 0));
}

/** Σ over the horizon's years of 1/(1+d)^y, the last year pro rata: the value today of one unit a year. */
export function discountedYears(horizonYears: number, annualDiscountRate: number): number {
  let total = 0;
  for (let year = 1; year <= Math.ceil(horizonYears - 1e-9); year++) {
    total += Math.min(1, horizonYears - (year - 1)) / (1 + annualDiscountRate) ** year;
  }
  return total;
}
