import { createEnvelope } from '@o2o/kafka';
import { RunningService, startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, uniqueId } from '@o2o/testing';
import { MongoClient } from 'mongodb';
import { IdentityResolutionConfig, loadIdentityResolutionConfig } from '../src/config/identity-resolution.config';
import { identityResolutionService } from '../src/identity-resolution.service';
import { PrivacyOutboxRelay } from '../src/privacy/interface/privacy-outbox.relay';

const run = uniqueId();

interface StoredRequest {
  _id: string;
  [field: string]: unknown;
}

/**
 * The outbox of privacy requests: a request recorded whose event never reached Kafka (the
 * process crashed between the two) is published by the relay and then runs to completion.
 */
describe('privacy request outbox (identity-resolution, real Kafka, MongoDB, Redis)', () => {
  let service: RunningService;
  let config: IdentityResolutionConfig;
  let mongo: MongoClient;

  beforeAll(async () => {
    // The relay is run by hand below (no schedule), and only this service must answer.
    config = loadIdentityResolutionConfig(
      testEnvironment(run, 'identity-resolution-outbox', { PRIVACY_SERVICES: 'identity-resolution', PRIVACY_OUTBOX_RELAY_MS: '0' }),
    );
    service = await startService(identityResolutionService, config, 0);
    await service.transport.whenJoined();
    mongo = await MongoClient.connect(config.MONGO_URL);
  });

  afterAll(async () => {
    await mongo?.close();
    await service?.app.close();
  });

  const status = async (requestId: string) => {
    const response = await fetch(`${service.url}/v1/privacy/requests/${requestId}`, { headers: await authHeader('privacy-officer') });
    expect(response.status).toBe(200);
    return (await response.json()) as { status: string };
  };

  it('publishes a request recorded before a crash, which then completes, and only once', async () => {
    const requestId = uniqueId('req-');
    const customerId = `cus_${run}_gone`;
    const requestedAt = new Date(Date.now() - 60000);
    const event = createEnvelope({
      type: 'privacy.erasure-requested',
      version: 1,
      id: `erasure:${requestId}`,
      source: '/services/identity-resolution',
      subject: customerId,
      data: { requestId, customerId, mergedIds: [], requestedAt: requestedAt.toISOString() },
    });
    // What the request handler writes first: the request with its event in the outbox; the crash came before the publish.
    await mongo
      .db(config.MONGO_DB)
      .collection<StoredRequest>('privacy_requests')
      .insertOne({
        _id: requestId,
        kind: 'erasure',
        customerId,
        customerPseudonym: 'p',
        expectedServices: ['identity-resolution'],
        acknowledgements: {},
        parts: {},
        status: 'pending',
        requestedAt,
        outbox: 'pending',
        outboxJson: JSON.stringify({ key: customerId, event }),
      });
    expect(await status(requestId)).toMatchObject({ status: 'pending' });

    const relay = service.app.get(PrivacyOutboxRelay);
    expect(await relay.relay()).toBe(1);
    await expectEventually(async () => expect(await status(requestId)).toMatchObject({ status: 'completed' }), {
      timeoutMs: 60000,
      intervalMs: 250,
    });
    const stored = await mongo.db(config.MONGO_DB).collection<StoredRequest>('privacy_requests').findOne({ _id: requestId });
    expect(stored?.['outbox']).toBeUndefined();
    expect(stored?.['outboxJson']).toBeUndefined();
    expect(await relay.relay()).toBe(0);
  });
});
