/**
 * Benchmark of the identifier index's update per snapshot batch (IdentifierIndexRepository.assign)
 * on a grown collection, against a running MongoDB-compatible server (not a test).
 *
 *   node services/campaign-customization/dist/cli/bench-identifier-index.js \
 *     --mongo mongodb://127.0.0.1:27017 [--identifiers 50000] [--batches 10] [--batch-size 250] [--changed 0.2] [--new 0.2]
 *
 * Seeds `--identifiers` entries (two per customer) in the layout of the version before the
 * per-customer holdings (one document per identifier with its holders, indexed on customerId
 * and holders), so the start measures the one-time migration of the current code, then applies
 * `--batches` batches of `--batch-size` snapshots: a share `--changed` of known customers with one
 * identifier replaced, a share `--new` of customers never seen, the rest known and unchanged (the
 * usual snapshot: identity resolution publishes one for every event of a known customer). Prints
 * the time of each update and the database commands it sent. Works in a database of its own,
 * named bench_identifier_index_<random>, dropped at the end.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import type { IdentifierV1 } from '@o2o/contracts';
import { IdentifierIndexRepository } from '../profiles/infrastructure/identifier-index.repository';

interface Options {
  mongo: string;
  identifiers: number;
  batches: number;
  batchSize: number;
  changed: number;
  fresh: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      mongo: { type: 'string' },
      identifiers: { type: 'string', default: '50000' },
      batches: { type: 'string', default: '10' },
      'batch-size': { type: 'string', default: '250' },
      changed: { type: 'string', default: '0.2' },
      new: { type: 'string', default: '0.2' },
    },
  });
  const number = (name: 'identifiers' | 'batches' | 'batch-size' | 'changed' | 'new', max = Number.MAX_SAFE_INTEGER) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`--${name} must be a number from 0 to ${max}`);
    return value;
  };
  if (values.mongo === undefined) throw new Error('--mongo <url> is required');
  const options = {
    mongo: values.mongo,
    identifiers: number('identifiers'),
    batches: number('batches'),
    batchSize: number('batch-size'),
    changed: number('changed', 1),
    fresh: number('new', 1),
  };
  if (options.changed + options.fresh > 1) throw new Error('--changed plus --new must not exceed 1');
  return options;
}

const email = (value: string): IdentifierV1 => ({ type: 'email', value }) as IdentifierV1;
const customerOf = (n: number) => `cus_${String(n).padStart(7, '0')}`;
const keysOf = (n: number) => [`c${n}@bench.example`, `c${n}-2@bench.example`];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dbName = `bench_identifier_index_${randomUUID().slice(0, 8)}`;
  const connection = await mongoose.createConnection(options.mongo, { dbName, monitorCommands: true }).asPromise();
  let commands: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (['find', 'insert', 'update', 'delete', 'aggregate', 'getMore'].includes(event.commandName))
      commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
  });
  try {
    const db = connection.db;
    if (!db) throw new Error('no database');
    const customers = Math.ceil(options.identifiers / 2);
    const identifiers = db.collection('identifiers');
    await identifiers.createIndex({ customerId: 1 });
    await identifiers.createIndex({ holders: 1 });
    const t0 = new Date(Date.UTC(2026, 0, 1));
    let started = performance.now();
    for (let i = 0; i < customers; i += 1000) {
      const docs = [];
      for (let n = i; n < Math.min(customers, i + 1000); n += 1) {
        for (const value of keysOf(n))
          docs.push({ _id: `email:${value}`, customerId: customerOf(n), updatedAt: t0, holders: [customerOf(n)] });
      }
      await identifiers.insertMany(docs as never[], { ordered: false });
    }
    console.log(
      `seeded ${await identifiers.estimatedDocumentCount()} identifiers of ${customers} customers (previous layout) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const index = new IdentifierIndexRepository(connection);
    started = performance.now();
    await index.onModuleInit();
    console.log(`start (onModuleInit: indexes, migration where the code has one): ${((performance.now() - started) / 1000).toFixed(1)} s`);

    let next = customers;
    let seed = 42;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const times: number[] = [];
    const perBatch: number[] = [];
    for (let b = 0; b < options.batches; b += 1) {
      const at = new Date(t0.getTime() + (b + 1) * 60_000).toISOString();
      const snapshots = [];
      const seen = new Set<number>();
      for (let s = 0; s < options.batchSize; s += 1) {
        const draw = random();
        if (draw < options.fresh) {
          const n = next++;
          snapshots.push({ customerId: customerOf(n), identifiers: keysOf(n).map(email), updatedAt: at });
          continue;
        }
        let n = Math.floor(random() * customers);
        while (seen.has(n)) n = (n + 1) % customers;
        seen.add(n);
        const keys = keysOf(n);
        // Changed: the second identifier replaced by one of this batch (a new e-mail address).
        if (draw < options.fresh + options.changed) keys[1] = `c${n}-b${b}@bench.example`;
        snapshots.push({ customerId: customerOf(n), identifiers: keys.map(email), updatedAt: at });
      }
      commands = [];
      started = performance.now();
      await index.assign(snapshots);
      const ms = performance.now() - started;
      times.push(ms);
      perBatch.push(commands.length);
      const counts = new Map<string, number>();
      for (const c of commands) counts.set(c, (counts.get(c) ?? 0) + 1);
      console.log(
        `batch ${b + 1}: ${snapshots.length} snapshots, ${ms.toFixed(0)} ms, ${commands.length} commands (${[...counts].map(([c, n]) => `${n} × ${c}`).join(', ')})`,
      );
    }
    console.log(
      `update per batch of ${options.batchSize}: median ${median(times).toFixed(0)} ms, mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms; commands per batch: median ${median(perBatch)}`,
    );
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
