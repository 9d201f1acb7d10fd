import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Producer } from 'kafkajs';
import {
  topics,
  type IdentitySnapshotDataV1,
  type MembershipChangedDataV1,
  type ResolvedEventDataV1,
  type TopicDefinition,
  type ValueScoredDataV1,
  type ValueTier,
} from '@o2o/contracts';
import { RunningService, startService } from '@o2o/runtime';
import { authHeader, expectEventually, testEnvironment, TopicSpy, uniqueId, waitForConsumerGroups } from '@o2o/testing';
import { campaignCustomizationService } from '../src/campaign-customization.service';
import { loadCampaignCustomizationConfig } from '../src/config/campaign-customization.config';

export interface Envelope<D> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  version: number;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  data: D;
}

export function envelope<D>(type: string, subject: string, data: D, id: string = randomUUID()): Envelope<D> {
  return {
    specversion: '1.0',
    id,
    source: '/test',
    type,
    version: 1,
    time: new Date().toISOString(),
    subject,
    datacontenttype: 'application/json',
    data,
  };
}

export function valueScored(customerId: string, tier: ValueTier, at = new Date()): Envelope<ValueScoredDataV1> {
  const data: ValueScoredDataV1 = {
    customerId,
    actualValue: tier === 'A' ? 5000 : 100,
    strategicValue: 0,
    tier,
    purchases: 1,
    revenue: 100,
    currency: 'EUR',
    modelVersion: 'test',
    reasons: [],
    updatedAt: at.toISOString(),
  };
  return envelope('customer.value-scored', customerId, data);
}

export function trackEvent(
  customerId: string,
  event: string,
  properties: Record<string, unknown> = {},
  at = new Date(),
  id: string = randomUUID(),
): Envelope<ResolvedEventDataV1> {
  const data: ResolvedEventDataV1 = {
    messageId: id,
    sourceId: 'test-source',
    channel: 'web',
    eventType: 'track',
    event,
    properties,
    timestamp: at.toISOString(),
    receivedAt: at.toISOString(),
    customerId,
    identifiers: [],
  };
  return envelope('customer-event.resolved', customerId, data, id);
}

export function consentUpdated(
  customerId: string,
  purpose: string,
  granted: boolean,
  channel?: string,
  at = new Date(),
): Envelope<ResolvedEventDataV1> {
  return trackEvent(customerId, 'Consent Updated', { purpose, granted, wordingVersion: 'v1', ...(channel ? { channel } : {}) }, at);
}

export function identitySnapshot(
  customerId: string,
  identifiers: Array<{ type: string; value: string }>,
  at = new Date(),
): Envelope<IdentitySnapshotDataV1> {
  return envelope('identity.snapshot', customerId, { customerId, identifiers, mergedIds: [], updatedAt: at.toISOString() });
}

export function customerMerged(survivorId: string, mergedId: string, at = new Date()) {
  return envelope(
    'customer.merged',
    survivorId,
    { survivorId, mergedId, reason: 'test', evidence: [], mergedAt: at.toISOString() },
    `merge:${mergedId}:${survivorId}`,
  );
}

/** A running service plus a producer onto its input topics and a spy on its output topics. */
export class CampaignTestKit {
  service!: RunningService;
  spy!: TopicSpy;
  private producer!: Producer;
  private brokers: string[] = [];
  private groupId = '';

  /** Two kits of one run are two instances of one deployment: same topics, database, Redis keys and consumer group. */
  constructor(readonly run: string = uniqueId('cc')) {}

  topic(definition: Pick<TopicDefinition, 'name'>): string {
    return `${this.run}.${definition.name}`;
  }

  async start(overrides: Record<string, string> = {}): Promise<void> {
    const config = loadCampaignCustomizationConfig(
      testEnvironment(this.run, 'campaign-customization', { BACKGROUND_INTERVAL_MS: '200', CACHE_TTL_MS: '0', ...overrides }),
    );
    this.service = await startService(campaignCustomizationService, config, 0);
    await this.service.transport.whenJoined();
    this.brokers = config.KAFKA_BROKERS;
    this.groupId = `${this.run}.${config.KAFKA_GROUP_ID}`;
    this.spy = await TopicSpy.start(config.KAFKA_BROKERS, [this.topic(topics.segmentMembership), this.topic(topics.campaignDecisions)]);
    const kafka = new Kafka({ clientId: 'campaign-test', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    this.producer = kafka.producer();
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    await this.spy?.stop();
    await this.service?.app.close();
  }

  async publish(definition: Pick<TopicDefinition, 'name'>, messages: Array<Envelope<unknown>>): Promise<void> {
    await this.producer.send({
      topic: this.topic(definition),
      acks: -1,
      messages: messages.map((m) => ({ key: m.subject, value: JSON.stringify(m), headers: { ce_type: m.type, ce_id: m.id } })),
    });
  }

  async tombstone(definition: Pick<TopicDefinition, 'name'>, key: string): Promise<void> {
    await this.producer.send({ topic: this.topic(definition), acks: -1, messages: [{ key, value: null }] });
  }

  /** Membership changes of one customer, in the order the topic holds them. */
  memberships(customerId: string): MembershipChangedDataV1[] {
    return this.spy
      .on(this.topic(topics.segmentMembership))
      .filter((m) => m.key === customerId)
      .sort((a, b) => Number(a.offset) - Number(b.offset))
      .map((m) => (m.value as { data: MembershipChangedDataV1 }).data);
  }

  /** Decides the next action (POST), with a fresh Idempotency-Key unless one is given. */
  async decide(
    type: string,
    value: string,
    channel: string,
    requestKey: string = randomUUID(),
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    return this.http(
      'POST',
      `/v1/customers/by/${type}/${encodeURIComponent(value)}/next-action`,
      { channel },
      { 'idempotency-key': requestKey },
    );
  }

  async waitForMemberships(customerId: string, count: number, timeoutMs = 30000): Promise<MembershipChangedDataV1[]> {
    return expectEventually(
      () => {
        const found = this.memberships(customerId);
        if (found.length < count)
          throw new Error(`${customerId}: ${found.length} of ${count} membership changes so far: ${JSON.stringify(found)}`);
        return found;
      },
      { timeoutMs },
    );
  }

  /**
   * Waits until the service has committed everything on its input topics and the spy has read
   * everything written to the output topics: from then on, what is not on the spy did not happen.
   */
  async settled(): Promise<void> {
    await waitForConsumerGroups(this.brokers, [this.groupId], { timeoutMs: 60000 });
    await this.spy.waitUntilCaughtUp();
  }

  async http(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    // Segments and campaigns as a marketer, next actions as an agent: real tokens from the test provider.
    const credential = await authHeader(path.startsWith('/v1/customers/') ? 'agent' : 'marketer');
    const response = await fetch(`${this.service.url}${path}`, {
      method,
      headers: body === undefined ? { ...credential, ...headers } : { 'content-type': 'application/json', ...credential, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
}

export { topics, expectEventually };
