import { randomBytes } from 'node:crypto';
import { AnyBulkWriteOperation, MongoClient } from 'mongodb';
import { chunkedBulkWrite } from '@o2o/mongo';
import { readProcessUsage, usageDelta, UsageDelta } from '../processes/process-usage';

export interface DatabaseCeilingStage {
  /** The service whose writes this stands for; its database is `<prefix><service>`. */
  service: string;
  /** Events per Kafka batch the service saw in the run: one bulk write (in chunks) per batch. */
  batchSize: number;
}

export interface DatabaseCeilingOptions {
  mongoUrl: string;
  /** Database name prefix, private to the run. */
  databasePrefix: string;
  stages: DatabaseCeilingStage[];
  /** Distinct documents (customers) the writes go to. */
  keys: number;
  /** Size of the state each write sets, roughly a projection document of the pipeline. */
  documentBytes: number;
  warmupSeconds: number;
  seconds: number;
  /** Process ids whose CPU to report over the window (FerretDB above all). */
  pids: Record<string, number>;
}

export interface DatabaseCeilingStageResult {
  service: string;
  batchSize: number;
  /** Documents written per second by this stage alone, while every stage wrote at once. */
  docsPerSecond: number;
  batches: number;
  meanBatchMs: number;
}

export interface DatabaseCeilingResult {
  stages: DatabaseCeilingStageResult[];
  /** Documents per second summed over all stages writing at once: what the database did. */
  docsPerSecond: number;
  /**
   * Events per second the database allows the pipeline: every event costs one write in every
   * stage, so the slowest stage's documents per second.
   */
  eventsPerSecond: number;
  windowSeconds: number;
  processes: Record<string, UsageDelta | undefined>;
}

interface StageCounter {
  docs: number;
  batches: number;
  batchMs: number;
}

/**
 * The database ceiling: the least the pipeline must write, against the same server, with no
 * other work. Each stage that keeps a projection gets its own database (as each service does)
 * and a writer that, batch after batch, applies one idempotent upsert per event to the event's
 * customer document (state set, event id recorded in the same write, version bumped) with one
 * bulk write per batch in libs/mongo's FerretDB-sized chunks, the batch sizes the services saw.
 * All stages write at once, like the services. No reads, no Kafka: a pipeline cannot be faster
 * than this on the same database, whatever its code does.
 */
export async function runDatabaseCeiling(options: DatabaseCeilingOptions): Promise<DatabaseCeilingResult> {
  const state = randomBytes(Math.ceil(options.documentBytes * 0.75))
    .toString('base64')
    .slice(0, options.documentBytes);
  const started = Date.now();
  const windowStart = started + options.warmupSeconds * 1000;
  const end = windowStart + options.seconds * 1000;
  const counters = new Map<string, StageCounter>(options.stages.map((s) => [s.service, { docs: 0, batches: 0, batchMs: 0 }]));
  const clients: MongoClient[] = [];
  let usageBefore: Record<string, ReturnType<typeof readProcessUsage>> = {};
  const readUsage = () => Object.fromEntries(Object.entries(options.pids).map(([name, pid]) => [name, readProcessUsage(pid)]));
  const timer = setTimeout(() => (usageBefore = readUsage()), Math.max(0, windowStart - Date.now()));

  const write = async (stage: DatabaseCeilingStage, offset: number): Promise<void> => {
    // One connection pool per stage, as each service has its own.
    const client = new MongoClient(options.mongoUrl, { maxPoolSize: 20, serverSelectionTimeoutMS: 10000 });
    clients.push(client);
    await client.connect();
    const collection = client.db(`${options.databasePrefix}${stage.service.replace(/-/g, '_')}`).collection<{ _id: string }>('ceiling');
    const counter = counters.get(stage.service);
    let n = offset;
    while (Date.now() < end) {
      const operations: Array<AnyBulkWriteOperation<{ _id: string }>> = [];
      for (let i = 0; i < stage.batchSize; i++, n++) {
        const eventId = `${stage.service}:${n}`;
        operations.push({
          updateOne: {
            filter: { _id: `cus_${n % options.keys}` },
            update: {
              $set: { state, updatedAt: new Date() },
              $push: { appliedEvents: { $each: [eventId], $slice: -200 } },
              $inc: { version: 1 },
            },
            upsert: true,
          },
        });
      }
      const began = Date.now();
      await chunkedBulkWrite(collection, operations);
      const done = Date.now();
      if (counter && done >= windowStart && done <= end) {
        counter.docs += operations.length;
        counter.batches += 1;
        counter.batchMs += done - began;
      }
    }
  };

  try {
    // Different starting customers per stage, as the services' partitions are not in step.
    await Promise.all(options.stages.map((stage, i) => write(stage, Math.floor((i * options.keys) / Math.max(1, options.stages.length)))));
    const processes: Record<string, UsageDelta | undefined> = {};
    const after = readUsage();
    for (const name of Object.keys(options.pids)) processes[name] = usageDelta(usageBefore[name], after[name], options.seconds);
    const stages = options.stages.map((s) => {
      const c = counters.get(s.service) ?? { docs: 0, batches: 0, batchMs: 0 };
      return {
        service: s.service,
        batchSize: s.batchSize,
        docsPerSecond: Math.round(c.docs / options.seconds),
        batches: c.batches,
        meanBatchMs: c.batches > 0 ? Math.round(c.batchMs / c.batches) : 0,
      };
    });
    return {
      stages,
      docsPerSecond: stages.reduce((sum, s) => sum + s.docsPerSecond, 0),
      eventsPerSecond: stages.length > 0 ? Math.min(...stages.map((s) => s.docsPerSecond)) : 0,
      windowSeconds: options.seconds,
      processes,
    };
  } finally {
    clearTimeout(timer);
    await Promise.all(
      options.stages.map(async (stage, i) => {
        const client = clients[i];
        if (!client) return;
        await client
          .db(`${options.databasePrefix}${stage.service.replace(/-/g, '_')}`)
          .dropDatabase()
          .catch(() => undefined);
      }),
    );
    await Promise.all(clients.map((c) => c.close()));
  }
}
