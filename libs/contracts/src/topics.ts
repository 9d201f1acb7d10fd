import { z } from 'zod';
import { segmentMessageV1 } from './ingestion/segment-message.v1';
import { eventReceivedV1, eventRejectedV1 } from './ingestion/event-received.v1';
import { customerMergedV1, customerSplitV1, eventResolvedV1, identitySnapshotV1 } from './identity/identity.v1';
import { valueScoredV1 } from './value/value-scored.v1';
import { needsProfiledV1 } from './needs/needs-profiled.v1';
import { membershipChangedV1 } from './segments/membership-changed.v1';
import { erasureAcknowledgedV1, erasureRequestedV1, exportProvidedV1, exportRequestedV1 } from './privacy/privacy.v1';
import { campaignDecidedV1 } from './campaigns/campaign-decided.v1';

/** Envelope schemas that may appear on a topic. */
type EnvelopeSchemas = readonly [z.ZodObject, ...z.ZodObject[]];

export interface TopicDefinition<E extends EnvelopeSchemas | null = EnvelopeSchemas | null> {
  /** Topic name (before any deployment prefix). */
  readonly name: string;
  readonly description: string;
  /** What the message key is. */
  readonly key: string;
  /** compact: full state per key, tombstones on erasure; delete: an event log. */
  readonly cleanupPolicy: 'compact' | 'delete';
  /** Enveloped event schemas on this topic, or null for raw (non-enveloped) messages. */
  readonly events: E;
  /** Schema of raw messages when events is null. */
  readonly rawSchema?: z.ZodType;
  /** Retention of an event log, when shorter than the broker default (privacy responses carry personal data). */
  readonly retentionMs?: number;
  /** Public topics are documented in the AsyncAPI document for downstream systems. */
  readonly public: boolean;
}

function topic<E extends EnvelopeSchemas | null>(definition: TopicDefinition<E>): TopicDefinition<E> {
  return definition;
}

/** The single source of truth for topic names, keys and payloads. */
export const topics = {
  ingestIntake: topic({
    name: 'ingest.intake.v1',
    description: 'Raw Segment-spec JSON produced by channels that already run on Kafka; validated by ingestion exactly as over HTTP. Header "write-key" names the source.',
    key: 'any (userId or anonymousId recommended)',
    cleanupPolicy: 'delete',
    events: null,
    rawSchema: segmentMessageV1,
    public: true,
  }),
  ingestEvents: topic({
    name: 'ingest.events.v1',
    description: 'Every accepted event, normalised, with its source and corrected time.',
    key: 'routing identifier: userId, else anonymousId',
    cleanupPolicy: 'delete',
    events: [eventReceivedV1],
    public: false,
  }),
  ingestRejected: topic({
    name: 'ingest.rejected.v1',
    description: 'Intake messages that failed validation, kept whole with the reason.',
    key: 'the intake key',
    cleanupPolicy: 'delete',
    events: [eventRejectedV1],
    public: true,
  }),
  identityEvents: topic({
    name: 'identity.events.v1',
    description: 'Every accepted event with the customer it belongs to.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [eventResolvedV1],
    public: false,
  }),
  identityChanges: topic({
    name: 'identity.changes.v1',
    description: 'Merges and splits of customers; every service folds or rebuilds its projection.',
    key: 'customerId (the survivor for merges)',
    cleanupPolicy: 'delete',
    events: [customerMergedV1, customerSplitV1],
    public: true,
  }),
  identitySnapshots: topic({
    name: 'identity.snapshots.v1',
    description: 'Full identity state per customer (identifiers, merged ids).',
    key: 'customerId',
    cleanupPolicy: 'compact',
    events: [identitySnapshotV1],
    public: true,
  }),
  valueScores: topic({
    name: 'value.scores.v1',
    description: 'Full value state per customer: actual and strategic value, tier, model version.',
    key: 'customerId',
    cleanupPolicy: 'compact',
    events: [valueScoredV1],
    public: true,
  }),
  needsProfiles: topic({
    name: 'needs.profiles.v1',
    description: 'Full needs state per customer: facts, archetypes, stage, next question.',
    key: 'customerId',
    cleanupPolicy: 'compact',
    events: [needsProfiledV1],
    public: true,
  }),
  segmentMembership: topic({
    name: 'segments.membership.v1',
    description: 'One ordered message per customer per segment entry or exit.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [membershipChangedV1],
    public: true,
  }),
  campaignDecisions: topic({
    name: 'campaigns.decisions.v1',
    description: 'Next-best-action decisions (offers to deliver, and control-group holdouts) for the channels that deliver them.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [campaignDecidedV1],
    public: true,
  }),
  privacyRequests: topic({
    name: 'privacy.requests.v1',
    description: 'Erasure and access requests, resolved to a customer; every service acts on them and answers on privacy.responses.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [erasureRequestedV1, exportRequestedV1],
    public: false,
  }),
  privacyResponses: topic({
    name: 'privacy.responses.v1',
    description: "Each service's acknowledgement of an erasure and its part of an export. Short retention: exports carry personal data.",
    key: 'requestId',
    cleanupPolicy: 'delete',
    retentionMs: 24 * 3600 * 1000,
    events: [erasureAcknowledgedV1, exportProvidedV1],
    public: false,
  }),
} as const;

export type TopicKey = keyof typeof topics;
export type EnvelopedTopicKey = { [K in TopicKey]: (typeof topics)[K]['events'] extends null ? never : K }[TopicKey];

/** The envelope type(s) carried by an enveloped topic. */
export type TopicEvent<K extends EnvelopedTopicKey> = (typeof topics)[K]['events'] extends infer E
  ? E extends readonly z.ZodType[]
    ? z.infer<E[number]>
    : never
  : never;

/** Dead-letter topic of one consumer group. */
export function deadLetterTopicName(consumerGroup: string): string {
  return `dlq.${consumerGroup}.v1`;
}

export type EnvelopeParseResult =
  | { ok: true; event: { type: string; version: number } & Record<string, unknown> }
  | { ok: false; reason: 'invalid-envelope' | 'unknown-event-type'; message: string };

const envelopeHead = z.object({ type: z.string(), version: z.number().int() });

/** Parses a decoded JSON value as one of the topic's envelopes, selecting the schema by type and version. */
export function parseEnvelope(definition: TopicDefinition, value: unknown): EnvelopeParseResult {
  const events = definition.events;
  if (!events) throw new Error(`topic ${definition.name} is not enveloped`);
  const head = envelopeHead.safeParse(value);
  if (!head.success) return { ok: false, reason: 'invalid-envelope', message: 'missing type or version' };
  const schema = events.find((candidate) => {
    const shape = candidate.shape as Record<string, z.ZodType>;
    const typeSchema = shape['type'];
    const versionSchema = shape['version'];
    return (
      typeSchema !== undefined &&
      versionSchema !== undefined &&
      typeSchema.safeParse(head.data.type).success &&
      versionSchema.safeParse(head.data.version).success
    );
  });
  if (!schema) {
    return { ok: false, reason: 'unknown-event-type', message: `${head.data.type} v${head.data.version} is not carried by ${definition.name}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid-envelope', message: z.prettifyError(parsed.error) };
  }
  return { ok: true, event: parsed.data as { type: string; version: number } & Record<string, unknown> };
}
