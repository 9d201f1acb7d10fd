import { ROOT_CONTEXT } from '@opentelemetry/api';
import { KafkaMessage } from 'kafkajs';
import { DeadLetterReason, TopicDefinition, parseEnvelope } from '@o2o/contracts';
import { openEvent, SealBrokenError, sealedKeyId } from '../data-keys';
import { DeadLetter, Decoded, DecodedItem, describeError, PartitionBatch } from './partition-batch';

/**
 * Decoding: a message's value into what its handler receives (an event of the topic's contract,
 * a tombstone, or the raw bytes of a raw topic), or a dead-letter reason. Each value is parsed
 * once per call; sealed events are opened with keys fetched for the whole call.
 */

export const subjectHeader = 'ce_subject';

export type JsonValue = { json: unknown } | { error: string } | { empty: true };

export function parseJson(message: KafkaMessage): JsonValue {
  if (message.value === null || message.value.length === 0) return { empty: true };
  try {
    return { json: JSON.parse(message.value.toString('utf8')) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** A value's JSON, or undefined when it is not JSON. */
export function parseJsonValue(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The subject of a message before decoding: its ce_subject header, else its key. */
export function headerSubject(message: KafkaMessage): string | undefined {
  return message.headers?.[subjectHeader]?.toString() ?? message.key?.toString();
}

export function subjectOf(event: unknown): string {
  return typeof event === 'object' && event !== null && typeof (event as { subject?: unknown }).subject === 'string'
    ? (event as { subject: string }).subject
    : '';
}

/** The distinct subjects of a call's messages (for skipSubjects, asked once per call). */
export function subjectsOf(group: readonly PartitionBatch[]): string[] {
  const subjects = new Set<string>();
  for (const member of group) {
    for (const m of member.payload.batch.messages) {
      const subject = headerSubject(m);
      if (subject) subjects.add(subject);
    }
  }
  return [...subjects];
}

/** Each message's value parsed once, in group order, and the data keys the sealed ones need (raw topics are not parsed). */
export function parseGroup(definition: TopicDefinition, group: readonly PartitionBatch[]): { values: JsonValue[]; keyIds: string[] } {
  const values: JsonValue[] = [];
  const kids = new Set<string>();
  if (definition.events !== null) {
    for (const member of group) {
      for (const message of member.payload.batch.messages) {
        const value = parseJson(message);
        values.push(value);
        const kid = 'json' in value ? sealedKeyId(value.json) : undefined;
        if (kid) kids.add(kid);
      }
    }
  }
  return { values, keyIds: [...kids] };
}

export type DecodeResult = Decoded | { reason: DeadLetterReason; error: string } | { shredded: true };

export function decodeMessage(
  definition: TopicDefinition,
  partition: number,
  message: KafkaMessage,
  value: JsonValue | undefined,
  keys: Map<string, Buffer>,
): DecodeResult {
  const key = message.key ? message.key.toString('utf8') : null;
  const headers = message.headers ?? {};
  if (definition.events === null) {
    return {
      kind: 'raw',
      key,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      headers,
      trace: ROOT_CONTEXT,
      value: message.value ?? Buffer.alloc(0),
    };
  }
  const read = value ?? parseJson(message);
  if ('empty' in read) {
    if (definition.cleanupPolicy === 'compact' && key !== null)
      return { kind: 'tombstone', key, partition, offset: message.offset, timestamp: message.timestamp, headers, trace: ROOT_CONTEXT };
    return { reason: 'invalid-envelope', error: 'empty message value' };
  }
  if ('error' in read) return { reason: 'invalid-json', error: read.error };
  let json = read.json;
  const kid = sealedKeyId(json);
  if (kid !== undefined) {
    const dataKey = keys.get(kid);
    if (!dataKey) return { shredded: true };
    try {
      json = openEvent(json as Record<string, unknown>, dataKey);
    } catch (error) {
      if (error instanceof SealBrokenError) return { reason: 'invalid-envelope', error: error.message };
      throw error;
    }
  }
  const parsed = parseEnvelope(definition, json);
  if (!parsed.ok) return { reason: parsed.reason, error: parsed.message };
  return {
    kind: 'event',
    key,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    headers,
    trace: ROOT_CONTEXT,
    event: parsed.event,
  };
}

export interface DecodedGroup {
  /** What the handler gets, in group order (their trace is set by message-tracing). */
  items: DecodedItem[];
  /** Messages wrong in themselves (not JSON, not the contract, a broken seal). */
  deadLetters: DeadLetter[];
  /** Sealed events whose key was destroyed by an erasure: gone, not bad. */
  shredded: number;
  /** Events of subjects the caller asked to skip (erased customers). */
  skipped: number;
}

/** Decodes every message of a call, given its parsed values (parseGroup), data keys and subjects to skip. */
export function decodeGroup(
  definition: TopicDefinition,
  group: readonly PartitionBatch[],
  values: readonly JsonValue[],
  keys: Map<string, Buffer>,
  skip: ReadonlySet<string>,
): DecodedGroup {
  const out: DecodedGroup = { items: [], deadLetters: [], shredded: 0, skipped: 0 };
  let index = 0;
  for (const member of group) {
    const { partition } = member.payload.batch;
    for (const message of member.payload.batch.messages) {
      const result = decodeMessage(definition, partition, message, values[index++], keys);
      if ('shredded' in result) {
        out.shredded++;
        continue;
      }
      if ('reason' in result) {
        out.deadLetters.push({ message, partition, reason: result.reason, error: result.error, attempts: 0 });
        continue;
      }
      if (skip.size > 0 && result.kind === 'event' && skip.has(subjectOf(result.event))) {
        out.skipped++;
        continue;
      }
      out.items.push({ source: message, partition, owner: member, consumed: result, span: undefined });
    }
  }
  return out;
}
