import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { mongo, type Connection } from 'mongoose';
import { createLogger, ObservabilityModule, PlatformMetrics } from '@o2o/observability';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { MongoModule } from '../src';

const run = uniqueId();
const env = testEnvironment(run, 'mongo-command-metrics');

/** A counter's or histogram count's value for one collection and command (0 when never observed). */
async function valueOf(
  metric: { get(): Promise<{ values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> }> },
  collection: string,
  command: string,
  suffix = '',
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter(
      (v) =>
        v.labels['collection'] === collection &&
        v.labels['command'] === command &&
        (suffix === '' || v.metricName?.endsWith(suffix) === true),
    )
    .reduce((s, v) => s + v.value, 0);
}

/**
 * The counters the bench divides into a cost per event (docs/performance.md): commands, write
 * statements and their bytes, counted from the driver's command monitoring against a real server.
 */
describe('MongoModule command metrics (real MongoDB-compatible server)', () => {
  const metrics = new PlatformMetrics('mongo_command_metrics_test');
  let app: INestApplicationContext;
  let connection: Connection;

  beforeAll(async () => {
    @Module({
      imports: [
        ObservabilityModule.forRoot({ logger: createLogger({ service: 'mongo-command-metrics-test', level: 'warn' }), metrics }),
        MongoModule.forRoot({ url: env['MONGO_URL'] ?? '', dbName: env['MONGO_DB'] ?? '' }),
      ],
    })
    class InstanceModule {}
    app = await NestFactory.createApplicationContext(InstanceModule, { logger: false });
    connection = app.get<Connection>(getConnectionToken());
  });
  afterAll(async () => {
    await connection.dropDatabase().catch(() => undefined);
    await app.close();
  });

  it('counts each command, and the statements and BSON bytes of each write', async () => {
    const things = connection.collection<{ _id: string; name: string; rank: number }>('things');
    const docs = [
      { _id: `${run}-a`, name: 'first', rank: 1 },
      { _id: `${run}-b`, name: 'second '.repeat(20), rank: 2 },
      { _id: `${run}-c`, name: 'third', rank: 3 },
    ];
    await things.insertMany(docs);
    const updates = [
      { updateOne: { filter: { _id: `${run}-a` }, update: { $inc: { rank: 10 } } } },
      { updateOne: { filter: { _id: `${run}-b` }, update: { $set: { name: 'renamed' } } } },
    ];
    await things.bulkWrite(updates, { ordered: false });
    const found = await things.find({ rank: { $gte: 3 } }).toArray();
    expect(found.map((d) => d._id).sort()).toEqual([`${run}-a`, `${run}-c`]);

    // One insert command of three documents, as the wire carries them (an array is a document keyed "0", "1"...).
    expect(await valueOf(metrics.storeCommandDuration, 'things', 'insert', '_count')).toBe(1);
    expect(await valueOf(metrics.storeDocumentsWritten, 'things', 'insert')).toBe(3);
    expect(await valueOf(metrics.storeBytesWritten, 'things', 'insert')).toBe(mongo.BSON.serialize({ ...docs }).length);
    // One update command of two statements; its bytes hold both filters and updates.
    expect(await valueOf(metrics.storeCommandDuration, 'things', 'update', '_count')).toBe(1);
    expect(await valueOf(metrics.storeDocumentsWritten, 'things', 'update')).toBe(2);
    expect(await valueOf(metrics.storeBytesWritten, 'things', 'update')).toBeGreaterThan(
      mongo.BSON.serialize({ a: updates[0]?.updateOne.filter, b: updates[1]?.updateOne.update }).length,
    );
    // A read is a command and writes nothing.
    expect(await valueOf(metrics.storeCommandDuration, 'things', 'find', '_count')).toBe(1);
    expect(await valueOf(metrics.storeDocumentsWritten, 'things', 'find')).toBe(0);

    // Exposed on /metrics as the bench scrapes them.
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /o2o_mongo_documents_written_total\{collection="things",command="insert",service="mongo_command_metrics_test"\} 3/,
    );
    expect(text).toMatch(/o2o_mongo_bytes_written_total\{collection="things",command="update",service="mongo_command_metrics_test"\} \d+/);
  });
});
