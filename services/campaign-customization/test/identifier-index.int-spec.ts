import mongoose, { Connection } from 'mongoose';
import type { IdentifierV1 } from '@o2o/contracts';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { IdentifierIndexRepository } from '../src/profiles/infrastructure/identifier-index.repository';

const run = uniqueId();
const env = testEnvironment(run, 'campaign-identifier-index');

const email = (value: string): IdentifierV1 => ({ type: 'email', value }) as IdentifierV1;
const snapshot = (customerId: string, identifiers: IdentifierV1[], at: number) => ({
  customerId,
  identifiers,
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString(),
});

/** The identifier index on a real database: it follows the snapshots and writes only what changed. */
describe('IdentifierIndexRepository (real MongoDB)', () => {
  let connection: Connection;
  let index: IdentifierIndexRepository;
  /** Write commands (insert, update, delete) the repository sent since the last reset. */
  let writes: string[] = [];
  /** Every command since the last reset, as "command collection". */
  let commands: string[] = [];
  /** Filters of every find, since the start. */
  const finds: Array<{ collection: string; filter: unknown }> = [];

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(env['MONGO_URL'] ?? '', { dbName: env['MONGO_DB'] ?? '', monitorCommands: true })
      .asPromise();
    connection.getClient().on('commandStarted', (event) => {
      if (['insert', 'update', 'delete'].includes(event.commandName)) writes.push(event.commandName);
      if (['find', 'insert', 'update', 'delete', 'aggregate'].includes(event.commandName))
        commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
      if (event.commandName === 'find') finds.push({ collection: String(event.command['find']), filter: event.command['filter'] });
    });
    index = new IdentifierIndexRepository(connection);
    await index.onModuleInit();
  });

  afterAll(async () => {
    await connection?.dropDatabase();
    await connection?.close();
  });

  it('writes a snapshot once: the same identifiers again (a later snapshot or a redelivery) write nothing', async () => {
    await index.assign([snapshot('cus_a', [email('a1@example.com'), email('a2@example.com')], 1)]);
    expect(await index.lookup(email('a1@example.com'))).toEqual({ customerId: 'cus_a', holders: ['cus_a'] });
    writes = [];
    await index.assign([snapshot('cus_a', [email('a1@example.com'), email('a2@example.com')], 2)]);
    await index.assign([snapshot('cus_a', [email('a2@example.com'), email('a1@example.com')], 2)]);
    expect(writes).toEqual([]);
    expect(await index.lookup(email('a2@example.com'))).toEqual({ customerId: 'cus_a', holders: ['cus_a'] });
  });

  it('writes what changed: an identifier dropped leads nowhere, one added leads to the customer', async () => {
    await index.assign([snapshot('cus_b', [email('b1@example.com'), email('b2@example.com')], 1)]);
    writes = [];
    await index.assign([snapshot('cus_b', [email('b2@example.com'), email('b3@example.com')], 2)]);
    expect(writes.length).toBeGreaterThan(0);
    expect((await index.lookup(email('b1@example.com'))).holders).toEqual([]);
    expect(await index.lookup(email('b3@example.com'))).toEqual({ customerId: 'cus_b', holders: ['cus_b'] });
    expect(await index.lookup(email('b2@example.com'))).toEqual({ customerId: 'cus_b', holders: ['cus_b'] });
  });

  it('an identifier listed by two customers is shared, owned by the newer snapshot, and an older one does not take it back', async () => {
    await index.assign([snapshot('cus_c', [email('shared@example.com')], 1)]);
    await index.assign([snapshot('cus_d', [email('shared@example.com')], 3)]);
    expect(await index.lookup(email('shared@example.com'))).toEqual({ customerId: 'cus_d', holders: ['cus_c', 'cus_d'] });
    await index.assign([snapshot('cus_c', [email('shared@example.com')], 2)]);
    expect(await index.lookup(email('shared@example.com'))).toEqual({ customerId: 'cus_d', holders: ['cus_c', 'cus_d'] });
  });

  it('in one batch, each customer follows its latest snapshot and each identifier its newest claim', async () => {
    await index.assign([
      snapshot('cus_e', [email('e1@example.com'), email('e2@example.com')], 5),
      snapshot('cus_e', [email('e1@example.com')], 4),
      snapshot('cus_f', [email('e2@example.com')], 6),
    ]);
    expect(await index.lookup(email('e1@example.com'))).toEqual({ customerId: 'cus_e', holders: ['cus_e'] });
    expect(await index.lookup(email('e2@example.com'))).toEqual({ customerId: 'cus_f', holders: ['cus_e', 'cus_f'] });
  });

  it('reads by _id only: one find per batch, and writes identifiers before the holdings', async () => {
    await index.assign([snapshot('cus_g', [email('g1@example.com')], 1)]);
    commands = [];
    await index.assign([snapshot('cus_g', [email('g1@example.com')], 2), snapshot('cus_h', [email('h1@example.com')], 2)]);
    // cus_g unchanged, cus_h new: its holdings read, which of its identifiers exist, then one insert per collection.
    expect(commands).toEqual(['find identifier_holdings', 'find identifiers', 'insert identifiers', 'insert identifier_holdings']);
    commands = [];
    await index.assign([snapshot('cus_g', [email('g1@example.com')], 3), snapshot('cus_h', [email('h1@example.com')], 3)]);
    expect(commands).toEqual(['find identifier_holdings']);
    // No find of the hot path filters on anything but _id (holders is an array field: a full scan on FerretDB).
    expect(finds.filter((f) => JSON.stringify(f.filter).includes('holders'))).toEqual([]);
  });

  it('a batch of new customers sends one command per collection and kind, whatever its size', async () => {
    commands = [];
    const customers = Array.from({ length: 120 }, (_, i) => `cus_n${i}`);
    await index.assign(customers.map((c) => snapshot(c, [email(`${c}@example.com`), email(`${c}-2@example.com`)], 1)));
    // 240 new identifiers and 120 new holdings: before, 5 update commands of identifiers (an upsert
    // and a claim each, in fifties) and 3 of identifier_holdings.
    expect(commands).toEqual(['find identifier_holdings', 'find identifiers', 'insert identifiers', 'insert identifier_holdings']);
    expect(await index.lookup(email('cus_n7-2@example.com'))).toEqual({ customerId: 'cus_n7', holders: ['cus_n7'] });
    // One of them moves an identifier to a known customer's and drops one: updates only for those.
    commands = [];
    await index.assign([snapshot('cus_n1', [email('cus_n1@example.com'), email('cus_n2@example.com')], 2)]);
    expect(commands).toEqual(['find identifier_holdings', 'find identifiers', 'update identifiers', 'update identifier_holdings']);
    expect(await index.lookup(email('cus_n2@example.com'))).toEqual({ customerId: 'cus_n1', holders: ['cus_n2', 'cus_n1'].sort() });
    expect(await index.lookup(email('cus_n1-2@example.com'))).toEqual({ customerId: 'cus_n1', holders: [] });
  });

  it('two batches inserting the same new identifier at once: both hold it, the newer snapshot owns it', async () => {
    for (let round = 0; round < 3; round += 1) {
      const key = email(`race${round}@example.com`);
      await Promise.all([index.assign([snapshot(`cus_p${round}`, [key], 2)]), index.assign([snapshot(`cus_q${round}`, [key], 1)])]);
      expect(await index.lookup(key)).toEqual({ customerId: `cus_p${round}`, holders: [`cus_p${round}`, `cus_q${round}`] });
    }
  });

  it('a crash between the identifiers write and the holdings write: the redelivered batch completes it', async () => {
    await index.assign([snapshot('cus_i', [email('i1@example.com'), email('i2@example.com')], 1)]);
    const holdings = connection.db?.collection<{ _id: string }>('identifier_holdings');
    const before = await holdings?.findOne({ _id: 'cus_i' });
    const batch = [snapshot('cus_i', [email('i2@example.com'), email('i3@example.com')], 2)];
    await index.assign(batch);
    // As if the process had died after writing identifiers: the holdings document is the old one.
    await holdings?.replaceOne({ _id: 'cus_i' }, before ?? {});
    expect((await index.lookup(email('i1@example.com'))).holders).toEqual([]);
    await index.assign(batch);
    expect((await index.lookup(email('i1@example.com'))).holders).toEqual([]);
    expect((await index.lookup(email('i3@example.com'))).holders).toEqual(['cus_i']);
    // The next change starts from the right holdings: i2 dropped, i1 back.
    await index.assign([snapshot('cus_i', [email('i1@example.com'), email('i3@example.com')], 3)]);
    expect((await index.lookup(email('i1@example.com'))).holders).toEqual(['cus_i']);
    expect((await index.lookup(email('i2@example.com'))).holders).toEqual([]);
    expect((await index.lookup(email('i3@example.com'))).holders).toEqual(['cus_i']);
  });

  it('concurrent batches of different customers sharing identifiers leave exactly the holders of their latest snapshots', async () => {
    const customers = ['cus_m1', 'cus_m2', 'cus_m3', 'cus_m4'];
    const keys = ['m1@example.com', 'm2@example.com', 'm3@example.com'];
    const holds = new Map<string, string[]>();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 1; round <= 8; round += 1) {
      const batches = customers.map((c) => {
        const chosen = keys.filter(() => random() < 0.5);
        holds.set(c, chosen);
        return index.assign([snapshot(c, chosen.map(email), round)]);
      });
      await Promise.all(batches);
      for (const key of keys) {
        const expected = customers.filter((c) => holds.get(c)?.includes(key));
        const found = await index.lookup(email(key));
        expect({ key, round, holders: found.holders ?? [] }).toEqual({ key, round, holders: expected });
      }
    }
  });

  it('two instances applying overlapping batches of one customer at once (a rebalance) converge to its newest snapshot', async () => {
    for (let round = 0; round < 4; round += 1) {
      const c = `cus_r${round}`;
      const k = (n: number) => email(`r${round}-${n}@example.com`);
      await index.assign([snapshot(c, [k(0), k(1)], 1)]);
      // One instance still has the older batch, the other the older and the newer snapshot.
      await Promise.all([
        index.assign([snapshot(c, [k(1), k(2)], 2)]),
        index.assign([snapshot(c, [k(1), k(2)], 2), snapshot(c, [k(3)], 3)]),
      ]);
      const held = await Promise.all([0, 1, 2, 3].map(async (n) => (await index.lookup(k(n))).holders ?? []));
      expect(held).toEqual([[], [], [], [c]]);
    }
  });

  it('erasure: the customer leads nowhere, an identifier it shared leads to the other holder, its holdings are gone', async () => {
    await index.assign([
      snapshot('cus_x', [email('x1@example.com'), email('xy@example.com')], 1),
      snapshot('cus_y', [email('xy@example.com')], 2),
    ]);
    expect((await index.lookup(email('xy@example.com'))).holders).toEqual(['cus_x', 'cus_y']);
    expect(await index.removeCustomer(['cus_x'])).toEqual({ identifiers: 1, holdings: 1 });
    expect(await index.lookup(email('x1@example.com'))).toEqual({});
    expect(await index.lookup(email('xy@example.com'))).toEqual({ customerId: 'cus_y', holders: ['cus_y'] });
    expect(await connection.db?.collection('identifier_holdings').countDocuments({ _id: 'cus_x' } as never)).toBe(0);
    const exported = await index.exportCustomers(['cus_x', 'cus_y']);
    expect(exported.identifiers.map((d) => (d as { _id: string })._id)).toEqual(['xy@example.com'].map((v) => `email:${v}`));
    // Erased, then seen again (a new snapshot): it starts from nothing.
    await index.assign([snapshot('cus_x', [email('x1@example.com')], 3)]);
    expect(await index.lookup(email('x1@example.com'))).toEqual({ customerId: 'cus_x', holders: ['cus_x'] });
  });

  it('migrates data of the previous layout (holders only) at start, once, and keeps answering from it', async () => {
    const legacy = connection.useDb(`${env['MONGO_DB'] ?? ''}_legacy`, { useCache: false });
    try {
      const identifiers = legacy.db?.collection('identifiers');
      if (identifiers === undefined) throw new Error('no database');
      await identifiers.createIndex({ holders: 1 });
      const t = new Date(Date.UTC(2026, 0, 1));
      await identifiers.insertMany([
        { _id: 'email:l1@example.com', customerId: 'cus_l', updatedAt: t, holders: ['cus_l'] },
        { _id: 'email:lm@example.com', customerId: 'cus_m', updatedAt: t, holders: ['cus_l', 'cus_m'] },
        // Written before holders were kept: the owner answers.
        { _id: 'email:old@example.com', customerId: 'cus_l', updatedAt: t },
      ] as never[]);
      const migrated = new IdentifierIndexRepository(legacy);
      await migrated.onModuleInit();
      expect(await legacy.db?.collection('identifier_holdings').find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: 'cus_l', keys: ['email:l1@example.com', 'email:lm@example.com'], at: new Date(0), version: 0 },
        { _id: 'cus_m', keys: ['email:lm@example.com'], at: new Date(0), version: 0 },
      ]);
      expect((await identifiers.indexes()).map((i) => i['name'])).not.toContain('holders_1');
      expect(await migrated.migrateHoldings()).toBe(0);
      // cus_l drops the shared identifier: it is cus_m's alone, and the old-only entry still answers.
      await migrated.assign([snapshot('cus_l', [email('l1@example.com')], 5)]);
      expect(await migrated.lookup(email('lm@example.com'))).toEqual({ customerId: 'cus_m', holders: ['cus_m'] });
      expect(await migrated.lookup(email('l1@example.com'))).toEqual({ customerId: 'cus_l', holders: ['cus_l'] });
      expect(await migrated.lookup(email('old@example.com'))).toEqual({ customerId: 'cus_l' });
      await migrated.removeCustomer(['cus_l']);
      expect(await migrated.lookup(email('old@example.com'))).toEqual({});
      expect(await migrated.lookup(email('l1@example.com'))).toEqual({});
    } finally {
      await legacy.dropDatabase();
    }
  });
});
