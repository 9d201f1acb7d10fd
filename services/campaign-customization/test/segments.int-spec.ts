import { randomBytes } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { startTelemetry, stopTelemetry } from '@o2o/observability';
import type { Connection } from 'mongoose';
import { ApplyProfileChangesHandler } from '../src/profiles/application/apply-profile-changes/apply-profile-changes.handler';
import { emptyState, type CustomerState } from '../src/profiles/domain/customer-state';
import { toDocument, type CustomerDocument } from '../src/profiles/infrastructure/customer-state.document';
import { CustomerStateRepository } from '../src/profiles/infrastructure/customer-state.repository';
import { CampaignTestKit, consentUpdated, customerMerged, expectEventually, topics, trackEvent, valueScored } from './campaign-test-kit';

/** Segment membership end to end: contract events in, segments.membership.v1 out, on real servers. */
describe('campaign-customization segments (real Kafka, MongoDB, Redis)', () => {
  const kit = new CampaignTestKit();
  const id = (name: string) => `${kit.run}-${name}`;

  beforeAll(async () => {
    await kit.start();
  });

  afterAll(async () => {
    await kit.stop();
  });

  it('enters and later exits a segment on profile changes, in order with increasing sequence', async () => {
    const c = id('c1');
    const t0 = Date.now();
    const scored = { ...valueScored(c, 'A', new Date(t0)), correlationid: `${c}-origin` };
    await kit.publish(topics.valueScores, [scored]);
    const [entered] = await kit.waitForMemberships(c, 1);
    expect(entered).toMatchObject({ customerId: c, segmentId: 'value-tier-a', segmentVersion: 1, change: 'entered', sequence: 1 });
    // The change names its cause, and carries the cause's correlation on.
    const envelope = kit.spy.on(kit.topic(topics.segmentMembership)).find((m) => m.key === c)?.value;
    expect(envelope).toMatchObject({ causationid: scored.id, correlationid: `${c}-origin` });
    await kit.publish(topics.valueScores, [valueScored(c, 'B', new Date(t0 + 1000))]);
    const changes = await kit.waitForMemberships(c, 2);
    expect(changes.map((m) => [m.segmentId, m.change, m.sequence])).toEqual([
      ['value-tier-a', 'entered', 1],
      ['value-tier-a', 'exited', 2],
    ]);
    expect(changes[1]?.reason).toContain('value.tier');
    // Published changes leave the outbox (by exact entry, without a version condition).
    const customers = kit.service.app.get(CustomerStateRepository);
    await expectEventually(async () => expect((await customers.find([c])).get(c)?.state.outbox).toEqual([]));
  });

  it("publishes a change left in the outbox (written, never published) under its cause's trace", async () => {
    const c = id('c-outbox');
    const traceId = randomBytes(16).toString('hex');
    const changedAt = new Date().toISOString();
    const state: CustomerState = {
      ...emptyState(c),
      sequence: 1,
      memberships: { 'value-tier-a': 1 },
      outbox: [
        {
          segmentId: 'value-tier-a',
          segmentVersion: 1,
          change: 'entered',
          reason: 'value.tier = A',
          changedAt,
          sequence: 1,
          causationId: `${c}-cause`,
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      ],
    };
    const customers = kit.service.app.get<Connection>(getConnectionToken()).collection<CustomerDocument>('customers');
    await customers.insertOne(toDocument(state, 1, new Date(Date.now() - 60_000)));
    // What the stale-outbox sweep does: a batch with nothing to apply, and no trace of its own.
    startTelemetry({ serviceName: 'campaign-customization-test' });
    try {
      await kit.service.app.get(ApplyProfileChangesHandler).execute([{ kind: 'flush', customerId: c }]);
    } finally {
      await stopTelemetry();
    }
    const [entered] = await kit.waitForMemberships(c, 1);
    expect(entered).toMatchObject({ segmentId: 'value-tier-a', change: 'entered', sequence: 1, changedAt });
    const published = kit.spy.on(kit.topic(topics.segmentMembership)).find((m) => m.key === c);
    expect(published?.value).toMatchObject({ causationid: `${c}-cause` });
    expect(published?.headers['traceparent']?.split('-')[1]).toBe(traceId);
  });

  it('changes nothing when input is redelivered', async () => {
    const c = id('c2');
    const first = trackEvent(c, 'Order Completed', { total: 10 });
    await kit.publish(topics.identityEvents, [first, first]);
    const second = trackEvent(c, 'Order Completed', { total: 20 });
    await kit.publish(topics.identityEvents, [second]);
    const [entered] = await kit.waitForMemberships(c, 1);
    expect(entered).toMatchObject({ segmentId: 'repeat-buyers-30d', change: 'entered', sequence: 1 });
    // The same two orders again (a redelivery), then a marker change: the marker must be sequence 2.
    await kit.publish(topics.identityEvents, [first, second, first]);
    await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
    const changes = await kit.waitForMemberships(c, 2);
    // The marker is on another topic than the orders, so it may have been applied first: wait until
    // every input is committed and every output read before checking nothing else changed.
    await kit.settled();
    expect(kit.memberships(c).map((m) => [m.segmentId, m.change, m.sequence])).toEqual([
      ['repeat-buyers-30d', 'entered', 1],
      ['value-tier-a', 'entered', 2],
    ]);
    expect(changes).toHaveLength(2);
  });

  it('publishes the compensating exit and entry of a merge', async () => {
    const survivor = id('s');
    const merged = id('m');
    await kit.publish(topics.valueScores, [valueScored(survivor, 'A')]);
    await kit.publish(topics.identityEvents, [trackEvent(merged, 'Order Completed'), trackEvent(merged, 'Order Completed')]);
    await kit.waitForMemberships(survivor, 1);
    await kit.waitForMemberships(merged, 1);
    await kit.publish(topics.identityChanges, [customerMerged(survivor, merged)]);
    const exits = await kit.waitForMemberships(merged, 2);
    expect(exits[1]).toMatchObject({ segmentId: 'repeat-buyers-30d', change: 'exited', sequence: 2 });
    expect(exits[1]?.reason).toContain(`merged into customer ${survivor}`);
    const entries = await kit.waitForMemberships(survivor, 2);
    expect(entries[1]).toMatchObject({ segmentId: 'repeat-buyers-30d', change: 'entered', sequence: 2 });
    expect(entries[1]?.reason).toContain(`carried over from merged customer ${merged}`);
    // A later event still carrying the merged id counts for the survivor.
    await kit.publish(topics.valueScores, [valueScored(survivor, 'B')]);
    await kit.waitForMemberships(survivor, 3);
    await kit.settled();
    expect(kit.memberships(merged)).toHaveLength(2);
  });

  it('removes a customer from the affected segments as soon as consent is withdrawn', async () => {
    const c = id('c5');
    await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
    await kit.waitForMemberships(c, 1);
    await kit.publish(topics.identityEvents, [consentUpdated(c, 'marketing', false)]);
    const changes = await kit.waitForMemberships(c, 2);
    expect(changes[1]).toMatchObject({ segmentId: 'value-tier-a', change: 'exited', sequence: 2 });
    expect(changes[1]?.reason).toContain('consent for marketing withdrawn');
  });

  it('rejects a bad segment rule with 400 and the reason', async () => {
    const bad = await kit.http('POST', '/v1/segments', {
      id: 'bad-rule',
      name: 'Bad',
      purpose: 'marketing',
      rule: { path: 'value.tier', op: 'gt', value: 'A' },
    });
    expect(bad.status).toBe(400);
    const error = bad.json['error'] as { code: string; issues: Array<{ field: string; message: string }> };
    expect(error.code).toBe('invalid_request');
    expect(error.issues.map((i) => i.field)).toContain('rule.op');
    const unknownPath = await kit.http('POST', '/v1/segments', {
      id: 'bad-path',
      name: 'Bad',
      purpose: 'marketing',
      rule: { path: 'value.colour', op: 'eq', value: 1 },
    });
    expect(unknownPath.status).toBe(400);
    expect(JSON.stringify(unknownPath.json)).toContain('unknown field');
  });

  it('back-fills a new segment over existing customers, then versions and deletes it', async () => {
    const c = id('bf');
    await kit.publish(topics.valueScores, [valueScored(c, 'B')]);
    await expectEventually(async () => {
      const probe = await kit.http('GET', '/v1/segments/value-tier-a');
      expect(probe.status).toBe(200);
    });
    // The customer is known once its document exists; wait on a change it does cause.
    await kit.publish(topics.identityEvents, [trackEvent(c, 'Order Completed'), trackEvent(c, 'Order Completed')]);
    await kit.waitForMemberships(c, 1);
    const created = await kit.http('POST', '/v1/segments', {
      id: `tier-b-${kit.run}`.toLowerCase(),
      name: 'Tier B',
      purpose: 'marketing',
      rule: { path: 'value.tier', op: 'eq', value: 'B' },
    });
    expect(created.status).toBe(201);
    const segmentId = created.json['id'] as string;
    const entered = await kit.waitForMemberships(c, 2);
    expect(entered[1]).toMatchObject({ segmentId, segmentVersion: 1, change: 'entered' });
    expect(entered[1]?.reason).toContain('segment definition changed');
    await expectEventually(async () => {
      const progress = await kit.http('GET', `/v1/segments/${segmentId}`);
      expect(progress.json['backfill']).toMatchObject({ status: 'done', version: 1 });
    });

    const renamed = await kit.http('PUT', `/v1/segments/${segmentId}`, {
      name: 'Tier B customers',
      purpose: 'marketing',
      rule: { path: 'value.tier', op: 'eq', value: 'B' },
    });
    expect(renamed.json['version']).toBe(1);
    const edited = await kit.http('PUT', `/v1/segments/${segmentId}`, {
      name: 'Tier B or C',
      purpose: 'marketing',
      rule: { path: 'value.tier', op: 'in', value: ['B', 'C'] },
    });
    expect(edited.status).toBe(200);
    expect(edited.json['version']).toBe(2);
    const versioned = await kit.waitForMemberships(c, 4);
    expect(versioned.slice(2).map((m) => [m.segmentId, m.segmentVersion, m.change])).toEqual([
      [segmentId, 1, 'exited'],
      [segmentId, 2, 'entered'],
    ]);

    const deleted = await kit.http('DELETE', `/v1/segments/${segmentId}`);
    expect(deleted.status).toBe(200);
    const exited = await kit.waitForMemberships(c, 5);
    expect(exited[4]).toMatchObject({ segmentId, segmentVersion: 2, change: 'exited', reason: 'segment removed' });
    expect(exited.map((m) => m.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect((await kit.http('GET', '/v1/segments')).json['segments']).not.toContainEqual(expect.objectContaining({ id: segmentId }));

    // The list comes in pages: page by page gives the same segments as one large page.
    const all = ((await kit.http('GET', '/v1/segments?limit=500&includeDeleted=true')).json['segments'] as Array<{ id: string }>).map(
      (x) => x.id,
    );
    expect(all.length).toBeGreaterThanOrEqual(2);
    const paged: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages <= all.length; pages++) {
      const answer = (
        await kit.http('GET', `/v1/segments?limit=1&includeDeleted=true${after ? `&after=${encodeURIComponent(after)}` : ''}`)
      ).json as { segments: Array<{ id: string }>; next?: string };
      expect(answer.segments.length).toBeLessThanOrEqual(1);
      paged.push(...answer.segments.map((x) => x.id));
      after = answer.next;
      if (after === undefined) break;
    }
    expect(paged).toEqual(all);
    expect((await kit.http('GET', '/v1/segments?limit=0')).status).toBe(400);
  });
});
