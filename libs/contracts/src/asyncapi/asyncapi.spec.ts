import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseEnvelope, platformServices, topics, type TopicDefinition } from '../topics';
import { asyncApiDocumentVersion, buildAsyncApiDocument, messageName, type AsyncApiMessage, type JsonSchema } from './asyncapi';
import { messageExamples } from './asyncapi.examples';

const document = buildAsyncApiDocument();
const definitions = Object.entries(topics) as Array<[string, TopicDefinition]>;

function messagesOf(channelKey: string): AsyncApiMessage[] {
  const channel = document.channels[channelKey];
  if (channel === undefined) throw new Error(`no channel ${channelKey}`);
  return Object.values(channel.messages).map((ref) => {
    const name = ref.$ref.replace('#/components/messages/', '');
    const message = document.components.messages[name];
    if (message === undefined) throw new Error(`dangling reference ${ref.$ref}`);
    return message;
  });
}

function eventIdentity(schema: z.ZodObject): string {
  const { type, version } = schema.shape as { type: z.ZodLiteral<string>; version: z.ZodLiteral<number> };
  return messageName(type.value, version.value);
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const compiled = new Map<JsonSchema, ValidateFunction>();
function validator(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

describe('the AsyncAPI document', () => {
  it('has a channel for every topic of the map, at its name, with its cleanup policy, retention, key, visibility and parties', () => {
    for (const [key, definition] of definitions) {
      const channel = document.channels[key];
      expect(channel).toBeDefined();
      if (channel === undefined) continue;
      expect(channel.address).toBe(definition.name);
      expect(channel.bindings.kafka.topicConfiguration['cleanup.policy']).toEqual([definition.cleanupPolicy]);
      expect(channel.bindings.kafka.topicConfiguration['retention.ms']).toBe(definition.retentionMs);
      expect(channel['x-key']).toBe(definition.key);
      expect(channel.tags).toEqual([{ name: definition.public ? 'public' : 'internal' }]);
      expect(channel['x-producers'].length).toBeGreaterThan(0);
      expect(channel['x-producers']).toEqual(definition.producers);
      expect(channel['x-consumers']).toEqual(definition.consumers);
      for (const message of messagesOf(key)) expect(message.bindings.kafka.key).toEqual({ type: 'string', description: definition.key });
    }
    const topicNames = definitions.map(([, d]) => d.name);
    const documented = Object.values(document.channels).map((c) => c.address);
    expect(documented).toEqual([...topicNames, 'dlq.{consumerGroup}.v1']);
  });

  it('carries one message per event type and version of each topic, and tombstones exactly on compacted topics', () => {
    for (const [key, definition] of definitions) {
      const names = messagesOf(key).map((m) => m.name);
      const expected = definition.events === null ? ['segment-message.v1'] : definition.events.map(eventIdentity);
      if (definition.cleanupPolicy === 'compact') expected.push('tombstone');
      expect(names).toEqual(expected);
    }
  });

  it('pins type and version in each enveloped message schema and its headers', () => {
    for (const [key, definition] of definitions) {
      if (definition.events === null) continue;
      for (const message of messagesOf(key).filter((m) => m.name !== 'tombstone')) {
        const [type, version] = [
          message.name.slice(0, message.name.lastIndexOf('.v')),
          Number(message.name.slice(message.name.lastIndexOf('.v') + 2)),
        ];
        const properties = message.payload.properties ?? {};
        expect(properties['type']).toMatchObject({ const: type });
        expect(properties['version']).toMatchObject({ const: version });
        expect(message.payload.required).toEqual(
          expect.arrayContaining(['specversion', 'id', 'source', 'type', 'version', 'time', 'subject', 'data']),
        );
        expect(message.headers?.properties?.['ce_type']).toMatchObject({ const: type });
        expect(message.headers?.properties?.['ce_version']).toMatchObject({ const: String(version) });
      }
    }
  });

  it('has a send operation for every producing service and a receive operation for every consuming service', () => {
    const services: readonly string[] = platformServices;
    for (const [key, definition] of definitions) {
      for (const [action, parties] of [
        ['send', definition.producers],
        ['receive', definition.consumers],
      ] as const) {
        const expected = (parties ?? []).filter((p) => services.includes(p)).map((service) => `${service}.${action}.${key}`);
        const actual = Object.entries(document.operations)
          .filter(([, op]) => op.action === action && op.channel.$ref === `#/channels/${key}`)
          .map(([id]) => id);
        expect(actual).toEqual(expected);
      }
    }
    for (const op of Object.values(document.operations)) {
      expect(document.channels[op.channel.$ref.replace('#/channels/', '')]).toBeDefined();
    }
  });

  it('describes segments.membership and campaigns.decisions for downstream subscribers', () => {
    const membership = document.channels['segmentMembership']?.description ?? '';
    for (const point of ['entered', 'exited', 'sequence', 'from the beginning', 'Merges', 'Splits', 'erased', 'Keyed by customer id']) {
      expect(membership).toContain(point);
    }
    const decisions = document.channels['campaignDecisions']?.description ?? '';
    for (const point of ['kind = offer', 'kind = control', 'deliver nothing', 'decisionId', 'Keyed by customer id']) {
      expect(decisions).toContain(point);
    }
    expect(document.channels['segmentMembership']?.tags).toEqual([{ name: 'public' }]);
  });

  it('documents every field of every payload, however deeply nested', () => {
    const undocumented: string[] = [];
    const walk = (schema: JsonSchema, at: string): void => {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        if (typeof property !== 'object') continue;
        if (property.description === undefined) undocumented.push(`${at}.${field}`);
        walk(property, `${at}.${field}`);
      }
      const nested = [
        ...(schema.oneOf ?? []),
        ...(schema.anyOf ?? []),
        ...(typeof schema.items === 'object' && !Array.isArray(schema.items) ? [schema.items] : []),
      ];
      for (const inner of nested) if (typeof inner === 'object') walk(inner, at);
    };
    let walked = 0;
    for (const [key] of definitions) {
      for (const message of messagesOf(key).filter((m) => m.name !== 'tombstone')) {
        walk(message.payload, message.name);
        walked += 1;
      }
    }
    expect(walked).toBe(messageExamples.length);
    expect(undocumented).toEqual([]);
  });

  it('is versioned like the contracts package', () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(asyncApiDocumentVersion).toBe(manifest.version);
  });
});

describe('the examples', () => {
  it('exist for every message of every topic, and each is accepted by the contract and by the generated schema', () => {
    let checked = 0;
    for (const [key, definition] of definitions) {
      const schemas: z.ZodType[] =
        definition.events === null ? (definition.rawSchema ? [definition.rawSchema] : []) : [...definition.events];
      for (const schema of schemas) {
        const example = messageExamples.find((e) => e.schema === schema);
        expect(example).toBeDefined();
        if (example === undefined) continue;
        expect(schema.safeParse(example.payload).success).toBe(true);
        if (definition.events !== null) expect(parseEnvelope(definition, example.payload).ok).toBe(true);
        const message = messagesOf(key).find((m) => m.examples?.[0]?.payload === example.payload);
        expect(message).toBeDefined();
        if (message === undefined) continue;
        const validate = validator(message.payload);
        expect({ message: message.name, valid: validate(example.payload), errors: validate.errors ?? null }).toEqual({
          message: message.name,
          valid: true,
          errors: null,
        });
        const headers = message.examples?.[0]?.headers;
        if (message.headers !== undefined) expect(validator(message.headers)(headers)).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBe(messageExamples.length);
  });

  it('are rejected by the generated schema once broken, so the validation above is not vacuous', () => {
    for (const message of Object.values(document.components.messages)) {
      const example = message.examples?.[0]?.payload;
      if (typeof example !== 'object' || example === null || message.name === 'segment-message.v1') continue;
      const validate = validator(message.payload);
      const { data: _data, ...withoutData } = example as Record<string, unknown>;
      expect(validate(withoutData)).toBe(false);
      expect(validate({ ...example, version: 99 })).toBe(false);
      expect(validate({ ...example, time: 'yesterday' })).toBe(false);
    }
    const intake = document.components.messages['segment-message.v1'];
    expect(intake).toBeDefined();
    if (intake !== undefined) expect(validator(intake.payload)({ type: 'track', userId: 'u-1' })).toBe(false);
  });

  it('are judged alike by the contract and by the generated schema after any one field is changed or removed', () => {
    // The raw intake schema is left out: its "userId or anonymousId" rule and trimming are
    // checked by ingestion and cannot be said in JSON Schema (its description says so).
    const enveloped = Object.values(document.components.messages).filter(
      (m) => m.name !== 'segment-message.v1' && m.examples?.[0] !== undefined,
    );
    expect(enveloped.length).toBe(messageExamples.length - 1);
    const REMOVE = Symbol('remove');
    for (const message of enveloped) {
      const example = message.examples?.[0]?.payload;
      const contract = messageExamples.find((e) => e.payload === example);
      if (contract === undefined) throw new Error(`no contract for ${message.name}`);
      const paths = pathsOf(example);
      const validate = validator(message.payload);
      fc.assert(
        fc.property(fc.constantFrom(...paths), fc.oneof(fc.constant<typeof REMOVE>(REMOVE), fc.jsonValue()), (at, replacement) => {
          const changed = withChange(example, at, replacement === REMOVE ? undefined : replacement, replacement === REMOVE);
          expect({ message: message.name, at: at.join('.'), schema: validate(changed) }).toEqual({
            message: message.name,
            at: at.join('.'),
            schema: contract.schema.safeParse(changed).success,
          });
        }),
        { numRuns: 200 },
      );
    }
  });

  it('validate a tombstone as null only', () => {
    const tombstone = document.components.messages['tombstone'];
    expect(tombstone).toBeDefined();
    if (tombstone === undefined) return;
    expect(validator(tombstone.payload)(null)).toBe(true);
    expect(validator(tombstone.payload)({})).toBe(false);
  });
});

type Path = Array<string | number>;

/** Every path to a value inside an example (objects, arrays and leaves), except the root. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const children: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i): [number, unknown] => [i, v])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  return children.flatMap(([key, child]) => [[...at, key], ...pathsOf(child, [...at, key])]);
}

/** A deep copy of value with the value at path replaced, or removed. */
function withChange(value: unknown, path: Path, replacement: unknown, remove: boolean): unknown {
  const copy: unknown = structuredClone(value);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path[path.length - 1];
  if (last === undefined || typeof parent !== 'object' || parent === null) return copy;
  if (remove && Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (remove) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = replacement;
  return copy;
}
