export interface Distribution {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
  p99: number | undefined;
  max: number | undefined;
  mean: number | undefined;
}

/** Nearest-rank percentiles of a sample (values in the caller's unit). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, p50: undefined, p95: undefined, p99: undefined, max: undefined, mean: undefined };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return {
    count: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    p99: rank(0.99),
    max: sorted[sorted.length - 1],
    mean: Math.round(mean * 10) / 10,
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Events per second in each whole second between two instants. */
export function perSecond(times: readonly number[], from: number, to: number): number[] {
  const seconds = Math.max(0, Math.ceil((to - from) / 1000));
  const out = new Array<number>(seconds).fill(0);
  for (const t of times) {
    const i = Math.floor((t - from) / 1000);
    if (i >= 0 && i < seconds) out[i] = (out[i] ?? 0) + 1;
  }
  return out;
}
