import { KafkaMessage } from 'kafkajs';
import { IdentitySnapshotDataV1, TopicDefinition } from '@o2o/contracts';
import { createEnvelope } from '../envelope-factory';
import { PartitionBatch, PartitionPayload } from './partition-batch';

/** What a fake partition payload was asked to do (unit specs only: no Kafka in them). */
export interface PayloadLog {
  resolved: string[];
  commits: number;
  heartbeats: number;
}

export interface FakePayloadOptions {
  topic?: string;
  partition?: number;
  /** Offset of the first message (default 0). */
  firstOffset?: number;
  highWatermark?: number;
  stale?: () => boolean;
  heartbeat?: () => Promise<void>;
  commit?: () => Promise<void>;
}

export function message(
  value: string | Buffer | null,
  offset: number,
  options: { key?: string; headers?: Record<string, string> } = {},
): KafkaMessage {
  return {
    key: options.key === undefined ? null : Buffer.from(options.key),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    timestamp: String(Date.now()),
    attributes: 0,
    offset: String(offset),
    headers: options.headers ?? {},
  };
}

/** A partition batch of `values` (JSON-encoded unless a Buffer or null) behind a payload that records what was asked of it. */
export function partitionBatch(
  definition: TopicDefinition,
  values: Array<unknown>,
  options: FakePayloadOptions & { keys?: Array<string | undefined>; headers?: Array<Record<string, string> | undefined> } = {},
): { member: PartitionBatch; log: PayloadLog } {
  const first = options.firstOffset ?? 0;
  const messages = values.map((value, i) => {
    const raw = value === null || Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
    const key = options.keys?.[i];
    const headers = options.headers?.[i];
    return message(raw, first + i, { ...(key === undefined ? {} : { key }), ...(headers === undefined ? {} : { headers }) });
  });
  const log: PayloadLog = { resolved: [], commits: 0, heartbeats: 0 };
  const last = String(first + messages.length - 1);
  const payload: PartitionPayload = {
    batch: {
      topic: options.topic ?? `test.${definition.name}`,
      partition: options.partition ?? 0,
      messages,
      lastOffset: () => last,
      offsetLag: () => String(Math.max(0, (options.highWatermark ?? first + messages.length) - (first + messages.length))),
    },
    heartbeat: async () => {
      log.heartbeats++;
      await options.heartbeat?.();
    },
    isStale: () => options.stale?.() ?? false,
    resolveOffset: (offset: string) => {
      log.resolved.push(offset);
    },
    commitOffsetsIfNecessary: async () => {
      log.commits++;
      await options.commit?.();
    },
  };
  return {
    member: {
      payload,
      contractName: definition.name,
      definition,
      stale: false,
      settle: { resolve: () => undefined, reject: () => undefined },
    },
    log,
  };
}

/** A valid identity.snapshot envelope for one customer (the transport specs' good message). */
export const snapshotEnvelope = (customerId: string, updatedAt = new Date(0).toISOString()) =>
  createEnvelope<'identity.snapshot', IdentitySnapshotDataV1>({
    type: 'identity.snapshot',
    version: 1,
    source: '/test',
    subject: customerId,
    data: { customerId, identifiers: [], mergedIds: [], updatedAt },
  });
