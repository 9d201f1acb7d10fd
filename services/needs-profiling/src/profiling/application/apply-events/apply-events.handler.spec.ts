import { createHash } from 'node:crypto';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { createEnvelope, type TopicBatch } from '@o2o/kafka';
import { loadWithSurvivors } from '@o2o/mongo';
import { readCopies } from '@o2o/testing';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { loadNeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { answered, day, ordered, track } from '../../domain/testing/resolved-event.factory';
import { ProfileLimitsReporter } from '../profile-limits.reporter';
import { ProfilingMetrics } from '../profiling.metrics';
import type { CustomerValues } from '../ports/customer-values';
import type { LoadedProfiles, NeedsProfileStore, ProfileWrite, StoredNeedsProfile } from '../ports/needs-profile.store';
import type { ProfileEventsPublisher } from '../ports/profile-events.publisher';
import { PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';
import { ApplyEventsHandler, ResolvedMessage } from './apply-events.handler';

/** Profiles in memory with the repository's contract (conditional on version), round trips counted. */
class MemoryProfiles implements NeedsProfileStore {
  readonly docs = new Map<string, StoredNeedsProfile>();
  loads = 0;
  readonly saves: ProfileWrite[][] = [];
  readonly marked: Array<{ id: string; version: number }> = [];
  /** Runs before the next save: a concurrent writer. */
  beforeSave: (() => void) | undefined;

  async loadResolving(ids: readonly string[]): Promise<LoadedProfiles> {
    this.loads++;
    return loadWithSurvivors(ids, readCopies(this.docs));
  }

  async save(writes: readonly ProfileWrite[]): Promise<Set<string>> {
    this.saves.push([...writes]);
    const race = this.beforeSave;
    this.beforeSave = undefined;
    race?.();
    const lost = new Set<string>();
    for (const w of writes) {
      const current = this.docs.get(w.id);
      if (w.exists ? current?.version !== w.expectedVersion : current !== undefined) {
        lost.add(w.id);
        continue;
      }
      this.docs.set(w.id, {
        ...current,
        _id: w.id,
        version: w.expectedVersion + 1,
        profile: w.profile,
        ...(w.published ? { published: w.published } : {}),
      });
    }
    return lost;
  }

  async markPublished(items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
    this.marked.push(...items.map((i) => ({ id: i.id, version: i.version })));
  }

  // The rest of the store's contract, which these use cases leave alone (asserted below).
  readonly otherCalls: string[] = [];

  async find(ids: readonly string[]): Promise<Map<string, StoredNeedsProfile>> {
    this.otherCalls.push('find');
    return new Map(
      ids.flatMap((id) => {
        const doc = this.docs.get(id);
        return doc ? [[id, structuredClone(doc)] as const] : [];
      }),
    );
  }

  async markMerged(id: string, survivorId: string, expectedVersion: number): Promise<boolean> {
    this.otherCalls.push('markMerged');
    const current = this.docs.get(id);
    if ((current?.version ?? 0) !== expectedVersion) return false;
    this.docs.set(id, { _id: id, version: expectedVersion + 1, mergedInto: survivorId });
    return true;
  }

  async clearTombstonePending(id: string): Promise<void> {
    this.otherCalls.push('clearTombstonePending');
    const current = this.docs.get(id);
    if (current) this.docs.set(id, { ...current, tombstonePending: false });
  }

  async page(afterId: string | undefined, limit: number): Promise<StoredNeedsProfile[]> {
    this.otherCalls.push('page');
    return [...this.docs.values()]
      .filter((d) => d.mergedInto === undefined && (afterId === undefined || d._id > afterId))
      .sort((a, b) => (a._id < b._id ? -1 : 1))
      .slice(0, limit);
  }
}

/** No customer scored: every customer weighs the same. */
class NoValues implements CustomerValues {
  async find(): Promise<Map<string, never>> {
    return new Map<string, never>();
  }
  async upsertNewer(): Promise<string[]> {
    throw new Error('events never write value states');
  }
  async remove(): Promise<number> {
    throw new Error('events never remove value states');
  }
}

class RecordingPublisher implements ProfileEventsPublisher {
  readonly calls: TopicBatch[][] = [];
  async publish(batches: TopicBatch[]): Promise<void> {
    this.calls.push(batches);
  }
}

const config = loadNeedsProfilingConfig({
  KAFKA_BROKERS: '127.0.0.1:9092',
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  REDIS_URL: 'redis://127.0.0.1:6379',
});

function setup() {
  const profiles = new MemoryProfiles();
  const publisher = new RecordingPublisher();
  const platform = new PlatformMetrics('test');
  const metrics = new ProfilingMetrics(platform);
  const limits = new ProfileLimitsReporter(platform, config, createLogger({ service: 'test', level: 'silent' }));
  const handler = new ApplyEventsHandler(
    profiles,
    new PublishProfilesHandler(profiles, publisher, metrics, new NoValues(), config),
    publisher,
    metrics,
    limits,
    config,
  );
  return { profiles, publisher, handler, metrics };
}

function message(data: ReturnType<typeof ordered>, correlationId: string): ResolvedMessage {
  return {
    trace: ROOT_CONTEXT,
    event: {
      ...createEnvelope({
        id: `src:${data.messageId}`,
        type: 'customer-event.resolved',
        version: 1,
        source: '/test',
        subject: data.customerId,
        data,
        correlationid: correlationId,
      }),
      version: 1 as const,
    },
  };
}

const published = (publisher: RecordingPublisher) => publisher.calls.flatMap((call) => call.flatMap((batch) => batch.events));

describe('ApplyEventsHandler', () => {
  it('turns several events of one customer into one write that records the publication sent just before', async () => {
    const { profiles, publisher, handler } = setup();
    const batch = [
      message(answered('contact-preferred-channel', 'sms', { customerId: 'cus_a', channel: 'app', at: day(1), id: 'e1' }), 'm1'),
      message(ordered({ categories: ['garden'] }, { customerId: 'cus_a', at: day(2), id: 'e2' }), 'm2'),
      message(ordered({ categories: ['books'] }, { customerId: 'cus_b', at: day(2), id: 'e3' }), 'm3'),
    ];

    await handler.execute(batch);

    expect(profiles.loads).toBe(1);
    expect(profiles.saves).toHaveLength(1);
    expect(profiles.saves[0]?.map((w) => w.id).sort()).toEqual(['cus_a', 'cus_b']);
    expect(profiles.marked).toEqual([]);
    expect(profiles.otherCalls).toEqual([]);
    expect(publisher.calls).toHaveLength(1);
    const sent = published(publisher);
    expect(sent.map((e) => e.key).sort()).toEqual(['cus_a', 'cus_b']);
    // What was sent is what the write stored as the last publication.
    for (const event of sent) expect(profiles.docs.get(event.key)?.published).toEqual(event.event.data);
    expect(sent.find((e) => e.key === 'cus_a')?.event).toMatchObject({ correlationid: 'm2', causationid: 'src:e2' });
  });

  it('writes and publishes nothing when the batch is delivered again', async () => {
    const { profiles, publisher, handler } = setup();
    const batch = [message(ordered({ categories: ['garden'] }, { customerId: 'cus_a', at: day(2), id: 'e1' }), 'm1')];
    await handler.execute(batch);
    const stored = structuredClone(profiles.docs.get('cus_a'));

    await handler.execute(batch);

    expect(profiles.saves.at(-1)).toEqual([]);
    expect(published(publisher)).toHaveLength(1);
    expect(profiles.docs.get('cus_a')).toEqual(stored);
  });

  it('after a lost race, re-applies on the winner’s state and publishes again so the last state sent is the stored one', async () => {
    const { profiles, publisher, handler } = setup();
    await handler.execute([message(ordered({ categories: ['garden'] }, { customerId: 'cus_a', at: day(1), id: 'e1' }), 'm1')]);
    profiles.beforeSave = () => {
      const doc = profiles.docs.get('cus_a');
      if (doc) profiles.docs.set('cus_a', { ...doc, version: doc.version + 1 });
    };

    await handler.execute([
      message(answered('contact-preferred-channel', 'sms', { customerId: 'cus_a', channel: 'app', at: day(2), id: 'e2' }), 'm2'),
    ]);

    expect(profiles.saves).toHaveLength(3);
    expect(profiles.docs.get('cus_a')?.version).toBe(3);
    const last = published(publisher).at(-1);
    expect(last?.key).toBe('cus_a');
    expect(profiles.docs.get('cus_a')?.published).toEqual(last?.event.data);
  });

  it('tombstones again a customer it published for that was merged away before its write', async () => {
    const { profiles, publisher, handler } = setup();
    await handler.execute([message(ordered({ categories: ['garden'] }, { customerId: 'cus_b', at: day(1), id: 'e1' }), 'm1')]);
    profiles.beforeSave = () => {
      const doc = profiles.docs.get('cus_b');
      if (!doc?.profile) return;
      // The merge handler folded cus_b into cus_a between this batch's read and its write.
      profiles.docs.set('cus_a', { _id: 'cus_a', version: 1, profile: { ...doc.profile, customerId: 'cus_a', mergedIds: ['cus_b'] } });
      profiles.docs.set('cus_b', { _id: 'cus_b', version: doc.version + 1, mergedInto: 'cus_a' });
    };

    await handler.execute([
      message(answered('contact-preferred-channel', 'sms', { customerId: 'cus_b', channel: 'app', at: day(2), id: 'e2' }), 'm2'),
    ]);

    const retry = publisher.calls.at(-1)?.[0];
    expect(retry?.tombstones?.map((t) => t.key)).toEqual(['cus_b']);
    expect(retry?.events.map((e) => e.key)).toEqual(['cus_a']);
  });

  it('counts the batch’s publications per cause and its skipped inputs per reason, each event and publication once', async () => {
    const { handler, metrics } = setup();
    await handler.execute([
      message(ordered({ categories: ['garden'] }, { customerId: 'cus_a', at: day(1), id: 'e1' }), 'm1'),
      message(ordered({ categories: ['books'] }, { customerId: 'cus_b', at: day(1), id: 'e2' }), 'm2'),
      message(ordered({ categories: ['toys'] }, { customerId: 'cus_c', at: day(1), id: 'e3' }), 'm3'),
      // Two inputs the profile cannot use, of one reason, from two customers.
      message(track('Question Asked', {}, { customerId: 'cus_a', at: day(2), id: 'e4' }), 'm4'),
      message(track('Question Asked', {}, { customerId: 'cus_b', at: day(2), id: 'e5' }), 'm5'),
    ]);

    const published = (await metrics.published.get()).values;
    expect(published.map((v) => [v.labels['cause'], v.value])).toEqual([['event', 3]]);
    const skipped = (await metrics.skipped.get()).values;
    expect(skipped.map((v) => [v.labels['reason'], v.value])).toEqual([['unknown-question', 2]]);
  });

  it('names each publication by the digest of the payload the write stores as the last publication', async () => {
    const { profiles, publisher, handler } = setup();
    await handler.execute([
      message(ordered({ categories: ['garden'] }, { customerId: 'cus_a', at: day(1), id: 'e1' }), 'm1'),
      message(answered('contact-preferred-channel', 'sms', { customerId: 'cus_b', channel: 'app', at: day(1), id: 'e2' }), 'm2'),
    ]);

    const sent = published(publisher);
    expect(sent).toHaveLength(2);
    for (const event of sent) {
      const stored = profiles.docs.get(event.key)?.published;
      expect(stored).toEqual(event.event.data);
      const digest = createHash('sha256').update(JSON.stringify(stored)).digest('hex').slice(0, 16);
      expect(event.event.id).toBe(`needs:${event.key}:1:${digest}`);
    }
  });
});
