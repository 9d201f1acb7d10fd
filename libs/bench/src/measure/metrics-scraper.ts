import { CostCounters } from '../analysis/cost-per-event';

/** One parsed Prometheus sample line. */
interface MetricLine {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ServiceMetricsSnapshot {
  at: number;
  /** o2o_kafka_consumer_lag summed over partitions, by topic. */
  lag: Record<string, number>;
  /** Histogram sums and counts by topic, to compute means per phase. */
  batchSizeSum: Record<string, number>;
  batchCount: Record<string, number>;
  batchSecondsSum: Record<string, number>;
  /** o2o_mongo_command_duration_seconds sums and counts by "collection command". */
  storeSecondsSum: Record<string, number>;
  storeCount: Record<string, number>;
  deadLettered: number;
  batchRetries: number;
  eventLoopLagP99Seconds: number | undefined;
  /** Totals since the process started, over all labels: the inputs of the cost per event. */
  cost: CostCounters;
}

/** Scrapes each service's /metrics (the URLs given are the management listeners'): consumer lag as the services report it, batch sizes and durations. */
export class MetricsScraper {
  readonly snapshots = new Map<string, ServiceMetricsSnapshot[]>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly services: Array<{ name: string; url: string }>,
    private readonly periodMs = 1000,
  ) {
    for (const s of services) this.snapshots.set(s.name, []);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.scrapeAll().finally(() => (this.busy = false));
    }, this.periodMs);
  }

  async scrapeAll(): Promise<void> {
    await this.scrapeNow();
  }

  /** Scrapes every service now; the snapshots taken, by service (a service that did not answer is missing). */
  async scrapeNow(): Promise<Map<string, ServiceMetricsSnapshot>> {
    const taken = new Map<string, ServiceMetricsSnapshot>();
    await Promise.all(
      this.services.map(async (s) => {
        try {
          const response = await fetch(`${s.url}/metrics`);
          if (!response.ok) return;
          const snap = snapshotOfMetricsText(await response.text());
          this.snapshots.get(s.name)?.push(snap);
          taken.set(s.name, snap);
        } catch {
          // A service that is stopping or busy misses one scrape.
        }
      }),
    );
    return taken;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Largest total consumer lag a service reported between two instants, by topic. */
  maxLag(service: string, from: number, to: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const snap of this.snapshots.get(service) ?? []) {
      if (snap.at < from || snap.at > to) continue;
      for (const [topic, lag] of Object.entries(snap.lag)) out[topic] = Math.max(out[topic] ?? 0, lag);
    }
    return out;
  }

  /**
   * The snapshots around a window: the last one taken at or before its start, and the first at
   * or after its end (the bench scrapes when a phase's load ends; scrapes are 15 s apart), else
   * the last before the end.
   */
  private around(service: string, from: number, to: number): { first?: ServiceMetricsSnapshot; last?: ServiceMetricsSnapshot } {
    const list = this.snapshots.get(service) ?? [];
    const first = [...list].reverse().find((s) => s.at <= from) ?? list[0];
    const last = list.find((s) => s.at >= to) ?? [...list].reverse().find((s) => s.at <= to);
    return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
  }

  /** Mean batch size and batch duration per topic over a window (between the snapshots around it). */
  batchStats(service: string, from: number, to: number): Record<string, { batches: number; meanSize: number; meanMs: number }> {
    const { first, last } = this.around(service, from, to);
    const out: Record<string, { batches: number; meanSize: number; meanMs: number }> = {};
    if (!first || !last) return out;
    for (const topic of Object.keys(last.batchCount)) {
      const batches = (last.batchCount[topic] ?? 0) - (first.batchCount[topic] ?? 0);
      if (batches <= 0) continue;
      const size = (last.batchSizeSum[topic] ?? 0) - (first.batchSizeSum[topic] ?? 0);
      const seconds = (last.batchSecondsSum[topic] ?? 0) - (first.batchSecondsSum[topic] ?? 0);
      out[topic] = { batches, meanSize: Math.round((size / batches) * 10) / 10, meanMs: Math.round((seconds / batches) * 10000) / 10 };
    }
    return out;
  }

  /**
   * MongoDB commands between two instants, by "collection command", most total time first: count,
   * mean and total milliseconds (the service's store time, from the driver's command monitoring).
   */
  storeStats(service: string, from: number, to: number, top = 8): Record<string, { count: number; meanMs: number; totalMs: number }> {
    const { first, last } = this.around(service, from, to);
    if (!first || !last) return {};
    const rows: Array<[string, { count: number; meanMs: number; totalMs: number }]> = [];
    for (const key of Object.keys(last.storeCount)) {
      const count = (last.storeCount[key] ?? 0) - (first.storeCount[key] ?? 0);
      if (count <= 0) continue;
      const totalMs = ((last.storeSecondsSum[key] ?? 0) - (first.storeSecondsSum[key] ?? 0)) * 1000;
      rows.push([key, { count, meanMs: Math.round((totalMs / count) * 10) / 10, totalMs: Math.round(totalMs) }]);
    }
    rows.sort((a, b) => b[1].totalMs - a[1].totalMs);
    return Object.fromEntries(rows.slice(0, top));
  }

  last(service: string): ServiceMetricsSnapshot | undefined {
    const list = this.snapshots.get(service) ?? [];
    return list[list.length - 1];
  }
}

function parse(text: string): MetricLine[] {
  const out: MetricLine[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || match[4] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const l of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (l[1] !== undefined && l[2] !== undefined) labels[l[1]] = l[2];
    }
    out.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return out;
}

/** A snapshot of one /metrics text (Prometheus exposition format, as prom-client writes it). */
export function snapshotOfMetricsText(text: string, at = Date.now()): ServiceMetricsSnapshot {
  const lines = parse(text);
  const snap: ServiceMetricsSnapshot = {
    at,
    lag: {},
    batchSizeSum: {},
    batchCount: {},
    batchSecondsSum: {},
    storeSecondsSum: {},
    storeCount: {},
    deadLettered: 0,
    batchRetries: 0,
    eventLoopLagP99Seconds: undefined,
    cost: { commands: 0, documentsWritten: 0, bytesWritten: 0, produced: 0 },
  };
  const add = (into: Record<string, number>, topic: string | undefined, value: number): void => {
    if (topic === undefined || !Number.isFinite(value)) return;
    into[topic] = (into[topic] ?? 0) + value;
  };
  for (const l of lines) {
    const topic = l.labels['topic'];
    if (l.name === 'o2o_kafka_consumer_lag') add(snap.lag, topic, l.value);
    else if (l.name === 'o2o_kafka_batch_size_sum') add(snap.batchSizeSum, topic, l.value);
    else if (l.name === 'o2o_kafka_batch_size_count') add(snap.batchCount, topic, l.value);
    else if (l.name === 'o2o_kafka_batch_duration_seconds_sum') add(snap.batchSecondsSum, topic, l.value);
    else if (l.name === 'o2o_mongo_command_duration_seconds_sum')
      add(snap.storeSecondsSum, `${l.labels['collection'] ?? ''} ${l.labels['command'] ?? ''}`.trim(), l.value);
    else if (l.name === 'o2o_mongo_command_duration_seconds_count') {
      add(snap.storeCount, `${l.labels['collection'] ?? ''} ${l.labels['command'] ?? ''}`.trim(), l.value);
      if (Number.isFinite(l.value)) snap.cost.commands += l.value;
    } else if (l.name === 'o2o_mongo_documents_written_total') snap.cost.documentsWritten += l.value;
    else if (l.name === 'o2o_mongo_bytes_written_total') snap.cost.bytesWritten += l.value;
    else if (l.name === 'o2o_kafka_events_produced_total') snap.cost.produced += l.value;
    else if (l.name === 'o2o_kafka_dead_lettered_total') snap.deadLettered += l.value;
    else if (l.name === 'o2o_kafka_batch_retries_total') snap.batchRetries += l.value;
    else if (l.name === 'nodejs_eventloop_lag_p99_seconds') snap.eventLoopLagP99Seconds = l.value;
  }
  return snap;
}
