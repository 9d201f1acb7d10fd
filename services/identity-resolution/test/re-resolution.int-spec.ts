import { deadLetterTopicName, topics } from '@o2o/contracts';
import { authHeader, expectEventually, uniqueId } from '@o2o/testing';
import { initialMatchParameters } from '../src/matching/domain';
import { ResolutionPlan } from '../src/resolution/domain/batch-resolver';
import { IdentityGraphRepository } from '../src/resolution/infrastructure/identity-graph.repository';
import { MatchParametersRepository } from '../src/resolution/infrastructure/match-parameters.repository';
import { GraphOutboxRelay } from '../src/resolution/interface/graph-outbox.relay';
import { changes, identityUnderTest, receivedEvent, survivorOf } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const CHANGES = topic(topics.identityChanges.name);
const DLQ = topic(deadLetterTopicName('identity-resolution'));

interface Explanation {
  customerId: string;
  identifiers: Array<{ type: string; value: string }>;
  history: Array<{ kind: string; reason: string; customerIds: string[] }>;
}

/**
 * Re-resolution against the real servers: a record linked early to the wrong customer moves by
 * itself when later evidence shows where it belongs, and everyone downstream hears of it as a
 * split of the customer it left followed by the merge that takes it on, in that order.
 */
describe('re-resolution (real Kafka, MongoDB, Redis)', () => {
  // No scheduled training: the test sets the parameters in force itself.
  const t = identityUnderTest(run, { env: { MATCHING_TRAINING_INTERVAL_MS: '0' }, spyOn: () => [EVENTS, CHANGES, DLQ] });
  const { sut } = t;

  const resolveInOrder = t.resolveInOrder;

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${sut.service.url}${path}`, {
      headers: await authHeader(path.startsWith('/v1/identities/') ? 'agent' : 'operator'),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  it('moves a record linked early to the customer later evidence shows it belongs to, with its identifiers, split then merged downstream', async () => {
    const parameters = sut.service.app.get(MatchParametersRepository);
    const p = uniqueId('rr-');
    const surname = `Smithers${p.slice(3, 9).replace(/[0-9]/g, (d) => 'abcdefghij'.charAt(Number(d)))}`;
    const home = {
      firstName: 'Jonathan',
      lastName: surname,
      address: { street: '12 Wattle Street', city: 'Carlton', postalCode: '3053', state: 'VIC' },
    };
    const initial = initialMatchParameters('initial');
    // Stage 1, under lax parameters: the son's kiosk record (no e-mail) joins his father's customer on name and address.
    await parameters.save({ ...initial, version: `${p}-lax`, thresholds: { autoMerge: -5, review: -10 } }, 0);
    const [father, kiosk] = await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${p}-f1`,
        traits: { ...home, birthday: '1961-11-23', email: `${p}.father@mail.org` },
      }),
      receivedEvent({ eventType: 'identify', anonymousId: `${p}-kiosk`, traits: { ...home, birthday: '2010-11-02' } }),
    );
    expect(kiosk).toBe(father);
    // Stage 2, under parameters that tell father and son apart: the son's own record contradicts the father's, so it is a customer of its own.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await parameters.save({ ...initial, version: `${p}-wary`, thresholds: { ...initial.thresholds, review: 0 } }, 0);
    const [son] = await resolveInOrder(
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${p}-s1`,
        traits: { ...home, birthday: '2010-11-02', email: `${p}.junior@mail.org` },
      }),
    );
    expect(son).not.toBe(father);
    // Stage 3: the father shows a loyalty card with his e-mail; the merge that follows makes the batch resolve the early record again.
    const [carded] = await resolveInOrder(
      receivedEvent({ eventType: 'identify', anonymousId: `${p}-card`, traits: { loyaltyCard: `${p}-L1` } }),
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${p}-card2`,
        traits: { email: `${p}.father@mail.org`, loyaltyCard: `${p}-L1` },
      }),
    );
    expect(carded).toBeDefined();

    const split = await expectEventually(() => {
      const found = sut.spy
        .on(CHANGES)
        .find(
          (m) =>
            (m.value as { type: string; data: { customerId?: string } }).type === 'customer.split' &&
            (m.value as { data: { customerId?: string } }).data.customerId === father,
        );
      if (found === undefined) throw new Error('no split published yet');
      return found;
    });
    const splitData = (
      split.value as {
        id: string;
        data: { parts: Array<{ customerId: string; identifiers: Array<{ type: string; value: string }> }>; reason: string };
      }
    ).data;
    const part = splitData.parts.find((candidate) => candidate.customerId !== father);
    expect(part?.identifiers).toEqual([{ type: 'anonymousId', value: `${p}-kiosk` }]);
    expect(splitData.reason).toMatch(/^re-resolved: scores/);
    expect(splitData.parts.find((candidate) => candidate.customerId === father)?.identifiers).toEqual(
      expect.arrayContaining([{ type: 'email', value: `${p}.father@mail.org` }]),
    );
    // The part's merge into the son's customer follows the split, on the same key (one partition, in order).
    // The spy may have read the split before the merge reached it: wait for the merge, then compare places.
    const { all, mergeAt } = await expectEventually(() => {
      const found = sut.spy.on(CHANGES);
      const at = found.findIndex(
        (m) =>
          (m.value as { type: string; data: { mergedId?: string } }).type === 'customer.merged' &&
          (m.value as { data: { mergedId?: string } }).data.mergedId === part?.customerId,
      );
      if (at < 0) throw new Error("the part's merge not published yet");
      return { all: found, mergeAt: at };
    });
    const splitAt = all.indexOf(split);
    expect(mergeAt).toBeGreaterThan(splitAt);
    expect(all[mergeAt]?.key).toBe(split.key);
    expect(survivorOf(sut.spy, CHANGES, part?.customerId ?? '')).toBe(survivorOf(sut.spy, CHANGES, son ?? ''));

    // Lookups, explain and the store agree: the kiosk visitor is the son now, and the father's customer says why it lost the record.
    const lookup = await get<{ customerId: string }>(`/v1/identities/anonymousId/${encodeURIComponent(`${p}-kiosk`)}`);
    expect(lookup.body.customerId).toBe(survivorOf(sut.spy, CHANGES, son ?? ''));
    const explained = await get<Explanation>(`/v1/customers/${survivorOf(sut.spy, CHANGES, father ?? '')}/explain`);
    expect(explained.body.identifiers.map((i) => i.value)).not.toContain(`${p}-kiosk`);
    expect(explained.body.history).toContainEqual(expect.objectContaining({ kind: 'moved', customerIds: [father, part?.customerId] }));
    const record = await t.mongo
      .db(sut.config.MONGO_DB)
      .collection('trait_records')
      .findOne({ 'linked.identifiers.value': `${p}-kiosk` });
    expect(record).toMatchObject({ customerId: part?.customerId, moves: 1 });
    // Nothing more split and nothing dead-lettered: checked once the spy has read all that was written.
    await sut.spy.waitUntilCaughtUp();
    expect(changes(sut.spy, CHANGES).filter((change) => change.type === 'customer.split')).toHaveLength(1);
    expect(sut.spy.on(DLQ)).toHaveLength(0);
    // Published, so out of the outbox.
    expect(
      await t.mongo
        .db(sut.config.MONGO_DB)
        .collection<{ _id: string }>('customers')
        .findOne({ _id: part?.customerId ?? '' }),
    ).toMatchObject({ moveAnnounced: true });
  }, 120000);

  it('publishes a move written but never published (a crash between the two) from the outbox, split before merge', async () => {
    const p = uniqueId('ob-');
    const at = new Date().toISOString();
    const [fromId, toId, partId] = [`cus_${p}-from`, `cus_${p}-to`, `cus_${p}-part`];
    const plan: ResolutionPlan = {
      newCustomers: [
        { id: fromId, createdAt: at },
        { id: toId, createdAt: at },
      ],
      newIdentifiers: [],
      merges: [
        {
          survivorId: toId,
          mergedId: partId,
          reason: 're-resolved: test',
          evidence: [],
          link: { rule: 'probabilistic:re-resolution', eventId: `ev-${p}`, at },
          members: [partId],
          separatedFrom: [],
        },
      ],
      memberLinks: [],
      newRecords: [],
      reviews: [],
      sharedIdentifiers: [],
      relations: [],
      marks: [],
      moves: [
        {
          recordId: `tr_${p}`,
          eventId: `ev-${p}`,
          fromId,
          partId,
          toId,
          identifiers: [{ type: 'anonymousId', value: `${p}-kiosk` }],
          reason: 're-resolved: test',
          support: 1,
          score: 9,
          at,
          moves: 1,
        },
      ],
      outcomes: [],
    };
    await sut.service.app.get(IdentityGraphRepository).write(plan);
    const relay = sut.service.app.get(GraphOutboxRelay);
    expect(await relay.relay(new Date(Date.now() + 60000))).toBe(1);
    const all = await expectEventually(() => {
      const found = sut.spy.on(CHANGES);
      if (!found.some((m) => (m.value as { data: { mergedId?: string } }).data.mergedId === partId)) throw new Error('not published yet');
      return found;
    });
    const splitAt = all.findIndex(
      (m) =>
        (m.value as { type: string; data: { customerId?: string } }).type === 'customer.split' &&
        (m.value as { data: { customerId?: string } }).data.customerId === fromId,
    );
    const mergeAt = all.findIndex((m) => (m.value as { data: { mergedId?: string } }).data.mergedId === partId);
    expect(splitAt).toBeGreaterThanOrEqual(0);
    expect(mergeAt).toBeGreaterThan(splitAt);
    expect((all[splitAt]?.value as { data: { parts: unknown[] } }).data.parts).toContainEqual({
      customerId: partId,
      identifiers: [{ type: 'anonymousId', value: `${p}-kiosk` }],
    });
    // Announced: the next pass has nothing to publish.
    expect(await relay.relay(new Date(Date.now() + 60000))).toBe(0);
  }, 60000);
});
