import { DynamicModule, Injectable, Logger, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { PlatformMetrics, ReadinessRegistry } from '@o2o/observability';
import { writeStatementsOf } from './write-statements';

export interface MongoSettings {
  url: string;
  /** The service's own database; no service ever opens another's. */
  dbName: string;
  /** Longest wait for one reply before the command fails as a (transient) network timeout. */
  socketTimeoutMs?: number;
}

@Injectable()
class MongoReadiness implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('mongodb', async () => {
      const db = this.connection.db;
      if (!db) return false;
      await db.command({ ping: 1 });
      return { database: db.databaseName };
    });
  }
}

/** Commands whose first field names a collection (find, insert, update, delete, aggregate...). */
const COLLECTION_COMMANDS = new Set([
  'find',
  'insert',
  'update',
  'delete',
  'aggregate',
  'count',
  'distinct',
  'findAndModify',
  'getMore',
  'createIndexes',
]);

/**
 * Times every command the driver sends (command monitoring) into
 * `o2o_mongo_command_duration_seconds`, by collection and command: where a batch's store time
 * goes, per service, without a profiler. Its count is the service's database commands; the write
 * statements and their bytes go to `o2o_mongo_documents_written_total` and
 * `o2o_mongo_bytes_written_total` (sent, so retried writes count again), for the bench's cost per event.
 */
@Injectable()
class MongoCommandMetrics implements OnModuleInit {
  private readonly started = new Map<number, { collection: string; command: string }>();

  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly metrics: PlatformMetrics,
  ) {}

  onModuleInit(): void {
    const client = this.connection.getClient();
    client.on('commandStarted', (event) => {
      const command = event.commandName;
      const target = command === 'getMore' ? event.command['collection'] : event.command[command];
      const collection = COLLECTION_COMMANDS.has(command) && typeof target === 'string' ? target : '';
      this.started.set(event.requestId, { collection, command });
      // A listener that throws would fail the command it observes: a write the counters cannot
      // size is left uncounted instead.
      try {
        const written = writeStatementsOf(command, event.command);
        if (written) {
          this.metrics.storeDocumentsWritten.inc({ collection, command }, written.statements);
          this.metrics.storeBytesWritten.inc({ collection, command }, written.bytes);
        }
      } catch {
        // Uncounted, not failed.
      }
    });
    const finish = (event: { requestId: number; duration: number }, outcome: 'ok' | 'failed'): void => {
      const start = this.started.get(event.requestId);
      if (!start) return;
      this.started.delete(event.requestId);
      this.metrics.storeCommandDuration.observe({ ...start, outcome }, event.duration / 1000);
    };
    client.on('commandSucceeded', (event) => finish(event, 'ok'));
    client.on('commandFailed', (event) => finish(event, 'failed'));
  }
}

/** How often the driver checks the server; the watch below calls a check silent after three. */
const HEARTBEAT_FREQUENCY_MS = 10000;

/**
 * Says when the database becomes unreachable and when it is back (one line each, not one per
 * failed heartbeat), and watches the driver's monitor: while the server is unknown the monitor
 * checks it every half second, so a monitor that reports nothing for three heartbeat periods is
 * stuck, and the line says in which state.
 */
@Injectable()
class MongoTopologyWatch implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('MongoTopology');
  private unreachableSince: number | undefined;
  private lastHeartbeatAt = Date.now();
  private reportedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(@InjectConnection() private readonly connection: Connection) {}

  onModuleInit(): void {
    const client = this.connection.getClient();
    const beat = (): void => {
      this.lastHeartbeatAt = Date.now();
    };
    client.on('serverHeartbeatStarted', beat);
    client.on('serverHeartbeatSucceeded', beat);
    client.on('serverHeartbeatFailed', beat);
    client.on('serverDescriptionChanged', (event) => {
      const reachable = event.newDescription.type !== 'Unknown';
      if (!reachable && this.unreachableSince === undefined) {
        this.unreachableSince = Date.now();
        this.logger.warn(`mongodb ${event.address} unreachable: ${event.newDescription.error?.message ?? 'unknown'}`);
      } else if (reachable && this.unreachableSince !== undefined) {
        this.logger.log(`mongodb ${event.address} reachable again after ${((Date.now() - this.unreachableSince) / 1000).toFixed(1)} s`);
        this.unreachableSince = undefined;
      }
    });
    this.timer = setInterval(() => this.watch(), HEARTBEAT_FREQUENCY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private watch(): void {
    if (this.unreachableSince === undefined || Date.now() - this.lastHeartbeatAt < 3 * HEARTBEAT_FREQUENCY_MS) return;
    // Once per silence, then every five minutes while it lasts.
    if (this.reportedAt !== undefined && this.reportedAt > this.lastHeartbeatAt && Date.now() - this.reportedAt < 300000) return;
    this.reportedAt = Date.now();
    this.logger.error(
      `mongodb monitor silent for ${((Date.now() - this.lastHeartbeatAt) / 1000).toFixed(0)} s while the server is unknown: ${JSON.stringify(monitorStates(this.connection))}`,
    );
  }
}

/** The driver's monitor and pool state per server (internal fields, read for diagnosis only). */
function monitorStates(connection: Connection): unknown[] {
  const topology = (connection.getClient() as unknown as { topology?: { s?: { servers?: Map<string, unknown> } } }).topology;
  const servers = topology?.s?.servers;
  if (!servers) return [];
  return [...servers.entries()].map(([address, server]) => {
    const s = server as {
      s?: { state?: string };
      monitor?: { s?: { state?: string }; connection?: { closed?: boolean } | null; monitorId?: unknown };
      pool?: { generation?: number; s?: { state?: string } };
    };
    return {
      address,
      server: s.s?.state,
      monitor: s.monitor?.s?.state,
      monitorConnection: s.monitor?.connection === null ? 'none' : s.monitor?.connection?.closed ? 'closed' : 'open',
      monitorInterval: s.monitor?.monitorId
        ? JSON.stringify(s.monitor.monitorId, (k, v) => (k === 'fn' || k === 'timerId' ? undefined : v))
        : 'none',
      pool: s.pool?.s?.state,
      generation: s.pool?.generation,
    };
  });
}

/**
 * Creates a model's indexes only when some are missing. Mongoose's autoIndex sends createIndexes
 * for every model whenever a process starts; FerretDB v1 (SQLite) runs that under its catalogue's
 * write lock, and when the lock's holder then waits for one of its pooled SQLite connections, all
 * held by the queries of instances already at work, every command on every database waits for the
 * lock: the whole store hung when value-scoring was scaled from one to three instances under load
 * (docs/reliability.md). Listing the indexes is a read; an instance joining a running deployment
 * finds them all there and writes nothing.
 */
@Injectable()
class MissingIndexes implements OnModuleInit {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onModuleInit(): Promise<void> {
    for (const model of Object.values(this.connection.models)) {
      const { toCreate } = await model.diffIndexes();
      if (toCreate.length > 0) await model.createIndexes();
    }
  }
}

/**
 * The service's MongoDB connection (MongoDB or FerretDB: code keeps to what both support, so no
 * multi-document transactions and no change streams). Mongoose closes it on application shutdown.
 */
@Module({})
export class MongoModule {
  static forRoot(settings: MongoSettings): DynamicModule {
    return {
      module: MongoModule,
      imports: [
        MongooseModule.forRoot(settings.url, {
          dbName: settings.dbName,
          serverSelectionTimeoutMS: 10000,
          heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
          socketTimeoutMS: settings.socketTimeoutMs ?? 60000,
          maxPoolSize: 20,
          // Indexes are created by MissingIndexes, only when missing.
          autoIndex: false,
          autoCreate: true,
          monitorCommands: true,
        }),
      ],
      providers: [MongoReadiness, MongoCommandMetrics, MongoTopologyWatch, MissingIndexes],
      exports: [MongooseModule],
    };
  }
}
