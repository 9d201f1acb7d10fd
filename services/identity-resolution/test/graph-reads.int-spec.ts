import { getConnectionToken } from '@nestjs/mongoose';
import { topics } from '@o2o/contracts';
import { expectEventually, uniqueId } from '@o2o/testing';
import type { Connection } from 'mongoose';
import type { IdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { IDENTITY_CONFIG } from '../src/identity.tokens';
import { asSegmentEvent, resolverSettings } from '../src/resolution/application/resolve-events/resolve-events.handler';
import { lookupsFor } from '../src/resolution/domain/batch-resolver';
import { IdentityGraphRepository } from '../src/resolution/infrastructure/identity-graph.repository';
import { IdentityRulesProvider } from '../src/resolution/infrastructure/identity-rules.provider';
import { MatchParametersRepository } from '../src/resolution/infrastructure/match-parameters.repository';
import { identityUnderTest, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const EVENTS = `${run}.${topics.identityEvents.name}`;

/**
 * What a batch reads before planning, on the real database: the identifiers and blocking keys it
 * names, then, in one round, the trait records and the customers the identifiers name with their
 * identifiers. A third round only for customers named by records alone or reached by a merge.
 */
describe('identity graph: a batch read in two rounds (real Kafka, MongoDB, Redis)', () => {
  const t = identityUnderTest(run, { env: { MATCHING_TRAINING_INTERVAL_MS: '0' }, spyOn: () => [EVENTS] });
  const { sut } = t;

  it('loads the customers its identifiers name, their identifiers and their records in two rounds of reads', async () => {
    const p = uniqueId('gr-');
    const surname = `Grayling${p.slice(3, 9).replace(/[0-9]/g, (d) => 'abcdefghij'.charAt(Number(d)))}`;
    const traits = (first: string, email: string) => ({
      firstName: first,
      lastName: surname,
      email,
      address: { street: '3 Quarry Lane', city: 'Ballarat', postalCode: '3350', state: 'VIC' },
    });
    const first = receivedEvent({ eventType: 'identify', userId: `${p}-u1`, traits: traits('Ada', `${p}.ada@mail.org`) });
    const second = receivedEvent({ eventType: 'identify', userId: `${p}-u2`, traits: traits('Brendan', `${p}.bren@mail.org`) });
    await t.feed.send([{ event: first }, { event: second }]);
    const [ada, bren] = await expectEventually(() => {
      const ids = [resolvedCustomer(sut.spy, EVENTS, first), resolvedCustomer(sut.spy, EVENTS, second)];
      if (ids.some((id) => id === undefined)) throw new Error('not resolved yet');
      return ids as [string, string];
    });
    expect(ada).not.toBe(bren);

    // A batch naming Ada by her user id and Brendan by his e-mail, with the same surname and address.
    const batch = [
      receivedEvent({ eventType: 'identify', userId: `${p}-u1`, traits: traits('Ada', `${p}.ada@mail.org`) }),
      receivedEvent({ eventType: 'identify', anonymousId: `${p}-a3`, traits: traits('Brendan', `${p}.bren@mail.org`) }),
    ].map((event) => ({ id: event.id, time: event.data.timestamp, data: asSegmentEvent(event) }));
    const config = sut.service.app.get<IdentityResolutionConfig>(IDENTITY_CONFIG);
    const settings = resolverSettings(
      config,
      sut.service.app.get(IdentityRulesProvider).current(),
      await sut.service.app.get(MatchParametersRepository).current(),
    );
    const graph = sut.service.app.get(IdentityGraphRepository);
    const load = () => graph.loadBatch(lookupsFor(batch, settings), config.MATCHING_MAX_BLOCK_SIZE);
    await load(); // the connection pool grows to the round's width

    // A round: commands started while none of the batch's commands is in flight begin a new one.
    const client = sut.service.app.get<Connection>(getConnectionToken()).getClient();
    const database = config.MONGO_DB;
    const inFlight = new Set<number>();
    const rounds: string[][] = [];
    const started = (event: { requestId: number; databaseName: string; commandName: string; command: Record<string, unknown> }) => {
      if (event.databaseName !== database || event.commandName !== 'find') return;
      if (inFlight.size === 0) rounds.push([]);
      inFlight.add(event.requestId);
      rounds[rounds.length - 1]?.push(String(event.command['find']));
    };
    const ended = (event: { requestId: number }) => void inFlight.delete(event.requestId);
    client.on('commandStarted', started);
    client.on('commandSucceeded', ended);
    client.on('commandFailed', ended);
    let loaded: Awaited<ReturnType<typeof load>>;
    try {
      loaded = await load();
    } finally {
      client.off('commandStarted', started);
      client.off('commandSucceeded', ended);
      client.off('commandFailed', ended);
    }

    expect(rounds.map((round) => [...round].sort())).toEqual([
      ['blocking_index', 'identifiers'],
      ['customers', 'identifiers', 'trait_records', 'trait_records'],
    ]);
    expect([...loaded.state.customers.keys()].sort()).toEqual([ada, bren].sort());
    // Identifiers the batch does not carry come with their customers: Ada's e-mail, Brendan's user id.
    expect(loaded.state.identifiersOf(ada).map((i) => i.type)).toContain('email');
    expect(loaded.state.identifiersOf(bren).map((i) => i.type)).toContain('userId');
    expect([...loaded.state.records.values()].map((r) => r.customerId).sort()).toEqual([ada, bren].sort());
  });
});
