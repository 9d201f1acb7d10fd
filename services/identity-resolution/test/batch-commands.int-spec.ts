import { getConnectionToken } from '@nestjs/mongoose';
import { context } from '@opentelemetry/api';
import { topics } from '@o2o/contracts';
import { uniqueId } from '@o2o/testing';
import type { Connection } from 'mongoose';
import type { IdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../src/identity.tokens';
import { ReceivedEvent, ResolveEventsHandler } from '../src/resolution/application/resolve-events/resolve-events.handler';
import { identityUnderTest, receivedEvent } from './identity-graph.helpers';

const run = uniqueId();
const EVENTS = `${run}.${topics.identityEvents.name}`;

/**
 * The database commands one batch call sends, on the real database, by number and kind: the
 * issue 19 budget of identity-resolution's hot path, so that a read or write added to it fails
 * here. The call is the consumer's (ResolveEventsHandler.execute, publish included) on a batch
 * chosen by the test; the background jobs that would send commands of their own are off.
 */
describe('identity resolution: the database commands of one batch (real Kafka, MongoDB, Redis)', () => {
  const t = identityUnderTest(run, {
    env: { MATCHING_TRAINING_INTERVAL_MS: '0', GRAPH_OUTBOX_RELAY_MS: '0', PRIVACY_OUTBOX_RELAY_MS: '0' },
    spyOn: () => [EVENTS],
  });
  const { sut } = t;
  const p = uniqueId('bc-');
  let offset = 0;
  const received = (event: ReturnType<typeof receivedEvent>): ReceivedEvent => ({
    event,
    trace: context.active(),
    partition: 0,
    offset: String((offset += 1)),
  });
  /**
   * People seen for the first time: a user id, an e-mail and a name each. No two share a blocking
   * key (the names' phonetic codes differ by the first letter of one name or the other), so a
   * batch finds only the records the test put under its keys.
   */
  const surnames: Record<string, string> = { w: 'Kilbury', a: 'Lilbury', k: 'Milbury', m: 'Nilbury', n: 'Pilbury', r: 'Rilbury' };
  const newPeople = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      receivedEvent({
        eventType: 'identify',
        userId: `${p}-${tag}${i}`,
        traits: { firstName: `${'BCDFGHJ'.charAt(i)}ardo`, lastName: surnames[tag], email: `${p}.${tag}${i}@mail.org` },
      }),
    );
  const visits = (userIds: readonly string[]) => userIds.map((userId) => receivedEvent({ eventType: 'track', event: 'Viewed', userId }));

  /** The commands `work` sends to the service's database, as "command collection", in order. */
  const commandsOf = async (work: () => Promise<unknown>): Promise<string[]> => {
    const config = sut.service.app.get<IdentityResolutionConfig>(IDENTITY_CONFIG);
    const client = sut.service.app.get<Connection>(getConnectionToken()).getClient();
    const commands: string[] = [];
    const started = (e: { databaseName: string; commandName: string; command: Record<string, unknown> }) => {
      if (e.databaseName === config.MONGO_DB) commands.push(`${e.commandName} ${String(e.command[e.commandName])}`);
    };
    client.on('commandStarted', started);
    try {
      await work();
    } finally {
      client.off('commandStarted', started);
    }
    return commands;
  };
  const resolve = (events: ReturnType<typeof receivedEvent>[]) => () =>
    sut.service.app.get(ResolveEventsHandler).execute(events.map(received));

  it('new people: two reads, one insert per collection, one read for the snapshots; nothing read twice', async () => {
    await commandsOf(resolve(newPeople('w', 1))); // the match parameters are read once, on the first call
    const commands = await commandsOf(resolve(newPeople('a', 6)));
    expect(commands.slice(0, 2).sort()).toEqual(['find blocking_index', 'find identifiers']);
    // Before: a find before each insert (which documents exist) and, after them, a find of the
    // identifiers' owners and one of the blocking keys' postings (the race check).
    expect(commands.slice(2, 6)).toEqual(['insert customers', 'insert identifiers', 'insert trait_records', 'insert blocking_index']);
    expect(commands.slice(-2).sort()).toEqual(['find customers', 'find identifiers']);
    expect(commands.filter((c) => c.startsWith('find'))).toHaveLength(4);
    expect(commands.filter((c) => !c.startsWith('find') && !c.startsWith('insert'))).toEqual([]);
  });

  it('known people: their identifiers, customers and identifiers held, then the snapshots; nothing written', async () => {
    const people = newPeople('k', 4);
    await commandsOf(resolve(people));
    const commands = await commandsOf(resolve(visits(people.map((e) => e.data.userId ?? ''))));
    expect(commands[0]).toBe('find identifiers');
    expect(commands.slice(1, 3).sort()).toEqual(['find customers', 'find identifiers']);
    expect(commands.slice(3).sort()).toEqual(['find customers', 'find identifiers']);
  });

  it('N new and M known people in one batch: the same commands as the new ones alone, plus the known customers in the read round', async () => {
    const known = newPeople('m', 3);
    await commandsOf(resolve(known));
    const commands = await commandsOf(resolve([...newPeople('n', 5), ...visits(known.map((e) => e.data.userId ?? ''))]));
    const count = (kind: string) => commands.filter((c) => c === kind).length;
    expect(count('find identifiers')).toBe(3); // by _id; of the known customers; for the snapshots
    expect(count('find customers')).toBe(2); // the known customers; for the snapshots
    expect(count('find blocking_index')).toBe(1);
    for (const collection of ['customers', 'identifiers', 'trait_records', 'blocking_index']) expect(count(`insert ${collection}`)).toBe(1);
    expect(commands.filter((c) => !/^(find|insert) /.test(c))).toEqual([]);
    expect(commands.length).toBeLessThanOrEqual(12);
  });

  it('anonymous visitors (a bounded identifier type): no read of how many the new customers hold', async () => {
    const anonymous = Array.from({ length: 4 }, (_, i) => receivedEvent({ eventType: 'page', anonymousId: `${p}-anon${i}` }));
    const commands = await commandsOf(resolve(anonymous));
    expect(commands).toEqual(['find identifiers', 'insert customers', 'insert identifiers', ...['find identifiers', 'find customers']]);
  });

  it('a batch resolved again (a redelivery) writes nothing', async () => {
    const people = newPeople('r', 3);
    await commandsOf(resolve(people));
    const commands = await commandsOf(resolve(people));
    expect(commands.filter((c) => !c.startsWith('find'))).toEqual([]);
  });

  it('a batch whose write was cut short after its customers: resolved again, the insert refused falls back to a read and the rest is written', async () => {
    const people = newPeople('s', 2);
    await commandsOf(resolve(people));
    const config = sut.service.app.get<IdentityResolutionConfig>(IDENTITY_CONFIG);
    const identifiers = t.mongo.db(config.MONGO_DB).collection<{ _id: string; customerId: string }>('identifiers');
    const emails = people.map((e) => `email:${String(e.data.traits?.['email'])}`);
    const owners = new Map((await identifiers.find({ _id: { $in: emails } }).toArray()).map((d) => [d._id, d.customerId]));
    expect(owners.size).toBe(2);
    // As if the first write had stopped after inserting the customers.
    await identifiers.deleteMany({ customerId: { $in: [...owners.values()] } });

    const commands = await commandsOf(resolve(people));
    // The customers exist (E11000): which of them, one read; none is inserted again.
    expect(commands.slice(commands.indexOf('insert customers'), commands.indexOf('insert customers') + 3)).toEqual([
      'insert customers',
      'find customers',
      'insert identifiers',
    ]);
    const again = new Map((await identifiers.find({ _id: { $in: emails } }).toArray()).map((d) => [d._id, d.customerId]));
    expect(again).toEqual(owners);
  });
});
