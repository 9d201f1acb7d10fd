/**
 * The sizing rule of docs/operations.md, from the measured cost per event of each service
 * (docs/performance.md). The chart's values (deploy/kubernetes/o2o/values.yaml and sizes/*.yaml)
 * are checked against it (chart-values.spec.ts) and the guide's tables are printed by it
 * (`node libs/deploy/dist/cli/sizing-table.js`), so the three cannot drift apart.
 */

/** Services whose replicas follow the event rate. The console serves people and is sized apart. */
export const pipelineServices = ['ingestion', 'identity-resolution', 'value-scoring', 'needs-profiling', 'campaign-customization'] as const;
export type PipelineService = (typeof pipelineServices)[number];

export interface MeasuredCost {
  /**
   * CPU milliseconds of the service's whole process (gross: idle timers, GC and worker threads
   * included, as a CPU request counts them) per pipeline event, at saturation (calls of ~150-330 messages).
   */
  cpuMs: number;
  /** Database commands per pipeline event at saturation (calls of ~150-330 messages). */
  commandsPerEvent: number;
  /** Database commands per event at half of saturation (the rate phase: calls of ~20-30 messages). */
  commandsPerEventSmallBatches: number;
  /** Largest resident memory measured, MB. */
  peakRssMb: number;
}

/**
 * docs/performance.md, "Cost per event per stage, refreshed": the quiet runs 6e0a87 and 92a005
 * (2026-12-07), the higher of the two for each figure. CPU is each process's gross CPU from the
 * max phase's start until drained over the events ingestion accepted in the phase (the bench's
 * "net" leaves out the idle CPU a replica spends all the same); commands are those of the same
 * windows, max phase (25 s) and rate phase (25 s at 46 and 62 events/s), over accepted events.
 * Ingestion's CPU is not the pipeline run's (there it ran at a twentieth of a replica's design
 * rate, where each request's transaction and time-driven work dominate) but bench-ingestion's at
 * saturation (2026-12-06, after the transactional writes: 0.29-0.33 cores at 1,597-1,853
 * events/s), and its largest RSS bench-ingestion's at 13,187 events/s (2026-12-04).
 */
export const measuredCost: Readonly<Record<PipelineService, MeasuredCost>> = {
  ingestion: { cpuMs: 0.182, commandsPerEvent: 0.004, commandsPerEventSmallBatches: 0.012, peakRssMb: 334 },
  'identity-resolution': { cpuMs: 2.525, commandsPerEvent: 0.085, commandsPerEventSmallBatches: 0.551, peakRssMb: 440 },
  'value-scoring': { cpuMs: 0.848, commandsPerEvent: 0.015, commandsPerEventSmallBatches: 0.171, peakRssMb: 273 },
  'needs-profiling': { cpuMs: 1.12, commandsPerEvent: 0.026, commandsPerEventSmallBatches: 0.247, peakRssMb: 265 },
  'campaign-customization': { cpuMs: 1.133, commandsPerEvent: 0.036, commandsPerEventSmallBatches: 0.363, peakRssMb: 295 },
};

/** CPU a replica requests and is designed to use: one Node.js main thread at 60 % busy. */
export const CPU_PER_REPLICA = 0.6;
/** Lag a replica may hold before KEDA adds one: this many seconds of its design rate. */
export const LAG_SECONDS = 2;
/** Fewest replicas of a service (a PodDisruptionBudget of one unavailable keeps one serving). */
export const MIN_REPLICAS = 2;
/** maxReplicas over minReplicas: a backlog drains at twice the arrival rate. */
export const HEADROOM = 2;
/** Partition counts are multiples of this, so that 1, 2, 3, 4, 6 or 12 consumers share them evenly. */
export const PARTITION_STEP = 12;
/** Pipeline stages that write to MongoDB per event: the database ceiling's one upsert per event per stage. */
export const WRITING_STAGES = 4;

/** Events per second one replica is designed for, rounded down to tens. */
export function replicaRate(service: PipelineService): number {
  return Math.floor((CPU_PER_REPLICA * 1000) / measuredCost[service].cpuMs / 10) * 10;
}

export interface ServiceSize {
  service: PipelineService;
  minReplicas: number;
  maxReplicas: number;
  /** CPU the replicas request at minReplicas. */
  cores: number;
  lagThreshold: number;
  /** MongoDB commands per second at saturation batches, and at small batches (an upper bound). */
  commandsPerSecond: [number, number];
}

export interface PlatformSize {
  eventsPerSecond: number;
  partitions: number;
  services: ServiceSize[];
  /** Document writes per second, at least: one per event per writing stage. */
  documentWritesPerSecond: number;
}

export function sizeFor(eventsPerSecond: number): PlatformSize {
  const services = pipelineServices.map((service): ServiceSize => {
    const rate = replicaRate(service);
    const minReplicas = Math.max(MIN_REPLICAS, Math.ceil(eventsPerSecond / rate));
    const cost = measuredCost[service];
    return {
      service,
      minReplicas,
      maxReplicas: minReplicas * HEADROOM,
      cores: Math.round(minReplicas * CPU_PER_REPLICA * 10) / 10,
      lagThreshold: rate * LAG_SECONDS,
      commandsPerSecond: [
        Math.round(eventsPerSecond * cost.commandsPerEvent),
        Math.round(eventsPerSecond * cost.commandsPerEventSmallBatches),
      ],
    };
  });
  // Ingestion scales on CPU (HTTP), not on partitions: only the consumers bound the count.
  const consumers = services.filter((s) => s.service !== 'ingestion');
  const partitions = Math.ceil(Math.max(...consumers.map((s) => s.maxReplicas)) / PARTITION_STEP) * PARTITION_STEP;
  return { eventsPerSecond, partitions, services, documentWritesPerSecond: eventsPerSecond * WRITING_STAGES };
}
