import { z } from 'zod';
import { campaignDecidedV1 } from '../campaigns/campaign-decided.v1';
import { customerMergedV1, customerSplitV1, eventResolvedV1, identitySnapshotV1 } from '../identity/identity.v1';
import { eventReceivedV1, eventRejectedV1 } from '../ingestion/event-received.v1';
import { segmentMessageV1 } from '../ingestion/segment-message.v1';
import { needsProfiledV1 } from '../needs/needs-profiled.v1';
import { erasureAcknowledgedV1, erasureRequestedV1, exportProvidedV1, exportRequestedV1 } from '../privacy/privacy.v1';
import { membershipChangedV1 } from '../segments/membership-changed.v1';
import { valueScoredV1 } from '../value/value-scored.v1';

/** One example message for the AsyncAPI document, typed by the schema it illustrates. */
export interface MessageExample {
  readonly schema: z.ZodType;
  readonly summary: string;
  readonly payload: unknown;
}

function example<S extends z.ZodType>(schema: S, summary: string, payload: z.input<S>): MessageExample {
  return { schema, summary, payload };
}

const customer = 'cus_3f2a9c0d51e8b7a4';
const merged = 'cus_8b1e44f0a2c93d17';

/**
 * An example of every message the topic map carries. The document generator takes each
 * message's example from here; the tests parse each one with its schema and validate it against
 * the generated JSON Schema, so an example can neither be missing nor wrong.
 */
export const messageExamples: readonly MessageExample[] = [
  example(segmentMessageV1, 'A purchase tracked by a store system', {
    type: 'track',
    event: 'Order Completed',
    userId: 'user-1',
    messageId: 'pos-7781-0001',
    timestamp: '2026-11-23T15:01:58.000Z',
    properties: { order_id: 'o-7781', revenue: 42.5, currency: 'EUR' },
  }),
  example(eventReceivedV1, 'An accepted purchase', {
    specversion: '1.0',
    id: 'demo-store:pos-7781-0001',
    source: '/services/ingestion',
    type: 'customer-event.received',
    version: 1,
    time: '2026-11-23T15:01:58.000Z',
    subject: 'user-1',
    datacontenttype: 'application/json',
    correlationid: 'demo-store:pos-7781-0001',
    data: {
      messageId: 'pos-7781-0001',
      sourceId: 'demo-store',
      channel: 'store',
      eventType: 'track',
      event: 'Order Completed',
      userId: 'user-1',
      properties: { order_id: 'o-7781', revenue: 42.5, currency: 'EUR' },
      timestamp: '2026-11-23T15:01:58.000Z',
      receivedAt: '2026-11-23T15:01:58.412Z',
    },
  }),
  example(eventRejectedV1, 'An intake message without userId or anonymousId', {
    specversion: '1.0',
    id: 'rejected:ingest.intake.v1:0:1043',
    source: '/services/ingestion',
    type: 'customer-event.rejected',
    version: 1,
    time: '2026-11-23T15:02:00.120Z',
    subject: 'ingest.intake.v1:0:1043',
    datacontenttype: 'application/json',
    data: {
      reason: 'invalid_event',
      issues: [{ field: 'userId', code: 'custom', message: 'userId or anonymousId is required' }],
      raw: '{"type":"track","event":"Order Completed"}',
      intakeTopic: 'ingest.intake.v1',
      partition: 0,
      offset: '1043',
      sourceId: 'demo-store',
      rejectedAt: '2026-11-23T15:02:00.120Z',
    },
  }),
  example(eventResolvedV1, 'The purchase, resolved to its customer', {
    specversion: '1.0',
    id: 'resolved:demo-store:pos-7781-0001',
    source: '/services/identity-resolution',
    type: 'customer-event.resolved',
    version: 1,
    time: '2026-11-23T15:01:58.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    correlationid: 'demo-store:pos-7781-0001',
    causationid: 'demo-store:pos-7781-0001',
    data: {
      messageId: 'pos-7781-0001',
      sourceId: 'demo-store',
      channel: 'store',
      eventType: 'track',
      event: 'Order Completed',
      userId: 'user-1',
      properties: { order_id: 'o-7781', revenue: 42.5, currency: 'EUR' },
      timestamp: '2026-11-23T15:01:58.000Z',
      receivedAt: '2026-11-23T15:01:58.412Z',
      customerId: customer,
      identifiers: [{ type: 'userId', value: 'user-1' }],
    },
  }),
  example(customerMergedV1, 'A loyalty card seen on two customers links them', {
    specversion: '1.0',
    id: `merge:${merged}:${customer}`,
    source: '/services/identity-resolution',
    type: 'customer.merged',
    version: 1,
    time: '2026-11-23T15:03:10.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      survivorId: customer,
      mergedId: merged,
      reason: 'deterministic: same loyaltyCard',
      evidence: [{ type: 'loyaltyCard', value: 'LC-0042-7781' }],
      mergedAt: '2026-11-23T15:03:10.000Z',
    },
  }),
  example(customerSplitV1, 'A wrong merge undone by a reviewer', {
    specversion: '1.0',
    id: `split:${customer}:2026-11-23T16:00:00.000Z`,
    source: '/services/identity-resolution',
    type: 'customer.split',
    version: 1,
    time: '2026-11-23T16:00:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      customerId: customer,
      parts: [
        { customerId: customer, identifiers: [{ type: 'userId', value: 'user-1' }] },
        { customerId: merged, identifiers: [{ type: 'loyaltyCard', value: 'LC-0042-7781' }] },
      ],
      reason: 'review: shared family loyalty card',
      splitAt: '2026-11-23T16:00:00.000Z',
    },
  }),
  example(identitySnapshotV1, "A customer's identity after the merge", {
    specversion: '1.0',
    id: `snapshot:${customer}:3`,
    source: '/services/identity-resolution',
    type: 'identity.snapshot',
    version: 1,
    time: '2026-11-23T15:03:10.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      customerId: customer,
      identifiers: [
        { type: 'userId', value: 'user-1' },
        { type: 'email', value: 'anna@demo-mail.net' },
        { type: 'loyaltyCard', value: 'LC-0042-7781' },
      ],
      mergedIds: [merged],
      updatedAt: '2026-11-23T15:03:10.000Z',
    },
  }),
  example(valueScoredV1, 'A customer moving up to tier B', {
    specversion: '1.0',
    id: `value:${customer}:2026-11-23T15:02:00.000Z`,
    source: '/services/value-scoring',
    type: 'customer.value-scored',
    version: 1,
    time: '2026-11-23T15:02:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      customerId: customer,
      actualValue: 812.4,
      strategicValue: 240,
      tier: 'B',
      previousTier: 'C',
      probabilityAlive: 0.93,
      expectedPurchases: 6.1,
      purchases: 4,
      revenue: 311.5,
      firstPurchaseAt: '2026-03-02T10:15:00.000Z',
      lastPurchaseAt: '2026-11-23T15:01:58.000Z',
      currency: 'EUR',
      modelVersion: 'bgnbd-gg-2026-11-23T02:00:00Z',
      reasons: ['4 purchases in 9 months', 'top 20 % of expected value'],
      updatedAt: '2026-11-23T15:02:00.000Z',
    },
  }),
  example(needsProfiledV1, 'A customer in the purchase stage with one question left', {
    specversion: '1.0',
    id: `needs:${customer}:12`,
    source: '/services/needs-profiling',
    type: 'customer.needs-profiled',
    version: 1,
    time: '2026-11-23T15:02:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      customerId: customer,
      stage: 'purchase',
      previousStage: 'consideration',
      stageReason: 'first purchase',
      facts: [
        {
          key: 'contact.preferredChannel',
          value: 'email',
          kind: 'explicit',
          channel: 'web',
          purpose: 'personalisation',
          confidence: 1,
          observedAt: '2026-11-20T09:00:00.000Z',
        },
      ],
      archetypes: ['bargain-hunter'],
      nextQuestion: { questionId: 'shoe-size', factKey: 'apparel.shoeSize', purpose: 'personalisation', value: 0.6 },
      unknown: ['apparel.shoeSize'],
      updatedAt: '2026-11-23T15:02:00.000Z',
    },
  }),
  example(membershipChangedV1, 'A customer entering a segment after a first purchase', {
    specversion: '1.0',
    id: `membership:${customer}:7`,
    source: '/services/campaign-customization',
    type: 'segment.membership-changed',
    version: 1,
    time: '2026-11-23T15:02:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      customerId: customer,
      segmentId: 'first-purchase',
      segmentVersion: 1,
      change: 'entered',
      reason: 'stage is purchase',
      changedAt: '2026-11-23T15:02:00.000Z',
      sequence: 7,
    },
  }),
  example(campaignDecidedV1, 'An offer for the call centre to make', {
    specversion: '1.0',
    id: '5b0c2e1c-6f0e-4a53-9d55-2f1f0d4b8a10',
    source: '/services/campaign-customization',
    type: 'campaign.decided',
    version: 1,
    time: '2026-11-23T15:05:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: {
      decisionId: '5b0c2e1c-6f0e-4a53-9d55-2f1f0d4b8a10',
      customerId: customer,
      campaignId: 'winter-boots',
      campaignVersion: 2,
      channel: 'call-centre',
      kind: 'offer',
      modules: [
        { module: 'product', optionId: 'boots-classic', label: 'Classic winter boots', attributes: { sku: 'WB-100' }, reason: 'affinity for shoes' },
        { module: 'payment', optionId: 'three-instalments', attributes: { instalments: 3 }, reason: 'tier B' },
      ],
      reasons: ['in segment first-purchase', 'consented to marketing by call-centre', 'under every cap'],
      decidedAt: '2026-11-23T15:05:00.000Z',
    },
  }),
  example(erasureRequestedV1, 'An erasure request resolved to a customer', {
    specversion: '1.0',
    id: 'privacy:req-41',
    source: '/services/identity-resolution',
    type: 'privacy.erasure-requested',
    version: 1,
    time: '2026-11-23T17:00:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: { requestId: 'req-41', customerId: customer, mergedIds: [merged], requestedAt: '2026-11-23T17:00:00.000Z' },
  }),
  example(exportRequestedV1, 'An access request resolved to a customer', {
    specversion: '1.0',
    id: 'privacy:req-42',
    source: '/services/identity-resolution',
    type: 'privacy.export-requested',
    version: 1,
    time: '2026-11-23T17:00:00.000Z',
    subject: customer,
    datacontenttype: 'application/json',
    data: { requestId: 'req-42', customerId: customer, mergedIds: [], requestedAt: '2026-11-23T17:00:00.000Z' },
  }),
  example(erasureAcknowledgedV1, "Value scoring's acknowledgement of an erasure", {
    specversion: '1.0',
    id: 'privacy:req-41:value-scoring',
    source: '/services/value-scoring',
    type: 'privacy.erasure-acknowledged',
    version: 1,
    time: '2026-11-23T17:00:01.000Z',
    subject: 'req-41',
    datacontenttype: 'application/json',
    data: {
      requestId: 'req-41',
      customerId: customer,
      service: 'value-scoring',
      deleted: { 'mongo:purchase_summaries': 2 },
      tombstonedTopics: ['value.scores.v1'],
      completedAt: '2026-11-23T17:00:01.000Z',
    },
  }),
  example(exportProvidedV1, "Needs profiling's part of an access export", {
    specversion: '1.0',
    id: 'privacy:req-42:needs-profiling',
    source: '/services/needs-profiling',
    type: 'privacy.export-provided',
    version: 1,
    time: '2026-11-23T17:00:01.000Z',
    subject: 'req-42',
    datacontenttype: 'application/json',
    data: { requestId: 'req-42', customerId: customer, service: 'needs-profiling', data: { needs_profiles: [] }, providedAt: '2026-11-23T17:00:01.000Z' },
  }),
];
