import { z } from 'zod';
import { segmentMessageV1 } from './ingestion/segment-message.v1';
import { eventReceivedV1, eventRejectedV1 } from './ingestion/event-received.v1';
import { eventRejectedV2 } from './ingestion/event-rejected.v2';
import { customerMergedV1, customerSplitV1, eventResolvedV1, identitySnapshotV1 } from './identity/identity.v1';
import { valueScoredV1 } from './value/value-scored.v1';
import { needsProfiledV1 } from './needs/needs-profiled.v1';
import { membershipChangedV1 } from './segments/membership-changed.v1';
import { erasureAcknowledgedV1, erasureRequestedV1, exportProvidedV1, exportRequestedV1 } from './privacy/privacy.v1';
import { campaignDecidedV1 } from './campaigns/campaign-decided.v1';
import { offerOutcomeV1 } from './outcomes/outcomes.v1';

/** Services of the platform, by the name they run under (logs, metrics, Kafka client id, default consumer group). */
export const platformServices = [
  'ingestion',
  'identity-resolution',
  'value-scoring',
  'needs-profiling',
  'campaign-customization',
  'console',
] as const;
export type PlatformService = (typeof platformServices)[number];

/** Parties outside the platform that produce to or read a public topic. */
export const externalParties = ['channels', 'downstream systems', 'delivery channels', 'operators'] as const;
export type ExternalParty = (typeof externalParties)[number];
export type TopicParty = PlatformService | ExternalParty;

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
  /**
   * Personal data on this topic is encrypted (crypto-shredding, docs/security.md): each event's
   * `data` travels sealed under the data key of its subject, which an erasure destroys. `routing`:
   * the subject is a routing identifier (before identity resolution); `customer`: a customer id.
   */
  readonly sealed?: 'routing' | 'customer';
  /** Retention of an event log, when shorter than the broker default (privacy responses carry personal data). */
  readonly retentionMs?: number;
  /**
   * Public topics are a contract with systems outside the platform (versioned, documented for
   * them); the others are internal between services. Both are in docs/asyncapi.yaml, tagged.
   */
  readonly public: boolean;
  /** Who produces to the topic (every topic of the map names them; optional for definitions built elsewhere). */
  readonly producers?: readonly TopicParty[];
  /** Who consumes the topic. */
  readonly consumers?: readonly TopicParty[];
  /** Guidance for subscribers beyond the description (markdown): ordering, replay, compensating events. */
  readonly guide?: string;
}

type MappedTopic<E extends EnvelopeSchemas | null> = TopicDefinition<E> & {
  readonly producers: readonly TopicParty[];
  readonly consumers: readonly TopicParty[];
};

function topic<E extends EnvelopeSchemas | null>(definition: MappedTopic<E>): MappedTopic<E> {
  return definition;
}

const everyService = platformServices;

/** The single source of truth for topic names, keys and payloads. */
export const topics = {
  ingestIntake: topic({
    name: 'ingest.intake.v1',
    description:
      'Raw Segment-spec JSON produced by channels that already run on Kafka; validated by ingestion exactly as over HTTP. Header "write-key" names the source.',
    key: 'any (userId or anonymousId recommended)',
    cleanupPolicy: 'delete',
    events: null,
    rawSchema: segmentMessageV1,
    guide: [
      'Outcomes of what the platform proposed are `track` calls under reserved names, whose properties ingestion validates (refused with the field and reason otherwise, as over HTTP):',
      '',
      '- **Offer Presented**, **Offer Accepted**, **Offer Declined**: `{campaignId, decisionId?, offerId?, channel?, revenue?}`; send the `decisionId` of the next-action answer so the outcome is tied to the exact offer. They reach campaign-customization, which learns from them and republishes them on `campaigns.outcomes.v1`.',
      '- **Question Asked**, **Question Answered** (`{questionId, answer}` and a purpose), **Question Declined** (`{questionId, reason?}`): needs-profiling records them.',
      "- **Offer Ignored** is emitted by the platform only (no answer within the campaign's response window) and refused from channels.",
    ].join('\n'),
    public: true,
    producers: ['channels'],
    consumers: ['ingestion'],
  }),
  ingestEvents: topic({
    name: 'ingest.events.v1',
    description: 'Every accepted event, normalised, with its source and corrected time.',
    key: 'routing identifier: userId, else anonymousId',
    cleanupPolicy: 'delete',
    sealed: 'routing',
    events: [eventReceivedV1],
    public: false,
    producers: ['ingestion'],
    consumers: ['identity-resolution'],
  }),
  ingestRejected: topic({
    name: 'ingest.rejected.v1',
    description:
      'Messages that failed validation, kept whole with the reasons: intake messages (version 1) and refused messages of HTTP calls, such as one invalid element of a batch whose other elements were accepted (version 2).',
    key: 'the intake key; for HTTP, the userId or anonymousId of the message when it has one, else the request id',
    cleanupPolicy: 'delete',
    sealed: 'routing',
    events: [eventRejectedV1, eventRejectedV2],
    public: true,
    producers: ['ingestion'],
    consumers: ['operators'],
  }),
  identityEvents: topic({
    name: 'identity.events.v1',
    description: 'Every accepted event with the customer it belongs to.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    sealed: 'customer',
    events: [eventResolvedV1],
    public: false,
    producers: ['identity-resolution'],
    consumers: ['value-scoring', 'needs-profiling', 'campaign-customization', 'console'],
  }),
  identityChanges: topic({
    name: 'identity.changes.v1',
    description: 'Merges and splits of customers; every service folds or rebuilds its projection.',
    key: 'customerId (the survivor for merges)',
    cleanupPolicy: 'delete',
    sealed: 'customer',
    events: [customerMergedV1, customerSplitV1],
    guide: [
      '- **customer.merged** (keyed by the survivor): fold everything held for `mergedId` into `survivorId`, and map any later event still carrying `mergedId` to `survivorId`. The event id is deterministic (`merge:<merged>:<survivor>`), so a redelivery is recognisable.',
      '- **customer.split** (keyed by the customer being split): the customer splits back into `parts`, each with its identifiers; the first part keeps the id. Rebuild what you hold for it per part.',
    ].join('\n'),
    public: true,
    producers: ['identity-resolution'],
    consumers: ['value-scoring', 'needs-profiling', 'campaign-customization'],
  }),
  identitySnapshots: topic({
    name: 'identity.snapshots.v1',
    description: 'Full identity state per customer (identifiers, merged ids).',
    key: 'customerId',
    cleanupPolicy: 'compact',
    sealed: 'customer',
    events: [identitySnapshotV1],
    public: true,
    producers: ['identity-resolution'],
    consumers: ['campaign-customization'],
  }),
  valueScores: topic({
    name: 'value.scores.v1',
    description: 'Full value state per customer: actual and strategic value, tier, model version.',
    key: 'customerId',
    cleanupPolicy: 'compact',
    events: [valueScoredV1],
    public: true,
    producers: ['value-scoring'],
    consumers: ['needs-profiling', 'campaign-customization', 'console'],
  }),
  needsProfiles: topic({
    name: 'needs.profiles.v1',
    description: "Full needs state per customer: facts, archetypes, stage (with the stage's contact guidance), next question.",
    key: 'customerId',
    cleanupPolicy: 'compact',
    events: [needsProfiledV1],
    public: true,
    producers: ['needs-profiling'],
    consumers: ['value-scoring', 'campaign-customization', 'console'],
  }),
  segmentMembership: topic({
    name: 'segments.membership.v1',
    description: 'One ordered message per customer per segment entry or exit.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [membershipChangedV1],
    guide: [
      "Each message is one change of one customer's membership of one segment: `entered` or `exited`, with the segment id and the version of its definition, the reason, the time of the profile change that caused it, and the customer's sequence number.",
      '',
      '- **Order.** Keyed by customer id: all changes of one customer are on one partition, in the order they happened. `sequence` starts at 1 for each customer and grows by one with each change, so a jump means a message you have not seen and a number not above the last one you applied is a redelivery (delivery is at least once; a redelivered change carries the same envelope id and sequence).',
      '- **Current memberships.** Fold the changes per customer: `entered` sets segment id -> version, `exited` removes it when the version matches. Start from the beginning of the topic (`auto.offset.reset=earliest`, kafkajs `fromBeginning: true`) to rebuild a consistent picture; the topic is an event log, so the history goes back as far as its retention (the broker default unless the operator sets `retention.ms`, e.g. -1 to keep everything).',
      '- **Redefinitions.** When a segment gets a new version, a member who still qualifies exits at the old version and enters at the new one; a removed segment produces exits with reason "segment removed".',
      '- **Merges.** When customer B is merged into A, B exits every segment it was in (reason "merged into customer A", keyed by B) and A\'s memberships are recomputed on the combined profile (reasons start with "merged with customer B:"; an entry B already had says "carried over from merged customer B"). B and A are different keys, so their messages are not ordered relative to each other; nothing more is published for B unless a split revives it.',
      '- **Splits.** When a wrong merge is undone, each resulting customer\'s memberships are recomputed (reasons start with "split from customer ...:"), producing the compensating exits and entries; more may follow as value and needs scoring publish each part\'s recomputed state.',
      '- **Consent and erasure.** Withdrawing consent for a purpose exits the segments of that purpose at once (reason "consent for <purpose> withdrawn"); an erased customer exits every segment (reason "customer erased") before its data is deleted, and nothing is published for it afterwards.',
    ].join('\n'),
    public: true,
    producers: ['campaign-customization'],
    consumers: ['downstream systems', 'campaign-customization', 'console'],
  }),
  campaignDecisions: topic({
    name: 'campaigns.decisions.v1',
    description: 'Next-best-action decisions (offers to deliver, and control-group holdouts) for the channels that deliver them.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [campaignDecidedV1],
    guide: [
      'One message per decision of the next-best-action API (`GET /v1/customers/by/{type}/{value}/next-action?channel=`), published right after the API answers (the contact and its caps are recorded before the answer; decisions are sent in batches, retried while Kafka is unreachable and drained on shutdown, so only a crash of the service can lose the decisions of its last moments, whose exposures are then missing from lift); a request that finds nothing to offer publishes nothing.',
      '',
      '- **kind = offer.** The channel delivers the assembled offer: one choice per module (product, message, delivery, packaging, payment), each with the option id, the attributes needed to render or fulfil it, and why it fits. Contact caps were reserved for this contact when the decision was made.',
      "- **kind = control.** The customer is held out (the campaign's own holdout or the global one, `controlGroup`): deliver nothing. The decision counts as the control exposure from which lift is measured (`GET /v1/campaigns/{id}/lift`).",
      "- **Identity and order.** `decisionId` equals the envelope id; deduplicate by it (delivery is at least once). Keyed by customer id, so one customer's decisions are ordered; `decidedAt` is the exposure time for attribution.",
      '- campaign-customization reads its own decisions back from this topic to record exposures, so a decision counts once it is on the topic.',
      "- **Outbound on segment entry.** A campaign with `trigger: on-segment-entry` is also decided as soon as a customer enters its segment (read back from `segments.membership.v1`): offer and channel (the customer's preferred channel among the campaign's consented ones, else the first consented in the campaign's order), caps and holdouts as for a request. `decisionId` is `entry:<membership event id>:<campaign>`, so a replayed entry decides once.",
    ].join('\n'),
    public: true,
    producers: ['campaign-customization'],
    consumers: ['delivery channels', 'campaign-customization', 'console'],
  }),
  campaignOutcomes: topic({
    name: 'campaigns.outcomes.v1',
    description:
      'Offer outcomes (presented, accepted, declined, ignored) tied to the decision they answer, with the context they are learned in (campaign, offer, archetypes, categories).',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [offerOutcomeV1],
    guide: [
      'One message per offer outcome. Channels report outcomes as Segment `track` calls through ingestion, under reserved names whose properties ingestion validates (`libs/contracts` `outcomeTrackPropertiesV1`): **Offer Presented**, **Offer Accepted**, **Offer Declined** `{campaignId, decisionId?, offerId?, channel?, revenue?}`, and for questions **Question Asked**, **Question Answered** `{questionId, answer}` (with a purpose) and **Question Declined** `{questionId, reason?}`. Question outcomes stay on `identity.events.v1` (needs-profiling owns questions); offer outcomes are republished here by campaign-customization once tied to their decision.',
      '',
      "- **reportedBy = channel.** The outcome a channel sent, with the decision it answers (by `decisionId`, else the customer's latest decision of the campaign), its offer, and the customer's archetypes at decision time. `outcomeId` derives from the ingested message id.",
      '- **outcome = ignored (reportedBy = platform).** An offer delivered (`kind = offer`) that got no accepted or declined answer within the campaign\'s response window (`responseWindowHours`): campaign-customization stores a deadline with each decision and a periodic sweep emits this once (`outcomeId` = `ignored:<decisionId>`). "Offer Ignored" is refused from channels.',
      '- **Identity and order.** Keyed by customer id; deduplicate by `outcomeId` (delivery is at least once). A customer merged away has its later outcomes under the survivor.',
      '- campaign-customization reads its own outcomes back from this topic and counts them (per campaign, offer and archetype: accepted against declined or ignored) for learned arbitration.',
    ].join('\n'),
    public: true,
    producers: ['campaign-customization'],
    consumers: ['needs-profiling', 'campaign-customization', 'downstream systems'],
  }),
  privacyRequests: topic({
    name: 'privacy.requests.v1',
    description: 'Erasure and access requests, resolved to a customer; every service acts on them and answers on privacy.responses.',
    key: 'customerId',
    cleanupPolicy: 'delete',
    events: [erasureRequestedV1, exportRequestedV1],
    public: false,
    producers: ['identity-resolution'],
    consumers: everyService,
  }),
  privacyResponses: topic({
    name: 'privacy.responses.v1',
    description: "Each service's acknowledgement of an erasure and its part of an export. Short retention: exports carry personal data.",
    key: 'requestId',
    cleanupPolicy: 'delete',
    retentionMs: 24 * 3600 * 1000,
    events: [erasureAcknowledgedV1, exportProvidedV1],
    public: false,
    producers: everyService,
    consumers: ['identity-resolution'],
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
    return {
      ok: false,
      reason: 'unknown-event-type',
      message: `${head.data.type} v${head.data.version} is not carried by ${definition.name}`,
    };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid-envelope', message: z.prettifyError(parsed.error) };
  }
  return { ok: true, event: parsed.data as { type: string; version: number } & Record<string, unknown> };
}
