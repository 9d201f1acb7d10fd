import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule, Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { createLogger, ObservabilityModule, PlatformMetrics } from '@o2o/observability';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { MongoModule } from '../src';

@Schema({ collection: 'things', versionKey: false })
class Thing {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, index: true }) owner?: string;
  @Prop({ type: Number }) rank?: number;
}
const ThingSchema = SchemaFactory.createForClass(Thing);
ThingSchema.index({ rank: -1, _id: 1 });

const run = uniqueId();
const env = testEnvironment(run, 'mongo-indexes');

/** An instance of a service's database wiring; the commands it sent at start, from its command metrics. */
async function startInstance(): Promise<{ app: INestApplicationContext; commands: string[] }> {
  const metrics = new PlatformMetrics('mongo_indexes_test');
  @Module({
    imports: [
      ObservabilityModule.forRoot({ logger: createLogger({ service: 'mongo-indexes-test', level: 'warn' }), metrics }),
      MongoModule.forRoot({ url: env['MONGO_URL'] ?? '', dbName: env['MONGO_DB'] ?? '' }),
      MongooseModule.forFeature([{ name: Thing.name, schema: ThingSchema }]),
    ],
  })
  class InstanceModule {}
  const app = await NestFactory.createApplicationContext(InstanceModule, { logger: false });
  const observed = await metrics.storeCommandDuration.get();
  const commands = [...new Set(observed.values.map((v) => String(v.labels['command'] ?? '')))];
  return { app, commands };
}

/**
 * Indexes are created by the first instance of a service and left alone by every later one:
 * a createIndexes at each start took FerretDB's catalogue lock while other instances were at
 * work and hung the store (scale-value-scoring in docs/reliability.md).
 */
describe('MongoModule indexes (real MongoDB-compatible server)', () => {
  const apps: INestApplicationContext[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('creates missing indexes at start, and a later instance finds them and creates nothing', async () => {
    const first = await startInstance();
    apps.push(first.app);
    expect(first.commands).toContain('createIndexes');
    const indexed = await first.app.get<Connection>(getConnectionToken()).collection('things').indexes();
    expect(indexed.map((i) => JSON.stringify(i.key)).sort()).toEqual(['{"_id":1}', '{"owner":1}', '{"rank":-1,"_id":1}'].sort());

    const second = await startInstance();
    apps.push(second.app);
    expect(second.commands).toContain('listIndexes');
    expect(second.commands).not.toContain('createIndexes');
  });
});
