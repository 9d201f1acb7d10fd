import { z } from 'zod';
import { deadLetterHeaders, deadLetterReasons, envelopeAttributes, messageHeaders } from '../envelope/envelope';
import { intakeHeaders } from '../ingestion/segment-message.v1';
import { platformServices, topics, type PlatformService, type TopicDefinition, type TopicParty } from '../topics';
import { messageExamples, type MessageExample } from './asyncapi.examples';

/**
 * The AsyncAPI 3.0 description of every topic, built from the topic map alone so it cannot
 * drift from what producers and consumers validate. Pure: no I/O; the CLI in libs/testing
 * writes it to docs/asyncapi.yaml and a test fails when the committed file is stale.
 */

export type JsonSchema = z.core.JSONSchema.BaseSchema;

export interface AsyncApiRef {
  $ref: string;
}

export interface AsyncApiTag {
  name: string;
  description?: string;
}

export interface AsyncApiMessageExample {
  name: string;
  summary: string;
  headers?: Record<string, string>;
  payload: unknown;
}

export interface AsyncApiMessage {
  name: string;
  title: string;
  summary: string;
  description?: string;
  contentType?: string;
  headers?: JsonSchema;
  payload: JsonSchema;
  correlationId?: { description: string; location: string };
  examples?: AsyncApiMessageExample[];
  bindings: { kafka: { key: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiChannel {
  address: string;
  title: string;
  summary: string;
  description: string;
  messages: Record<string, AsyncApiRef>;
  parameters?: Record<string, { description: string; examples?: string[] }>;
  tags: AsyncApiTag[];
  bindings: {
    kafka: {
      topicConfiguration: { 'cleanup.policy': Array<'compact' | 'delete'>; 'retention.ms'?: number };
      bindingVersion: string;
    };
  };
  'x-public': boolean;
  'x-key': string;
  'x-producers': readonly TopicParty[];
  'x-consumers': readonly TopicParty[];
}

export interface AsyncApiOperation {
  action: 'send' | 'receive';
  channel: AsyncApiRef;
  title: string;
  summary: string;
  tags: AsyncApiTag[];
  bindings?: { kafka: { groupId: JsonSchema; bindingVersion: string } };
}

export interface AsyncApiDocument {
  asyncapi: '3.0.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; url: string };
    tags: AsyncApiTag[];
  };
  defaultContentType: 'application/json';
  servers: Record<string, { host: string; protocol: 'kafka'; description: string }>;
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  components: { schemas: Record<string, JsonSchema>; messages: Record<string, AsyncApiMessage> };
}

/** Version of the document: the contracts package version (a test keeps them equal). */
export const asyncApiDocumentVersion = '0.1.0';

/** The command that regenerates docs/asyncapi.yaml. */
export const asyncApiRegenerateCommand = 'npm run asyncapi';

const KAFKA_BINDING_VERSION = '0.5.0';
const TOMBSTONE = 'tombstone';
const DEAD_LETTER = 'dead-letter';

/** The name of an enveloped message in the document: its type and version, e.g. "customer.merged.v1". */
export function messageName(type: string, version: number): string {
  return `${type}.v${version}`;
}

/** Builds the AsyncAPI 3.0 document of every topic in the map, plus the dead-letter topics. */
export function buildAsyncApiDocument(): AsyncApiDocument {
  const messages: Record<string, AsyncApiMessage> = {};
  const channels: Record<string, AsyncApiChannel> = {};
  const operations: Record<string, AsyncApiOperation> = {};

  for (const [key, definition] of Object.entries(topics) as Array<[string, TopicDefinition]>) {
    const channelMessages: Record<string, AsyncApiRef> = {};
    for (const message of topicMessages(definition)) {
      const existing = messages[message.name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(message)) {
        throw new Error(`message ${message.name} appears on several topics with different keys`);
      }
      messages[message.name] = message;
      channelMessages[message.name] = { $ref: `#/components/messages/${message.name}` };
    }
    channels[key] = channelOf(definition, channelMessages);
    for (const service of participantServices(definition.producers)) {
      operations[`${service}.send.${key}`] = operation('send', key, definition, service);
    }
    for (const service of participantServices(definition.consumers)) {
      operations[`${service}.receive.${key}`] = operation('receive', key, definition, service);
    }
  }

  messages[DEAD_LETTER] = deadLetterMessage();
  channels['deadLetters'] = deadLetterChannel();
  for (const service of platformServices) {
    operations[`${service}.send.deadLetters`] = {
      action: 'send',
      channel: { $ref: '#/channels/deadLetters' },
      title: `${service} dead-letters what its consumer group could not process`,
      summary: `Messages of ${service}'s consumer group that failed validation or kept failing, with the reason.`,
      tags: [{ name: service }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'One-to-one customer platform: Kafka topics',
      version: asyncApiDocumentVersion,
      description: infoDescription(),
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      tags: [
        {
          name: 'public',
          description: 'A contract with systems outside the platform: versioned, changed only additively within a version.',
        },
        {
          name: 'internal',
          description: 'Between the platform services; documented for operators, no compatibility promise to outside readers.',
        },
        ...platformServices.map((service) => ({ name: service, description: `The ${service} service.` })),
      ],
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description:
          'The Kafka broker `npm start` runs (deploy/local). A deployment names its own brokers (KAFKA_BROKERS) and may prefix every topic name (KAFKA_TOPIC_PREFIX).',
      },
    },
    channels,
    operations,
    components: {
      schemas: { CloudEventsEnvelope: cloudEventsEnvelopeSchema() },
      messages,
    },
  };
}

function infoDescription(): string {
  return [
    'Every topic of the platform, generated from `libs/contracts` (the topic map in `topics.ts`), the single source of truth for topic names, keys, cleanup policies and schemas. Do not edit this document: change the contracts and run `' +
      asyncApiRegenerateCommand +
      '`.',
    '',
    '**Public** topics are the contract with systems outside the platform (channels, downstream systems, delivery channels); **internal** topics connect the services and are documented for operators.',
    '',
    '- **Envelope.** Every message value except the raw intake is a JSON CloudEvents 1.0 envelope (`specversion`, `id`, `source`, `type`, `time`, `subject`, `datacontenttype`) with three extension attributes: `version` (payload schema version), `correlationid` and `causationid`. `type` and `version` together select the schema of `data` (see `components.schemas.CloudEventsEnvelope`). The Kafka headers repeat type, version, id and subject (`' +
      [messageHeaders.eventType, messageHeaders.eventVersion, messageHeaders.eventId, messageHeaders.subject].join('`, `') +
      '`) and carry the W3C trace context (`traceparent`, `tracestate`).',
    '- **Keys and order.** Before identity resolution a message is keyed by its routing identifier (userId, else anonymousId); after it by customer id, so all messages of one customer are on one partition, in order. Kafka orders messages per partition only: there is no order across keys. The platform creates missing topics with KAFKA_TOPIC_PARTITIONS partitions; adding partitions to an existing topic moves keys to other partitions and breaks per-key order until old messages are consumed.',
    '- **Delivery.** At least once: the services produce with acks=all (every in-sync replica) and commit offsets after processing, so a message may arrive twice. Deduplicate by the envelope `id`.',
    '- **Compacted topics** (cleanup.policy=compact) carry the full current state for their key: a new consumer rebuilds everything by reading from the beginning. A tombstone (null value) means the customer was erased or merged away: delete what you hold for that key.',
    '- **Versions.** Within a version, changes are additive only (new optional fields; ignore fields you do not know). A breaking change is a new schema version on the same topic, or a new topic with the next version in its name; consumers accept the old version until it is retired.',
    "- **Dead letters.** A message a consumer group cannot process goes to `dlq.<group>.v1` with the original key, value and headers and the reason; a value not sealed already is sealed whole under its subject's data key (header `o2o-sealed-dead-letter`).",
    '- **Sealed topics** (crypto-shredding): personal data on the event logs before and after identity resolution is encrypted under per-subject data keys that an erasure destroys, so old offsets hold nothing readable of an erased customer; see each channel.',
  ].join('\n');
}

function topicMessages(definition: TopicDefinition): AsyncApiMessage[] {
  const key = keySchema(definition);
  if (definition.events === null) {
    if (definition.rawSchema === undefined) throw new Error(`topic ${definition.name} has neither events nor a raw schema`);
    return [rawMessage(definition, definition.rawSchema, key)];
  }
  const enveloped = definition.events.map((schema) => envelopedMessage(schema, key));
  return definition.cleanupPolicy === 'compact' ? [...enveloped, tombstoneMessage(key)] : enveloped;
}

function envelopedMessage(schema: z.ZodObject, key: JsonSchema): AsyncApiMessage {
  const { type, version } = envelopeIdentity(schema);
  const name = messageName(type, version);
  const payload = toSchema(schema);
  const dataDescription = schema.shape['data']?.description;
  const example = exampleOf(schema, name);
  const envelope = example.payload as { id: string; subject: string };
  return {
    name,
    title: `${type} v${version}`,
    summary: dataDescription ?? `${type} version ${version}.`,
    contentType: 'application/json',
    headers: envelopeHeaders(type, version),
    payload,
    correlationId: { description: 'Shared by every event caused by one original input.', location: '$message.payload#/correlationid' },
    examples: [
      {
        name: `${name}.example`,
        summary: example.summary,
        headers: {
          [messageHeaders.eventType]: type,
          [messageHeaders.eventVersion]: String(version),
          [messageHeaders.eventId]: envelope.id,
          [messageHeaders.subject]: envelope.subject,
          [messageHeaders.contentType]: 'application/json',
        },
        payload: example.payload,
      },
    ],
    bindings: { kafka: { key, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

function rawMessage(definition: TopicDefinition, schema: z.ZodType, key: JsonSchema): AsyncApiMessage {
  const example = exampleOf(schema, definition.name);
  return {
    name: 'segment-message.v1',
    title: 'Segment message',
    summary: schema.description ?? 'A raw message.',
    description:
      'Not enveloped: the same JSON the HTTP Tracking API accepts. Ingestion validates it exactly as over HTTP; a message that fails goes to ingest.rejected.v1 with the reason.',
    contentType: 'application/json',
    headers: {
      type: 'object',
      properties: {
        [intakeHeaders.writeKey]: {
          type: 'string',
          description: 'Write key of the source (channel connection) that produced the message.',
        },
      },
      required: [intakeHeaders.writeKey],
    },
    payload: toSchema(schema),
    examples: [
      {
        name: 'segment-message.v1.example',
        summary: example.summary,
        headers: { [intakeHeaders.writeKey]: 'demo-store-write-key' },
        payload: example.payload,
      },
    ],
    bindings: { kafka: { key, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

function tombstoneMessage(key: JsonSchema): AsyncApiMessage {
  return {
    name: TOMBSTONE,
    title: 'Tombstone',
    summary: 'A null value for a key: the customer was erased or merged away; delete what you hold for the key.',
    description:
      'Compaction keeps the tombstone for a while (delete.retention.ms) so a consumer reading from the beginning still sees it, then removes the key.',
    headers: {
      type: 'object',
      description: 'Only the W3C trace context of the change that caused it, if any: a tombstone has no envelope.',
      properties: {
        [messageHeaders.traceparent]: { type: 'string', description: 'W3C trace context of the producing span.' },
        [messageHeaders.tracestate]: { type: 'string', description: 'W3C trace state.' },
      },
    },
    payload: { type: 'null' },
    bindings: { kafka: { key, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

function deadLetterMessage(): AsyncApiMessage {
  const described: Record<keyof typeof deadLetterHeaders, string> = {
    originalTopic: 'Topic the message was read from (with any deployment prefix).',
    originalPartition: 'Its partition.',
    originalOffset: 'Its offset.',
    originalTimestamp: 'Its Kafka timestamp (milliseconds since the epoch).',
    consumerGroup: 'The consumer group that gave up on it.',
    reason: 'Machine-readable reason.',
    error: 'The error message (at most 4,000 characters).',
    attempts: 'How many times processing was attempted.',
    failedAt: 'When it was dead-lettered.',
  };
  const properties: Record<string, JsonSchema> = {};
  for (const [field, header] of Object.entries(deadLetterHeaders) as Array<[keyof typeof deadLetterHeaders, string]>) {
    properties[header] =
      field === 'reason'
        ? { type: 'string', enum: [...deadLetterReasons], description: described[field] }
        : { type: 'string', description: described[field] };
  }
  return {
    name: DEAD_LETTER,
    title: 'Dead letter',
    summary: 'A message a consumer group could not process: the original key, value and headers, plus why.',
    headers: { type: 'object', properties, required: Object.values(deadLetterHeaders) },
    payload: { description: 'The original message value, byte for byte (it may not be JSON).' },
    bindings: { kafka: { key: { type: 'string', description: 'The original key.' }, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

function deadLetterChannel(): AsyncApiChannel {
  return {
    address: 'dlq.{consumerGroup}.v1',
    title: 'Dead letters of one consumer group',
    summary: 'Messages a consumer group could not process, with the reason.',
    description: [
      'A message goes here when it is not JSON, not a valid envelope for its topic, of an unknown type or version, or when its handler kept failing after retries (each message of a failing batch is retried alone first). The consumer commits past it, so one bad message never stops a partition.',
      '',
      `- **Key:** the original key. **Cleanup:** delete (an event log).`,
      `- **Produced by:** every service, for its own consumer group. **Consumed by:** operators.`,
    ].join('\n'),
    messages: { [DEAD_LETTER]: { $ref: `#/components/messages/${DEAD_LETTER}` } },
    parameters: {
      consumerGroup: { description: 'The consumer group (KAFKA_GROUP_ID; the service name by default).', examples: [...platformServices] },
    },
    tags: [{ name: 'internal' }],
    bindings: { kafka: { topicConfiguration: { 'cleanup.policy': ['delete'] }, bindingVersion: KAFKA_BINDING_VERSION } },
    'x-public': false,
    'x-key': 'the original key',
    'x-producers': platformServices,
    'x-consumers': ['operators'],
  };
}

function channelOf(definition: TopicDefinition, messages: Record<string, AsyncApiRef>): AsyncApiChannel {
  const producers = definition.producers ?? [];
  const consumers = definition.consumers ?? [];
  const topicConfiguration: AsyncApiChannel['bindings']['kafka']['topicConfiguration'] = { 'cleanup.policy': [definition.cleanupPolicy] };
  if (definition.retentionMs !== undefined) topicConfiguration['retention.ms'] = definition.retentionMs;
  const lines = [
    definition.description,
    '',
    `- **Key:** ${definition.key}. ${orderingOf()}`,
    `- **Cleanup:** ${cleanupOf(definition)}`,
    `- **Produced by:** ${list(producers)}. **Consumed by:** ${consumers.length > 0 ? list(consumers) : 'nothing inside the platform'}.`,
    `- **${definition.public ? 'Public' : 'Internal'}:** ${definition.public ? 'a versioned contract for systems outside the platform.' : 'between platform services; no compatibility promise to outside readers.'}`,
  ];
  if (definition.sealed !== undefined) {
    lines.push(
      `- **Sealed:** \`data\` travels encrypted (AES-256-GCM) under the data key of \`${definition.sealed}:<subject>\`, named by the \`datakeyid\` attribute (the other envelope attributes stay in clear); fetch keys from identity-resolution's \`POST /v1/data-keys/lookup\` (scope \`data-keys:use\`). An erasure destroys the customer's keys: a message whose key is gone is erased, skip it.`,
    );
  }
  if (definition.guide !== undefined) lines.push('', definition.guide);
  return {
    address: definition.name,
    title: definition.name,
    summary: definition.description,
    description: lines.join('\n'),
    messages,
    tags: [{ name: definition.public ? 'public' : 'internal' }],
    bindings: { kafka: { topicConfiguration, bindingVersion: KAFKA_BINDING_VERSION } },
    'x-public': definition.public,
    'x-key': definition.key,
    'x-producers': producers,
    'x-consumers': consumers,
  };
}

function operation(action: 'send' | 'receive', key: string, definition: TopicDefinition, service: PlatformService): AsyncApiOperation {
  const base = { action, channel: { $ref: `#/channels/${key}` }, tags: [{ name: service }] };
  if (action === 'send') {
    return { ...base, title: `${service} publishes to ${definition.name}`, summary: definition.description };
  }
  return {
    ...base,
    title: `${service} consumes ${definition.name}`,
    summary: `In batches, as consumer group ${service} unless KAFKA_GROUP_ID says otherwise; messages it cannot process go to dlq.${service}.v1.`,
    bindings: {
      kafka: {
        groupId: { type: 'string', default: service, description: 'KAFKA_GROUP_ID of the service.' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

function orderingOf(): string {
  return `Messages with the same key go to the same partition and are read in the order they were written; there is no order across keys.`;
}

function cleanupOf(definition: TopicDefinition): string {
  if (definition.cleanupPolicy === 'compact') {
    return 'log-compacted: the latest message per key is the full current state, so a consumer can rebuild by reading from the beginning; erasure and merge-away write tombstones (null values).';
  }
  const retention =
    definition.retentionMs !== undefined
      ? `kept for ${formatDuration(definition.retentionMs)} (retention.ms=${definition.retentionMs})`
      : "kept for the broker's default retention unless the operator sets retention.ms";
  return `delete: an event log, ${retention}.`;
}

function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours) ? `${hours} hours` : `${ms} ms`;
}

function list(parties: readonly TopicParty[]): string {
  return parties.length > 0 ? parties.join(', ') : 'nobody';
}

function participantServices(parties: readonly TopicParty[] | undefined): PlatformService[] {
  const services: readonly string[] = platformServices;
  return (parties ?? []).filter((party): party is PlatformService => services.includes(party));
}

function keySchema(definition: TopicDefinition): JsonSchema {
  return { type: 'string', description: definition.key };
}

function envelopeHeaders(type: string, version: number): JsonSchema {
  return {
    type: 'object',
    description:
      'Kafka headers (UTF-8 strings) repeating the envelope so a consumer can route without parsing the value, plus the W3C trace context.',
    properties: {
      [messageHeaders.eventType]: { type: 'string', const: type, description: 'The envelope type.' },
      [messageHeaders.eventVersion]: { type: 'string', const: String(version), description: 'The envelope version.' },
      [messageHeaders.eventId]: { type: 'string', description: 'The envelope id.' },
      [messageHeaders.subject]: { type: 'string', description: 'The envelope subject.' },
      [messageHeaders.contentType]: { type: 'string', const: 'application/json' },
      [messageHeaders.traceparent]: { type: 'string', description: 'W3C trace context of the producing span.' },
      [messageHeaders.tracestate]: { type: 'string', description: 'W3C trace state.' },
    },
    required: [
      messageHeaders.eventType,
      messageHeaders.eventVersion,
      messageHeaders.eventId,
      messageHeaders.subject,
      messageHeaders.contentType,
    ],
  };
}

function cloudEventsEnvelopeSchema(): JsonSchema {
  return {
    ...toSchema(
      z.object({ ...envelopeAttributes, data: z.unknown().describe('The payload: its schema is selected by type and version.') }),
    ),
    description: 'The envelope every enveloped message carries, whatever its type (each message below pins type, version and data).',
  };
}

/** The literal type and version an envelope schema pins. */
function envelopeIdentity(schema: z.ZodObject): { type: string; version: number } {
  const type = literalOf(schema.shape['type']);
  const version = literalOf(schema.shape['version']);
  if (typeof type !== 'string' || typeof version !== 'number')
    throw new Error('an envelope schema must pin type and version with literals');
  return { type, version };
}

function literalOf(schema: unknown): unknown {
  return schema instanceof z.ZodLiteral && schema.values.size === 1 ? schema.value : undefined;
}

function exampleOf(schema: z.ZodType, name: string): MessageExample {
  const found = messageExamples.find((candidate) => candidate.schema === schema);
  if (found === undefined) throw new Error(`no example for ${name}: add one to asyncapi.examples.ts`);
  return found;
}

/**
 * JSON Schema (draft-07, the base of AsyncAPI 3.0's schema format) of what a valid message may
 * look like on the wire: the input side of the zod schema, so defaulted fields are optional.
 * The contracts' own date-time regular expression is left out where the schema also says
 * format: date-time (RFC 3339 with an offset), to keep the document readable; the contracts are
 * only stricter in details (upper-case T and Z).
 */
function toSchema(schema: z.ZodType): JsonSchema {
  const converted = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'throw' });
  const { $schema: _dialect, ...rest } = converted;
  const dateTimePattern = z.toJSONSchema(z.iso.datetime({ offset: true }), { target: 'draft-7' }).pattern;
  return stripDateTimePatterns(rest, dateTimePattern) as JsonSchema;
}

function stripDateTimePatterns(value: unknown, pattern: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => stripDateTimePatterns(item, pattern));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const isDateTime = entries.some(([k, v]) => k === 'format' && v === 'date-time');
  return Object.fromEntries(
    entries.filter(([k, v]) => !(isDateTime && k === 'pattern' && v === pattern)).map(([k, v]) => [k, stripDateTimePatterns(v, pattern)]),
  );
}
