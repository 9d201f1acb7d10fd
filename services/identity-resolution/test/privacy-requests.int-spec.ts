import { RunningService, startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, uniqueId } from '@o2o/testing';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { PrivacyRepository } from '../src/privacy/infrastructure/privacy.repository';

/** Export parts live only until the export is served; one that comes later is not stored at all. */
describe('privacy requests: export parts (real MongoDB)', () => {
  const run = uniqueId();
  let service: RunningService;
  let config: IdentityResolutionConfig;

  beforeAll(async () => {
    config = loadIdentityResolutionConfig(testEnvironment(run, 'identity-resolution'));
    service = await startService(identityResolutionService, config, 0);
    await service.transport.whenJoined();
  }, 120000);

  afterAll(async () => {
    await service?.app.close();
  });

  it('keeps parts until served and discards a part that arrives after, still recording its answer', async () => {
    const requests = service.app.get(PrivacyRepository);
    const requestId = uniqueId('export-');
    // Stored directly, its outbox entry marked published: the test is about parts, not the request's event.
    await requests.create(
      {
        _id: requestId,
        kind: 'export',
        customerId: 'cus_x',
        customerPseudonym: 'p',
        expectedServices: ['value-scoring', 'needs-profiling'],
        requestedAt: new Date(),
      },
      { key: 'cus_x', event: {} },
    );
    await requests.published([requestId]);
    await requests.answer(requestId, 'value-scoring', { at: new Date().toISOString() }, { purchases: 3 });
    expect((await requests.get(requestId))?.parts).toEqual({ 'value-scoring': { purchases: 3 } });

    await requests.dropParts(requestId);
    await requests.answer(requestId, 'needs-profiling', { at: new Date().toISOString() }, { stage: 'loyalty', facts: ['late'] });
    const after = await requests.get(requestId);
    expect(after?.parts).toEqual({});
    expect(after?.customerId).toBeUndefined();
    expect(Object.keys(after?.acknowledgements ?? {}).sort()).toEqual(['needs-profiling', 'value-scoring']);
    expect(after?.status).toBe('completed');
  }, 60000);

  it('exports without holding the call open: 202, then the document once every service answered, then gone', async () => {
    // A customer as the graph stores it.
    const customerId = uniqueId('cus_export');
    const userId = uniqueId('export-user-');
    const mongo = await MongoClient.connect(config.MONGO_URL);
    try {
      const at = new Date();
      await mongo
        .db(config.MONGO_DB)
        .collection('customers')
        .insertOne({ _id: customerId as never, createdAt: at, mergedIds: [], members: [customerId], separatedFrom: [], history: [] });
      await mongo
        .db(config.MONGO_DB)
        .collection('identifiers')
        .insertOne({
          _id: `userId:${userId}` as never,
          type: 'userId',
          value: userId,
          unique: true,
          customerId,
          originCustomerId: customerId,
          firstSeenAt: at,
          evidence: { rule: 'deterministic:first-seen', eventId: 'e', at: at.toISOString() },
        });
    } finally {
      await mongo.close();
    }
    const officer = await authHeader('privacy-officer');
    const started = await fetch(`${service.url}/v1/privacy/customers/userId/${encodeURIComponent(userId)}/export`, {
      method: 'POST',
      headers: officer,
    });
    expect(started.status).toBe(202);
    const { requestId, documentUrl } = (await started.json()) as { requestId: string; documentUrl: string };
    expect(documentUrl).toBe(`/v1/privacy/requests/${requestId}/export`);
    expect((await fetch(`${service.url}${documentUrl}`, { headers: await authHeader('agent') })).status).toBe(403);

    // Identity answers through the privacy topics by itself; the other services are not running here.
    const pending = await fetch(`${service.url}${documentUrl}`, { headers: officer });
    expect(pending.status).toBe(202);
    expect(((await pending.json()) as { waitingFor: string[] }).waitingFor).toEqual(
      expect.arrayContaining(['value-scoring', 'campaign-customization']),
    );
    const requests = service.app.get(PrivacyRepository);
    for (const other of config.PRIVACY_SERVICES.filter((s) => s !== 'identity-resolution'))
      await requests.answer(requestId, other, { at: new Date().toISOString() }, { from: other });

    const document = await expectEventually(async () => {
      const response = await fetch(`${service.url}${documentUrl}`, { headers: officer });
      expect(response.status).toBe(200);
      return (await response.json()) as { customerId: string; services: Record<string, unknown>; missing: string[] };
    });
    expect(document.customerId).toBe(customerId);
    expect(document.missing).toEqual([]);
    expect(Object.keys(document.services).sort()).toEqual([...config.PRIVACY_SERVICES].sort());
    expect(JSON.stringify(document.services['identity-resolution'])).toContain(userId);
    // Served once: nothing is kept to serve again.
    expect((await fetch(`${service.url}${documentUrl}`, { headers: officer })).status).toBe(410);
    expect((await requests.get(requestId))?.parts).toEqual({});
    expect((await fetch(`${service.url}/v1/privacy/requests/no-such/export`, { headers: officer })).status).toBe(404);
  }, 60000);
});
