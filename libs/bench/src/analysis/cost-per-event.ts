/**
 * Cost per event of one stage over a window: what its process spent (CPU from /proc), what it
 * asked of the database (commands, write statements, bytes of those statements) and what it
 * produced to Kafka, divided by the events it finished in the same window. The window runs from
 * a phase's start until the pipeline had drained it, so every event of the phase was paid for in
 * full by every stage and each stage's event count is the same (what ingestion accepted).
 */

/** The counters a service's /metrics gives the bench, summed over labels. */
export interface CostCounters {
  /** o2o_mongo_command_duration_seconds_count: every command the driver sent. */
  commands: number;
  /** o2o_mongo_documents_written_total. */
  documentsWritten: number;
  /** o2o_mongo_bytes_written_total. */
  bytesWritten: number;
  /** o2o_kafka_events_produced_total. */
  produced: number;
}

export interface StageCostInput {
  events: number;
  /** The process's user + system CPU seconds over the window; undefined if it was not readable. */
  cpuSeconds: number | undefined;
  /**
   * What the process spends with no event to process (timers, metrics collection, a profiler's
   * sampling) over the same window: its idle cores, measured before the load, times the window's
   * seconds. Undefined when not measured.
   */
  idleCpuSeconds?: number | undefined;
  /** Counter increases over the window; undefined if a scrape failed or a counter went back (restart). */
  counters: CostCounters | undefined;
}

/** What one event costs, per stage or summed over the pipeline. */
export interface PerEventCost {
  cpuMsPerEvent: number | undefined;
  /** cpuMsPerEvent without the idle baseline: what the events themselves cost. */
  cpuMsPerEventNetOfIdle: number | undefined;
  commandsPerEvent: number | undefined;
  documentsWrittenPerEvent: number | undefined;
  bytesWrittenPerEvent: number | undefined;
  messagesProducedPerEvent: number | undefined;
}

export interface StageCost extends PerEventCost {
  events: number;
  cpuSeconds: number | undefined;
  /** The window's totals, to check the division. */
  counters: CostCounters | undefined;
}

/** Increase of each counter between two scrapes, or undefined when one is missing or any went back. */
export function counterIncrease(before: CostCounters | undefined, after: CostCounters | undefined): CostCounters | undefined {
  if (!before || !after) return undefined;
  const out: CostCounters = {
    commands: after.commands - before.commands,
    documentsWritten: after.documentsWritten - before.documentsWritten,
    bytesWritten: after.bytesWritten - before.bytesWritten,
    produced: after.produced - before.produced,
  };
  return Object.values(out).some((v) => v < 0 || !Number.isFinite(v)) ? undefined : out;
}

export function stageCost(input: StageCostInput): StageCost {
  const { events, cpuSeconds, counters, idleCpuSeconds } = input;
  const net = cpuSeconds === undefined || idleCpuSeconds === undefined ? undefined : Math.max(0, cpuSeconds - idleCpuSeconds) * 1000;
  const per = (total: number | undefined, digits: number): number | undefined =>
    total === undefined || events <= 0 ? undefined : round(total / events, digits);
  return {
    events,
    cpuSeconds: cpuSeconds === undefined ? undefined : round(cpuSeconds, 2),
    cpuMsPerEvent: per(cpuSeconds === undefined ? undefined : cpuSeconds * 1000, 3),
    cpuMsPerEventNetOfIdle: per(net, 3),
    commandsPerEvent: per(counters?.commands, 3),
    documentsWrittenPerEvent: per(counters?.documentsWritten, 3),
    bytesWrittenPerEvent: per(counters?.bytesWritten, 0),
    messagesProducedPerEvent: per(counters?.produced, 3),
    counters,
  };
}

/** Sum over stages of a per-event figure (the pipeline's cost of one event), undefined if any stage lacks it. */
export function pipelineTotal(stages: readonly StageCost[], pick: (s: StageCost) => number | undefined, digits = 3): number | undefined {
  let total = 0;
  for (const s of stages) {
    const v = pick(s);
    if (v === undefined) return undefined;
    total += v;
  }
  return stages.length === 0 ? undefined : round(total, digits);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
