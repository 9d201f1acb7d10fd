import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ReadinessRegistry } from '@o2o/observability';

export interface MongoSettings {
  url: string;
  /** The service's own database; no service ever opens another's. */
  dbName: string;
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
          maxPoolSize: 20,
          autoIndex: true,
          autoCreate: true,
        }),
      ],
      providers: [MongoReadiness],
      exports: [MongooseModule],
    };
  }
}
