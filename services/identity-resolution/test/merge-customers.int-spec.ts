import { topics } from '@o2o/contracts';
import { authHeader, expectEventually, TopicSpy, uniqueId } from '@o2o/testing';

type Role = Parameters<typeof authHeader>[0];
import { changes, identityUnderTest, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const CHANGES = topic(topics.identityChanges.name);
const SNAPSHOTS = topic(topics.identitySnapshots.name);

interface ErrorBody {
  success: false;
  error: { code: string; message: string; issues?: Array<{ field: string }>; customerId?: string; type?: string; max?: number };
}
interface PublishedChange {
  id: string;
  type: string;
  data: { mergedId?: string };
}
interface Explanation {
  customerId: string;
  merges: Array<{ mergedId: string; survivorId: string; reason: string; link: { rule: string; eventId: string } }>;
  separatedFrom: string[];
  history: Array<{ kind: string; reason: string; customerIds: string[] }>;
}

/**
 * An operator merges two customers by hand (POST /v1/customers/{id}/merge): the same merge
 * events downstream as an automatic merge, recorded and explained, refused with a clear error
 * when it cannot be done, and undone by the split.
 */
describe('merge customers by hand (identity-resolution, real Kafka, MongoDB, Redis)', () => {
  const ctx = identityUnderTest(run, { spyOn: () => [EVENTS, CHANGES, SNAPSHOTS] });
  const service = () => ctx.sut.service;
  const spy = (): TopicSpy => ctx.sut.spy;

  const call = async <T>(method: 'GET' | 'POST', path: string, role: Role, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${service().url}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(await authHeader(role)) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const lookup = async (type: string, value: string) =>
    (await call<{ customerId: string }>('GET', `/v1/identities/${type}/${encodeURIComponent(value)}`, 'agent')).body.customerId;

  async function resolve(event: ReturnType<typeof receivedEvent>): Promise<string> {
    await ctx.feed.send([{ event }]);
    return expectEventually(() => resolvedCustomer(spy(), EVENTS, event) ?? Promise.reject(new Error(`${event.id} not resolved yet`)));
  }

  it('merges two customers an operator declares one person, explains it, and the split undoes it', async () => {
    const t = uniqueId('op-');
    const older = await resolve(
      receivedEvent({ eventType: 'identify', userId: `${t}-a`, traits: { email: `${t}@mail.org` }, timestamp: '2024-01-01T00:00:00.000Z' }),
    );
    const younger = await resolve(
      receivedEvent({
        eventType: 'identify',
        anonymousId: `${t}-device`,
        traits: { loyaltyCard: `${t}-card` },
        timestamp: '2024-02-01T00:00:00.000Z',
      }),
    );
    const otherUser = await resolve(receivedEvent({ eventType: 'identify', userId: `${t}-c`, timestamp: '2024-03-01T00:00:00.000Z' }));
    expect(younger).not.toBe(older);

    // Bad input, unknown customers and the wrong scope change nothing.
    const empty = await call<ErrorBody>('POST', `/v1/customers/${younger}/merge`, 'operator', {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.issues?.map((i) => i.field).sort()).toEqual(['customerId', 'reason']);
    const unknown = await call<ErrorBody>('POST', `/v1/customers/${younger}/merge`, 'operator', {
      customerId: `cus_${t}-nobody`,
      reason: 'same person',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('customer_not_found');
    const agent = await call<ErrorBody>('POST', `/v1/customers/${younger}/merge`, 'agent', { customerId: older, reason: 'same person' });
    expect(agent.status).toBe(403);
    // One customer may hold one userId: its later events would all be refused, so the merge is.
    const twoUsers = await call<ErrorBody>('POST', `/v1/customers/${otherUser}/merge`, 'operator', { customerId: older, reason: 'x' });
    expect(twoUsers.status).toBe(409);
    expect(twoUsers.body.error).toMatchObject({ code: 'identifier_limit_exceeded', type: 'userId', max: 1 });
    expect(await lookup('userId', `${t}-c`)).toBe(otherUser);
    expect(await lookup('loyaltyCard', `${t}-card`)).toBe(younger);

    // The merge: asked on the younger one, the older one survives.
    const merged = await call<{ customerId: string; mergedId: string }>('POST', `/v1/customers/${younger}/merge`, 'operator', {
      customerId: older,
      reason: 'same person, confirmed on the phone',
    });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ customerId: older, mergedId: younger });
    const event = await expectEventually(() => {
      const found = spy()
        .on(CHANGES)
        .find((m) => {
          const change = m.value as PublishedChange;
          return change.type === 'customer.merged' && change.data.mergedId === younger;
        });
      if (found === undefined) throw new Error('merge not published yet');
      return found;
    });
    expect(event.key).toBe(older);
    expect(event.value).toMatchObject({
      id: expect.stringMatching(new RegExp(`^merge:${younger}:${older}:operator:`)),
      subject: older,
      data: { survivorId: older, mergedId: younger, reason: 'merged by an operator: same person, confirmed on the phone', evidence: [] },
    });
    // Downstream state as for any merge: the survivor's snapshot lists the merged id, the merged one's key is tombstoned.
    await expectEventually(() => {
      const snapshots = spy().on(SNAPSHOTS);
      expect(
        snapshots.some(
          (m) => m.key === older && (m.value as { data?: { mergedIds?: string[] } } | null)?.data?.mergedIds?.includes(younger),
        ),
      ).toBe(true);
      expect(snapshots.some((m) => m.key === younger && m.value === null)).toBe(true);
    });
    expect(await lookup('loyaltyCard', `${t}-card`)).toBe(older);
    // Later events carrying the merged customer's identifiers resolve to the survivor.
    expect(await resolve(receivedEvent({ eventType: 'track', anonymousId: `${t}-device`, event: 'Product Viewed' }))).toBe(older);

    const explained = await call<Explanation>('GET', `/v1/customers/${younger}/explain`, 'operator');
    expect(explained.body.customerId).toBe(older);
    expect(explained.body.merges).toEqual([
      expect.objectContaining({
        mergedId: younger,
        survivorId: older,
        reason: 'merged by an operator: same person, confirmed on the phone',
        link: expect.objectContaining({ rule: 'operator:merged', eventId: expect.stringMatching(/^operator-merge:/) }),
      }),
    ]);
    expect(explained.body.history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'operator-merged',
          reason: 'merged by an operator: same person, confirmed on the phone',
          customerIds: [older, younger],
        }),
      ]),
    );

    // Asked again: already one customer, nothing published twice.
    const again = await call<ErrorBody>('POST', `/v1/customers/${older}/merge`, 'operator', { customerId: younger, reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'already_one_customer', customerId: older });

    // Undone by the existing split.
    const split = await call<{ parts: Array<{ customerId: string }> }>('POST', `/v1/customers/${older}/split`, 'operator', {
      customerIds: [younger],
      reason: 'merged by mistake',
    });
    expect(split.status).toBe(200);
    expect(split.body.parts.map((p) => p.customerId)).toEqual([older, younger]);
    await expectEventually(() =>
      expect(changes(spy(), CHANGES).some((c) => c.type === 'customer.split' && c.data.customerId === older)).toBe(true),
    );
    expect(await lookup('loyaltyCard', `${t}-card`)).toBe(younger);
    expect(await lookup('email', `${t}@mail.org`)).toBe(older);
    expect((await call<Explanation>('GET', `/v1/customers/${older}/explain`, 'operator')).body.separatedFrom).toContain(younger);

    // A person may join them again: a new fact with an event id of its own.
    const rejoined = await call<{ customerId: string; mergedId: string }>('POST', `/v1/customers/${older}/merge`, 'operator', {
      customerId: younger,
      reason: 'the same person after all',
    });
    expect(rejoined.body).toEqual({ customerId: older, mergedId: younger });
    await expectEventually(() => {
      const ids = spy()
        .on(CHANGES)
        .map((m) => m.value as PublishedChange)
        .filter((c) => c.type === 'customer.merged' && c.data.mergedId === younger)
        .map((c) => c.id);
      expect(new Set(ids).size).toBe(2);
    });
    expect((await call<Explanation>('GET', `/v1/customers/${older}/explain`, 'operator')).body.separatedFrom).not.toContain(younger);
  }, 180000);
});
