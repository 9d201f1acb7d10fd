import { topics } from '@o2o/contracts';
import { authHeader, expectEventually, uniqueId } from '@o2o/testing';
import { customerIdFor, legacyCustomerIdFor } from '../src/resolution/domain/identity-graph.model';
import type { CustomerDocument, IdentifierDocument } from '../src/resolution/application/ports/identity-graph.records';
import { changes, identityUnderTest, receivedEvent, resolvedCustomer } from './identity-graph.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const EVENTS = topic(topics.identityEvents.name);
const CHANGES = topic(topics.identityChanges.name);

/**
 * Customers stored under the unkeyed ids of before are renamed to keyed ids: the stored graph is
 * rewritten consistently and each rename goes out as a merge, which every other service folds.
 */
describe('customer id migration to keyed ids (real Kafka, MongoDB, Redis)', () => {
  const t = identityUnderTest(run, { spyOn: () => [EVENTS, CHANGES], timeoutMs: 120000 });
  const { sut } = t;

  const call = async <T>(
    method: 'GET' | 'POST',
    path: string,
    role: 'agent' | 'operator',
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${sut.service.url}${path}`, {
      method,
      headers: { ...(await authHeader(role)), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  it('renames legacy ids with their merged customers and split memories, publishes each as a merge, and is safe to run again', async () => {
    const db = t.mongo.db(sut.config.MONGO_DB);
    const u = uniqueId('legacy-u-');
    const v = uniqueId('legacy-v-');
    const w = uniqueId('legacy-w-');
    // As the unkeyed version stored them: L (from userId u) with M (from device v) merged into it,
    // and K (from userId w), once split from L.
    const L = legacyCustomerIdFor({ type: 'userId', value: u });
    const M = legacyCustomerIdFor({ type: 'anonymousId', value: v });
    const K = legacyCustomerIdFor({ type: 'userId', value: w });
    const at = new Date('2025-06-01T00:00:00.000Z');
    const evidence = { rule: 'deterministic:first-seen', eventId: 'legacy', at: at.toISOString() };
    const customer = (id: string, extra: Partial<CustomerDocument> = {}): CustomerDocument => ({
      _id: id,
      createdAt: at,
      mergedIds: [],
      members: [id],
      separatedFrom: [],
      history: [],
      ...extra,
    });
    await db.collection<CustomerDocument>('customers').insertMany([
      customer(L, { mergedIds: [M], members: [L, M] }),
      customer(M, {
        mergedInto: L,
        mergeAnnounced: true,
        merge: { survivorId: L, reason: 'shared e-mail', evidence: [], link: { ...evidence, rule: 'deterministic:email' }, at },
      }),
      customer(K, { separatedFrom: [L] }),
    ]);
    const identifier = (type: string, value: string, owner: string, origin: string): IdentifierDocument => ({
      _id: `${type}:${value}`,
      type,
      value,
      unique: true,
      customerId: owner,
      originCustomerId: origin,
      firstSeenAt: at,
      evidence,
    });
    await db
      .collection<IdentifierDocument>('identifiers')
      .insertMany([
        identifier('userId', u, L, L),
        identifier('email', `${u}@legacy.example`, L, L),
        identifier('anonymousId', v, L, M),
        identifier('userId', w, K, K),
      ]);

    const newL = customerIdFor({ type: 'userId', value: u }, sut.config.PRIVACY_PSEUDONYM_KEY);
    const newK = customerIdFor({ type: 'userId', value: w }, sut.config.PRIVACY_PSEUDONYM_KEY);
    expect(newL).not.toBe(L);

    // Walked page by page (a page of one) until no next; only an operator may.
    expect((await call('POST', '/v1/customers/id-migration', 'agent', {})).status).toBe(403);
    let renamed = 0;
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages += 1) {
      const answer = await call<{ examined: number; renamed: number; next?: string }>('POST', '/v1/customers/id-migration', 'operator', {
        limit: 1,
        ...(after ? { after } : {}),
      });
      expect(answer.status).toBe(200);
      renamed += answer.body.renamed;
      after = answer.body.next;
      if (after === undefined) break;
    }
    expect(after).toBeUndefined();
    expect(renamed).toBe(2);

    // The graph, rewritten: identifiers, the merged customer and the split memory follow the new ids.
    const owners = await db
      .collection<IdentifierDocument>('identifiers')
      .find({ _id: { $in: [`userId:${u}`, `email:${u}@legacy.example`, `anonymousId:${v}`, `userId:${w}`] } })
      .toArray();
    expect(Object.fromEntries(owners.map((i) => [i._id, i.customerId]))).toEqual({
      [`userId:${u}`]: newL,
      [`email:${u}@legacy.example`]: newL,
      [`anonymousId:${v}`]: newL,
      [`userId:${w}`]: newK,
    });
    const stored = new Map(
      (
        await db
          .collection<CustomerDocument>('customers')
          .find({ _id: { $in: [L, M, K, newL, newK] } })
          .toArray()
      ).map((c) => [c._id, c]),
    );
    expect(stored.get(L)).toMatchObject({ mergedInto: newL, mergeAnnounced: true });
    expect(stored.get(M)?.mergedInto).toBe(newL);
    expect(stored.get(newL)).toMatchObject({ mergedIds: [M], members: [newL, M] });
    expect(stored.get(newL)?.createdAt.toISOString()).toBe(at.toISOString());
    expect(stored.get(newK)?.separatedFrom).toEqual(expect.arrayContaining([newL]));

    // Published as merges, which every other service folds.
    await expectEventually(() => {
      const merges = changes(sut.spy, CHANGES).filter(
        (c) => c.type === 'customer.merged' && c.data.reason?.startsWith('customer id migration'),
      );
      expect(merges.map((c) => [c.data.mergedId, c.data.survivorId]).sort()).toEqual(
        [
          [K, newK],
          [L, newL],
        ].sort(),
      );
    });

    // Lookups and new events find the new id; nothing computable from the e-mail answers any more.
    expect(
      (await call<{ customerId: string }>('GET', `/v1/identities/email/${encodeURIComponent(`${u}@legacy.example`)}`, 'agent')).body
        .customerId,
    ).toBe(newL);
    const later = receivedEvent({ eventType: 'track', anonymousId: v, event: 'Came Back' });
    await t.feed.send([{ event: later }]);
    await expectEventually(() => expect(resolvedCustomer(sut.spy, EVENTS, later)).toBe(newL));

    // A split undoes the merge of M, never the rename.
    const split = await call<{ parts: Array<{ customerId: string }> }>('POST', `/v1/customers/${newL}/split`, 'operator', {
      reason: 'test',
    });
    expect(split.status).toBe(200);
    expect(split.body.parts.map((p) => p.customerId)).toEqual([newL, M]);

    // Split off, M stands on its own under its unkeyed id: the next run renames it, then nothing is left.
    const again = await call<{ renamed: number; republished: number }>('POST', '/v1/customers/id-migration', 'operator', { limit: 1000 });
    expect(again.body).toMatchObject({ renamed: 1, republished: 0 });
    expect(
      (await call<{ customerId: string }>('GET', `/v1/identities/anonymousId/${encodeURIComponent(v)}`, 'agent')).body.customerId,
    ).toBe(customerIdFor({ type: 'anonymousId', value: v }, sut.config.PRIVACY_PSEUDONYM_KEY));
    const last = await call<{ renamed: number; republished: number }>('POST', '/v1/customers/id-migration', 'operator', { limit: 1000 });
    expect(last.body).toMatchObject({ renamed: 0, republished: 0 });
  }, 120000);
});
