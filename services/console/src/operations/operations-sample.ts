/**
 * One sample of how the platform keeps up, taken every CONSOLE_OPS_SAMPLE_SECONDS, and what the
 * operations screen draws from the last hour of them. Pure functions: the sampler gathers, these
 * compute.
 */

export interface LagSample {
  group: string;
  topic: string;
  lag: number;
}

/** Cumulative counters of one service's management /metrics at the sample's time. */
export interface StageCounters {
  service: string;
  /** o2o_kafka_events_consumed_total over every topic. */
  consumed: number;
  /** o2o_kafka_events_produced_total over every topic. */
  produced: number;
}

export interface OperationsSample {
  at: string;
  /** Absent when Kafka could not be asked at that time. */
  lag?: LagSample[];
  stages: StageCounters[];
}

export interface OperationsHistory {
  intervalSeconds: number;
  /** Sample times, oldest first. */
  times: string[];
  /** Messages behind per consumer group at each time (null: not sampled then). */
  lag: Array<{ group: string; values: Array<number | null> }>;
  /** Events per second per stage (service), in and out, between each sample and the one before. */
  rates: Array<{ service: string; consumed: Array<number | null>; produced: Array<number | null> }>;
}

/** Sums a Prometheus text exposition's samples of one metric (all label sets). */
export function sumMetric(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue;
    const values = rest.startsWith('{') ? rest.slice(rest.lastIndexOf('}') + 1) : rest;
    const value = Number(values.trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Per-group lag and per-stage rates over consecutive samples, oldest first. A counter that went down (a restart) gives no rate for that step. */
export function historyOf(samples: readonly OperationsSample[], intervalSeconds: number): OperationsHistory {
  const sorted = [...samples].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const groups = [...new Set(sorted.flatMap((s) => (s.lag ?? []).map((l) => l.group)))].sort();
  const services = [...new Set(sorted.flatMap((s) => s.stages.map((c) => c.service)))];
  const lag = groups.map((group) => ({
    group,
    values: sorted.map((s) => (s.lag === undefined ? null : s.lag.filter((l) => l.group === group).reduce((n, l) => n + l.lag, 0))),
  }));
  const rate = (service: string, field: 'consumed' | 'produced') =>
    sorted.map((s, i) => {
      const before = sorted[i - 1];
      if (before === undefined) return null;
      const now = s.stages.find((c) => c.service === service)?.[field];
      const then = before.stages.find((c) => c.service === service)?.[field];
      const seconds = (Date.parse(s.at) - Date.parse(before.at)) / 1000;
      if (now === undefined || then === undefined || now < then || !(seconds > 0)) return null;
      return round2((now - then) / seconds);
    });
  return {
    intervalSeconds,
    times: sorted.map((s) => s.at),
    lag,
    rates: services.map((service) => ({ service, consumed: rate(service, 'consumed'), produced: rate(service, 'produced') })),
  };
}
