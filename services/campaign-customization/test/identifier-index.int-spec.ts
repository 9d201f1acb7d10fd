import mongoose, { Connection } from 'mongoose';
import type { IdentifierV1 } from '@o2o/contracts';
import { testEnvironment, uniqueId } from '@o2o/testing';
import { IdentifierIndexRepository } from '../src/profiles/infrastructure/identifier-index.repository';

const run = uniqueId();
const env = testEnvironment(run, 'campaign-identifier-index');

const email = (value: string): IdentifierV1 => ({ type: 'email', value }) as IdentifierV1;
const snapshot = (customerId: string, identifiers: IdentifierV1[], at: number) => ({ customerId, identifiers, updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, at)).toISOString() });

/** The identifier index on a real database: it follows the snapshots and writes only what changed. */
describe('IdentifierIndexRepository (real MongoDB)', () => {
  let connection: Connection;
  let index: IdentifierIndexRepository;
  /** Write commands (insert, update, delete) the repository sent since the last reset. */
  let writes: string[] = [];

  beforeAll(async () => {
    connection = await mongoose.createConnection(env['MONGO_URL'] ?? '', { dbName: env['MONGO_DB'] ?? '', monitorCommands: true }).asPromise();
    connection.getClient().on('commandStarted', (event) => {
      if (['insert', 'update', 'delete'].includes(event.commandName)) writes.push(event.commandName);
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
    await index.assign([snapshot('cus_e', [email('e1@example.com'), email('e2@example.com')], 5), snapshot('cus_e', [email('e1@example.com')], 4), snapshot('cus_f', [email('e2@example.com')], 6)]);
    expect(await index.lookup(email('e1@example.com'))).toEqual({ customerId: 'cus_e', holders: ['cus_e'] });
    expect(await index.lookup(email('e2@example.com'))).toEqual({ customerId: 'cus_f', holders: ['cus_e', 'cus_f'] });
  });
});
