/**
 * The combined projection's own CPU per event (`npm run bench:campaign-apply`): what
 * campaign-customization does with a batch of resolved events (and the value and needs states
 * that follow them) between the transport and the databases, without either. Runs
 * ApplyProfileChangesHandler (the fold, the membership diffs, the documents of the write, the
 * snapshots' JSON, the membership envelopes) over batches of the bench's event mix, with the
 * customers kept in memory as the repository stores them (toDocument / fromDocument: the state
 * as JSON text), the default segments, a publisher, a snapshot store and a flow counter that
 * answer at once. Prints µs of process CPU per event for each pass, and their median.
 *
 *   node services/campaign-customization/dist/cli/bench-apply.js [--customers 600] [--batch 300] [--batches 24] [--passes 5] [--seed 42]
 */
import { parseArgs } from 'node:util';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resolvedEventDataV1, type NeedsProfiledDataV1, type ResolvedEventDataV1, type ValueScoredDataV1 } from '@o2o/contracts';
import type { OutgoingEvent } from '@o2o/kafka';
import { createLogger, PlatformMetrics } from '@o2o/observability';
import { seededUniform } from '@o2o/random';
import type { AttributionState, GroupCounts } from '../lift/domain';
import { LiveCampaigns } from '../campaigns/application/ports';
import type { CampaignDefinition } from '../campaigns/domain/campaign-definition';
import { loadCampaignCustomizationConfig } from '../config/campaign-customization.config';
import { ApplyProfileChangesHandler } from '../profiles/application/apply-profile-changes/apply-profile-changes.handler';
import type { ProfileChange } from '../profiles/application/apply-profile-changes/profile-change';
import {
  CustomerStates,
  DecisionSnapshots,
  type DecisionSnapshot,
  type HeldSnapshot,
  type StateWrite,
  type StoredState,
} from '../profiles/application/ports';
import type { OutboxEntry } from '../profiles/domain/customer-state';
import { fromDocument, toDocument, type CustomerDocument } from '../profiles/infrastructure/customer-state.document';
import {
  MembershipEvents,
  MembershipFlowCounts,
  StoredSegments,
  type FlowRecord,
  type SegmentDocument,
} from '../segments/application/ports';
import type { FlowBucket } from '../segments/domain/membership-flow';
import type { SegmentDefinition } from '../segments/domain/segment-definition';

const notUsed = (): never => {
  throw new Error('not used by the event path');
};

/** Documents as the repository stores them, so encoding and decoding cost what they cost there. */
class TextCustomers extends CustomerStates {
  private readonly docs = new Map<string, CustomerDocument>();

  async find(customerIds: readonly string[]): Promise<Map<string, StoredState>> {
    const found = new Map<string, StoredState>();
    for (const id of new Set(customerIds)) {
      const doc = this.docs.get(id);
      if (doc !== undefined) found.set(id, { state: fromDocument(doc), version: doc.version, exists: true });
    }
    return found;
  }

  async write(writes: readonly StateWrite[]): Promise<number> {
    const now = new Date();
    for (const w of writes) this.docs.set(w.state.customerId, toDocument(w.state, w.version + 1, now));
    return writes.length;
  }

  async clearOutboxes(cleared: ReadonlyArray<{ customerId: string; entries: readonly OutboxEntry[] }>): Promise<void> {
    for (const c of cleared) {
      const doc = this.docs.get(c.customerId);
      const gone = new Set(c.entries.map((e) => e.sequence));
      if (doc !== undefined) doc.outbox = doc.outbox.filter((e) => !gone.has(e.sequence));
    }
  }

  findOne = notUsed;
  page = notUsed;
  statesPage = notUsed;
  countCustomers = notUsed;
  withStaleOutbox = notUsed;
  attributionCounts = notUsed as () => Promise<{ treated: GroupCounts; control: GroupCounts }>;
  attributionStates = notUsed as () => Promise<AttributionState[]>;
}

class FixedSegments extends StoredSegments {
  constructor(private readonly segments: SegmentDefinition[]) {
    super();
  }
  async active(): Promise<SegmentDefinition[]> {
    return this.segments;
  }
  forget(): void {}
  list = notUsed as () => Promise<SegmentDocument[]>;
  get = notUsed;
  insert = notUsed;
  ensure = notUsed;
  save = notUsed;
  markDeleted = notUsed;
  pendingBackfills = notUsed;
  recordProgress = notUsed;
}

class NoCampaigns extends LiveCampaigns {
  async all(): Promise<CampaignDefinition[]> {
    return [];
  }
  async invalidate(): Promise<void> {}
}

class CountingPublisher extends MembershipEvents {
  sent = 0;
  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    this.sent += events.length;
  }
}

/** Holds the snapshots' text, as the Redis copy does. */
class TextSnapshots extends DecisionSnapshots {
  private readonly held = new Map<string, HeldSnapshot>();
  async put(entries: ReadonlyArray<{ customerId: string; version: number; snapshot: DecisionSnapshot }>): Promise<void> {
    for (const e of entries) this.held.set(e.customerId, { version: e.version, json: JSON.stringify(e.snapshot) });
  }
  async drop(customerIds: readonly string[]): Promise<void> {
    for (const id of customerIds) this.held.delete(id);
  }
  async get(customerId: string): Promise<HeldSnapshot | undefined> {
    return this.held.get(customerId);
  }
}

class NoFlow extends MembershipFlowCounts {
  async record(_changes: readonly FlowRecord[]): Promise<void> {}
  async read(): Promise<FlowBucket[]> {
    return [];
  }
}

/** The service's default segments (CAMPAIGN_DEFAULT_SEGMENTS) and one filtered count, as the rule language allows. */
const segments: SegmentDefinition[] = [
  {
    id: 'purchase-stage-or-beyond',
    version: 1,
    name: 'stage purchase or beyond',
    purpose: 'marketing',
    consentMode: 'opt-out',
    rule: { path: 'needs.stage', op: 'in', value: ['purchase', 'connection', 'loyalty'] },
  },
  {
    id: 'value-tier-a',
    version: 1,
    name: 'tier A',
    purpose: 'marketing',
    consentMode: 'opt-out',
    rule: { path: 'value.tier', op: 'eq', value: 'A' },
  },
  {
    id: 'repeat-buyers-30d',
    version: 1,
    name: '2 or more orders in 30 days',
    purpose: 'marketing',
    consentMode: 'opt-out',
    rule: { count: { event: 'Order Completed', days: 30 }, op: 'gte', value: 2 },
  },
  {
    id: 'shoe-viewers-7d',
    version: 1,
    name: 'viewed shoes 3 times in 7 days',
    purpose: 'marketing',
    consentMode: 'opt-out',
    rule: { count: { event: 'Product Viewed', days: 7, where: { property: 'category', value: 'shoes' } }, op: 'gte', value: 3 },
  },
];

/** The bench's mix (libs/bench's event generator, roughly), and after every fifth event a value or needs state of its customer. */
function changeMix(customers: number, count: number, seed: number): ProfileChange[] {
  const rnd = seededUniform(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const categories = ['shoes', 'travel', 'home-office', 'books', 'garden', 'toys'];
  const t0 = Date.now() - count * 1000;
  const changes: ProfileChange[] = [];
  for (let seq = 0; seq < count; seq++) {
    const c = Math.floor(rnd() * customers);
    const customerId = `cus_${c}`;
    const at = new Date(t0 + seq * 1000).toISOString();
    const base = {
      messageId: `m-${seq}`,
      sourceId: 'web',
      channel: 'web',
      customerId,
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
            : r < 85
              ? { eventType: 'identify', traits: { email: `c${c}@example.com`, firstName: 'Ann', loyaltyCard: `L${c}` } }
              : { channel: 'app', eventType: 'screen', name: 'Home', properties: { category } };
    const data: ResolvedEventDataV1 = resolvedEventDataV1.parse({ ...base, ...fields });
    changes.push({ kind: 'event', customerId, eventId: `ingest:m-${seq}`, correlationId: `m-${seq}`, data, trace: ROOT_CONTEXT });
    if (seq % 5 !== 4) continue;
    if (rnd() < 0.5) {
      const value: ValueScoredDataV1 = {
        customerId,
        actualValue: rnd() * 100,
        strategicValue: rnd() * 50,
        tier: pick(['A', 'B', 'C'] as const),
        purchases: 1,
        revenue: 80,
        currency: 'EUR',
        modelVersion: 'bench',
        reasons: [],
        updatedAt: at,
      };
      changes.push({ kind: 'value', customerId, eventId: `value:${seq}`, data: value, trace: ROOT_CONTEXT });
    } else {
      const needs: NeedsProfiledDataV1 = {
        customerId,
        stage: pick(['prospecting', 'consideration', 'purchase', 'loyalty'] as const),
        stageReason: 'bench',
        facts: [],
        archetypes: [],
        unknown: [],
        updatedAt: at,
      };
      changes.push({ kind: 'needs', customerId, eventId: `needs:${seq}`, data: needs, trace: ROOT_CONTEXT });
    }
  }
  return changes;
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
  const config = loadCampaignCustomizationConfig({
    KAFKA_BROKERS: '127.0.0.1:9092',
    MONGO_URL: 'mongodb://127.0.0.1:27017',
    REDIS_URL: 'redis://127.0.0.1:6379',
  });
  const changes = changeMix(customers, batchSize * batches, seed);
  const events = changes.filter((c) => c.kind === 'event').length;
  const logger = createLogger({ service: 'bench', level: 'silent' });

  // Each pass starts from no customers and applies every batch in turn, as a fresh population would be.
  const pass = async (): Promise<{ micros: number; sent: number }> => {
    const publisher = new CountingPublisher();
    const handler = new ApplyProfileChangesHandler(
      new TextCustomers(),
      new FixedSegments(segments),
      new NoCampaigns(),
      publisher,
      new TextSnapshots(),
      new NoFlow(),
      logger,
      config,
      new PlatformMetrics('bench'),
    );
    const perBatch = Math.ceil(changes.length / batches);
    const start = process.cpuUsage();
    for (let i = 0; i < batches; i++) await handler.execute(changes.slice(i * perBatch, (i + 1) * perBatch));
    const used = process.cpuUsage(start);
    return { micros: (used.user + used.system) / events, sent: publisher.sent };
  };

  await pass(); // warm-up: the JIT, the instant caches
  const results: number[] = [];
  let sent = 0;
  for (let i = 0; i < passes; i++) {
    const r = await pass();
    results.push(r.micros);
    sent = r.sent;
  }
  const median = [...results].sort((a, b) => a - b)[Math.floor(results.length / 2)] ?? 0;
  console.log(
    `campaign-customization apply: ${events} events and ${changes.length - events} value/needs states, ${customers} customers, ` +
      `${batches} batches, ${sent} membership changes per pass; µs CPU per event: ${results.map((r) => r.toFixed(1)).join(' ')}; ` +
      `median ${median.toFixed(1)}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
