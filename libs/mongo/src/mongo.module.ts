import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
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
const COLLECTION_COMMANDS = new Set(['find', 'insert', 'update', 'delete', 'aggregate', 'count', 'distinct', 'findAndModify', 'getMore', 'createIndexes']);

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
          socketTimeoutMS: settings.socketTimeoutMs ?? 60000,
          maxPoolSize: 20,
          // Indexes are created by MissingIndexes, only when missing.
          autoIndex: false,
          autoCreate: true,
          monitorCommands: true,
        }),
      ],
      providers: [MongoReadiness, MongoCommandMetrics, MissingIndexes],
      exports: [MongooseModule],
    };
  }
}
