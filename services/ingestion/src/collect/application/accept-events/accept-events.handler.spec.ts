import type { SegmentMessageV1 } from '@o2o/contracts';
import type { PublishOptions, TopicBatch } from '@o2o/kafka';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { loadIngestionConfig } from '../../../config/ingestion.config';
import { IngestionMetrics } from '../ingestion.metrics';
import type { ClaimOutcome, DedupClaims, EventLog } from '../ports';
import { AcceptEventsHandler, EventStoreUnavailableError } from './accept-events.handler';

/** Claims in memory with the store's contract: pending until confirmed, forgotten when released. */
class MemoryDedup implements DedupClaims {
  readonly pending = new Set<string>();
  readonly done = new Set<string>();
  down = false;

  async claim(sourceId: string, messageIds: string[]): Promise<ClaimOutcome[]> {
    if (this.down) throw new Error('redis is down');
    return messageIds.map((id) => {
      const key = `${sourceId}:${id}`;
      if (this.done.has(key)) return 'done';
      if (this.pending.has(key)) return 'pending';
      this.pending.add(key);
      return 'fresh';
    });
  }

  async confirm(sourceId: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) {
      this.pending.delete(`${sourceId}:${id}`);
      this.done.add(`${sourceId}:${id}`);
    }
  }

  async release(sourceId: string, messageIds: string[]): Promise<void> {
    for (const id of messageIds) this.pending.delete(`${sourceId}:${id}`);
  }
}

/** The event log: records what was committed; `failNext` makes the next write fail (aborted). */
class RecordingLog implements EventLog {
  readonly written: TopicBatch[][] = [];
  failNext = false;

  async publish(batches: TopicBatch[], _options?: PublishOptions): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unreachable');
    }
    this.written.push(batches);
  }
}

const config = loadIngestionConfig({
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  REDIS_URL: 'redis://127.0.0.1:6379',
});
const source = { id: 'web', channel: 'web' as const };
const track = (messageId: string): SegmentMessageV1 => ({ type: 'track', userId: 'u1', event: 'Viewed', messageId }) as SegmentMessageV1;
const ids = (log: RecordingLog) => log.written.flatMap((call) => call.flatMap((b) => b.events.map((e) => e.event.id)));

function setup() {
  const dedup = new MemoryDedup();
  const log = new RecordingLog();
  const handler = new AcceptEventsHandler(
    log,
    dedup,
    new IngestionMetrics(new PlatformMetrics('test')),
    config,
    createLogger({ service: 'test', level: 'silent' }),
  );
  return { dedup, log, handler };
}

describe('AcceptEventsHandler', () => {
  it('writes each messageId once: a repeat within the request or in a later one is a duplicate', async () => {
    const { log, handler } = setup();

    expect(
      await handler.execute({ source, messages: [track('m1'), track('m2'), track('m1')], receivedAt: new Date('2026-01-01T00:00:00Z') }),
    ).toEqual({ accepted: 2, duplicates: 1 });
    expect(await handler.execute({ source, messages: [track('m2'), track('m3')], receivedAt: new Date('2026-01-01T00:00:01Z') })).toEqual({
      accepted: 1,
      duplicates: 1,
    });

    expect(ids(log)).toEqual(['web:m1', 'web:m2', 'web:m3']);
  });

  it('gives the claims back when the write fails, so the retry is written', async () => {
    const { dedup, log, handler } = setup();
    log.failNext = true;

    await expect(handler.execute({ source, messages: [track('m1')], receivedAt: new Date() })).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(dedup.pending.size).toBe(0);
    expect(await handler.execute({ source, messages: [track('m1')], receivedAt: new Date() })).toEqual({ accepted: 1, duplicates: 0 });
    expect(ids(log)).toEqual(['web:m1']);
  });

  it('answers unavailable, writing nothing, while another request holds a claim', async () => {
    const { dedup, log, handler } = setup();
    dedup.pending.add('web:m1');

    await expect(handler.execute({ source, messages: [track('m1')], receivedAt: new Date() })).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(log.written).toEqual([]);
  });

  it('forwards without deduplication when the claim store is down', async () => {
    const { dedup, log, handler } = setup();
    dedup.down = true;

    expect(await handler.execute({ source, messages: [track('m1')], receivedAt: new Date() })).toEqual({ accepted: 1, duplicates: 0 });
    expect(await handler.execute({ source, messages: [track('m1')], receivedAt: new Date() })).toEqual({ accepted: 1, duplicates: 0 });
    expect(ids(log)).toEqual(['web:m1', 'web:m1']);
  });
});
