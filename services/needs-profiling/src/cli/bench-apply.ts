/**
 * The event handler's own CPU per event (`npm run bench:needs-apply`): what needs-profiling does
 * with a batch of resolved events between the transport and the database, without either. Runs
 * ApplyEventsHandler (the in-memory fold, the journal entries, the publication's decision and
 * payloads, the write's documents) over batches of the bench's event mix, with the profiles
 * kept in memory as the repository stores them (profile, publication and journal entries as
 * JSON text, decoded on read), a publisher that answers at once and no value states. Prints µs
 * of process CPU per event for each pass, and their median.
 *
 *   node services/needs-profiling/dist/cli/bench-apply.js [--customers 600] [--batch 300] [--batches 24] [--passes 5] [--seed 42]
 */
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resolvedEventDataV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import { createEnvelope, type TopicBatch } from '@o2o/kafka';
import { loadWithSurvivors } from '@o2o/mongo';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { seededUniform } from '@o2o/random';
import { loadNeedsProfilingConfig } from '../config/needs-profiling.config';
import { ApplyEventsHandler, type ResolvedMessage } from '../profiling/application/apply-events/apply-events.handler';
import type { CustomerValues } from '../profiling/application/ports/customer-values';
import type {
  LoadedProfiles,
  NeedsProfileStore,
  ProfileWrite,
  StoredNeedsProfile,
} from '../profiling/application/ports/needs-profile.store';
import type { ProfileEventsPublisher } from '../profiling/application/ports/profile-events.publisher';
import { ProfileLimitsReporter } from '../profiling/application/profile-limits.reporter';
import { ProfilingMetrics } from '../profiling/application/profiling.metrics';
import { PublishProfilesHandler } from '../profiling/application/publish-profiles/publish-profiles.handler';
import {
  fromDocument,
  journalText,
  profileFields,
  publishedFields,
  type NeedsProfileDocument,
} from '../profiling/infrastructure/needs-profile.document';

/** Documents as the repository stores them (text), so encoding and decoding cost what they cost there. */
class TextProfiles implements NeedsProfileStore {
  private readonly docs = new Map<string, NeedsProfileDocument>();

  async loadResolving(ids: readonly string[]): Promise<LoadedProfiles> {
    return loadWithSurvivors(ids, async (missing) => this.find(missing));
  }

  async find(ids: readonly string[]): Promise<Map<string, StoredNeedsProfile>> {
    const found = new Map<string, StoredNeedsProfile>();
    for (const id of new Set(ids)) {
      const doc = this.docs.get(id);
      if (doc !== undefined) found.set(id, fromDocument({ ...doc, journal: undefined }));
    }
    return found;
  }

  async save(writes: readonly ProfileWrite[], journalLimit: number): Promise<Set<string>> {
    for (const w of writes) {
      const current = this.docs.get(w.id);
      const appended = w.journal && 'append' in w.journal ? journalText(w.journal.append) : [];
      this.docs.set(w.id, {
        ...current,
        _id: w.id,
        ...profileFields(w.profile),
        version: w.expectedVersion + 1,
        ...(w.published !== undefined ? publishedFields(w.published) : {}),
        journal: [...(current?.journal ?? []), ...appended].slice(-journalLimit),
      });
    }
    return new Set();
  }

  async markPublished(items: ReadonlyArray<{ id: string; version: number; published: StoredNeedsProfile['published'] }>): Promise<void> {
    for (const item of items) {
      const current = this.docs.get(item.id);
      if (current?.version === item.version && item.published !== undefined)
        this.docs.set(item.id, { ...current, ...publishedFields(item.published) });
    }
  }

  async findOne(): Promise<StoredNeedsProfile | undefined> {
    throw new Error('not used by the event handler');
  }
  async markMerged(): Promise<boolean> {
    throw new Error('not used by the event handler');
  }
  async clearTombstonePending(): Promise<void> {
    throw new Error('not used by the event handler');
  }
  async page(): Promise<StoredNeedsProfile[]> {
    throw new Error('not used by the event handler');
  }
}

class NoValues implements CustomerValues {
  async find(): Promise<Map<string, never>> {
    return new Map<string, never>();
  }
  async upsertNewer(): Promise<string[]> {
    return [];
  }
  async remove(): Promise<number> {
    return 0;
  }
}

class CountingPublisher implements ProfileEventsPublisher {
  sent = 0;
  async publish(batches: TopicBatch[]): Promise<void> {
    for (const batch of batches) this.sent += batch.events.length;
  }
}

/** The bench's mix (libs/bench's event generator, roughly): views, orders, email, answers, identifies, consents, screens. */
function eventMix(customers: number, count: number, seed: number): ResolvedEventDataV1[] {
  const rnd = seededUniform(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const categories = ['shoes', 'travel', 'home-office', 'books', 'garden', 'toys'];
  const t0 = Date.parse('2026-12-01T00:00:00.000Z');
  return Array.from({ length: count }, (_, seq) => {
    const c = Math.floor(rnd() * customers);
    const at = new Date(t0 + seq * 1000).toISOString();
    const base = {
      messageId: `m-${seq}`,
      sourceId: 'web',
      channel: 'web',
      customerId: `cus_${c}`,
      identifiers: [
        { type: 'userId', value: `user-${c}` },
        { type: 'email', value: `c${c}@example.com` },
      ],
      timestamp: at,
      receivedAt: at,
    };
    const r = rnd() * 100;
    const category = pick(categories);
    const fields =
      r < 35
        ? { eventType: 'track', event: 'Product Viewed', properties: { product_id: `sku-${category}-1`, category, price: 40 } }
        : r < 50
          ? {
              eventType: 'track',
              event: 'Order Completed',
              properties: {
                order_id: `o-${seq}`,
                revenue: 80,
                currency: 'EUR',
                products: [{ product_id: 'sku', category, price: 80, quantity: 1 }],
              },
            }
          : r < 65
            ? { channel: 'email', eventType: 'track', event: 'Email Opened', properties: { campaign: 'weekly-news' } }
            : r < 75
              ? {
                  channel: 'call-centre',
                  eventType: 'track',
                  event: 'Question Answered',
                  properties: { questionId: 'work-location', answer: pick(['home', 'office', 'hybrid']), purpose: 'personalisation' },
                }
              : r < 85
                ? { eventType: 'identify', traits: { email: `c${c}@example.com`, firstName: 'Ann', loyaltyCard: `L${c}` } }
                : r < 90
                  ? {
                      eventType: 'track',
                      event: 'Consent Updated',
                      properties: { purpose: 'personalisation', channel: 'email', granted: true, wordingVersion: 'v3' },
                    }
                  : { channel: 'app', eventType: 'screen', name: 'Home', properties: { category } };
    return resolvedEventDataV1.parse({ ...base, ...fields });
  });
}

function message(data: ResolvedEventDataV1): ResolvedMessage {
  return {
    trace: ROOT_CONTEXT,
    event: {
      ...createEnvelope({
        id: `ingest:${data.messageId}`,
        type: 'customer-event.resolved',
        version: 1,
        source: '/bench',
        subject: data.customerId,
        data,
        correlationid: data.messageId,
      }),
      version: 1 as const,
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '600' },
      batch: { type: 'string', default: '300' },
      batches: { type: 'string', default: '24' },
      passes: { type: 'string', default: '5' },
      seed: { type: 'string', default: '42' },
    },
  });
  const [customers, batchSize, batches, passes, seed] = [values.customers, values.batch, values.batches, values.passes, values.seed].map(
    Number,
  ) as [number, number, number, number, number];
  const config = loadNeedsProfilingConfig({
    KAFKA_BROKERS: '127.0.0.1:9092',
    MONGO_URL: 'mongodb://127.0.0.1:27017',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
  const events = eventMix(customers, batchSize * batches, seed).map(message);
  const platform = new PlatformMetrics('bench');
  const metrics = new ProfilingMetrics(platform);
  const limits = new ProfileLimitsReporter(platform, config, createLogger({ service: 'bench', level: 'silent' }));

  // Each pass starts from empty profiles and folds every batch in turn, as a fresh population would be.
  const pass = async (): Promise<{ micros: number; sent: number }> => {
    const profiles = new TextProfiles();
    const publisher = new CountingPublisher();
    const handler = new ApplyEventsHandler(
      profiles,
      new PublishProfilesHandler(profiles, publisher, metrics, new NoValues(), config),
      publisher,
      metrics,
      limits,
      config,
    );
    const start = process.cpuUsage();
    for (let i = 0; i < batches; i++) await handler.execute(events.slice(i * batchSize, (i + 1) * batchSize));
    const used = process.cpuUsage(start);
    return { micros: (used.user + used.system) / events.length, sent: publisher.sent };
  };

  await pass(); // warm-up: the JIT, zod's compiled schemas, the instant caches
  const results: number[] = [];
  let sent = 0;
  for (let i = 0; i < passes; i++) {
    const r = await pass();
    results.push(r.micros);
    sent = r.sent;
  }
  const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? 0;
  console.log(
    `needs-profiling apply: ${events.length} events, ${customers} customers, batches of ${batchSize}, ${sent} publications per pass; ` +
      `µs CPU per event: ${results.map((r) => r.toFixed(1)).join(' ')}; median ${median.toFixed(1)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
