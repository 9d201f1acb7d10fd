import { hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { NeedsProfiledDataV1, topics } from '@o2o/contracts';
import { createEnvelope, OutgoingEvent } from '@o2o/kafka';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { consentedPurposesOf, CustomerValue, materialChanges, NeedsProfile, publishedJson, toPublishedProfile } from '../../domain';
import { CustomerValues } from '../ports/customer-values';
import { NeedsProfileStore } from '../ports/needs-profile.store';
import { ProfileEventsPublisher } from '../ports/profile-events.publisher';
import { ProfilingMetrics } from '../profiling.metrics';

export const SOURCE = '/services/needs-profiling';

export type PublicationCause = 'event' | 'merge' | 'split' | 'time' | 'value';

export interface PublicationCandidate {
  id: string;
  /** Version of the stored document `profile` was read from or written as. */
  version: number;
  profile: NeedsProfile;
  /** What was last published for this customer (stored beside the profile). */
  published: NeedsProfiledDataV1 | undefined;
  /** Context of the consumed message that caused it: one event's path stays one trace. */
  trace: Context | undefined;
  cause: PublicationCause;
  causationId?: string | undefined;
  correlationId?: string | undefined;
  /** Publish even without a material change (a state published before its write lost a race must be superseded). */
  force?: boolean;
  /** The customer's value state, weighing the next question (withValues() reads it; null: not scored). */
  customerValue?: CustomerValue | null;
}

/** What prepare() decided to publish. */
export interface PreparedPublication {
  outgoing: OutgoingEvent[];
  /** Per published candidate: the payload to store as its last publication. */
  published: Array<{ id: string; version: number; published: NeedsProfiledDataV1; cause: PublicationCause }>;
}

/**
 * Publishes the full state of every candidate whose published form changed materially since it
 * was last published, then records what was published. Deciding against the stored last
 * publication rather than "did this batch change the profile" means a crash between the profile
 * write and the send is repaired by the redelivery, and a redelivery after success sends nothing.
 */
@Injectable()
export class PublishProfilesHandler {
  constructor(
    private readonly profiles: NeedsProfileStore,
    private readonly publisher: ProfileEventsPublisher,
    private readonly metrics: ProfilingMetrics,
    private readonly values: CustomerValues,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
  ) {}

  /** The candidates with their customers' value states (one read for all of them), for prepare(). */
  async withValues(candidates: readonly PublicationCandidate[]): Promise<PublicationCandidate[]> {
    const missing = candidates.filter((c) => c.customerValue === undefined).map((c) => c.id);
    const found = await this.values.find(missing);
    return candidates.map((c) => (c.customerValue === undefined ? { ...c, customerValue: found.get(c.id) ?? null } : c));
  }

  async execute(candidates: readonly PublicationCandidate[], tombstones: readonly string[] = []): Promise<string[]> {
    const { outgoing, published } = this.prepare(await this.withValues(candidates));
    // States and tombstones in one request; a tombstone carries the trace of the work that caused it.
    const trace = candidates.find((c) => c.trace !== undefined)?.trace;
    await this.publisher.publish(
      [{ topic: topics.needsProfiles, events: outgoing, tombstones: tombstones.map((key) => ({ key, trace })) }],
      { skipAcknowledged: true },
    );
    if (tombstones.length > 0) this.metrics.tombstones.inc(tombstones.length);
    await this.profiles.markPublished(published);
    this.count(published);
    return published.map((p) => p.id);
  }

  /** The publications of the candidates whose published form changed materially (or that are forced), not yet sent. */
  prepare(candidates: readonly PublicationCandidate[]): PreparedPublication {
    const profiling = this.config.profiling;
    const outgoing: OutgoingEvent[] = [];
    const published: PreparedPublication['published'] = [];
    for (const candidate of candidates) {
      const data = toPublishedProfile(candidate.profile, profiling, {
        consentedPurposes: consentedPurposesOf(candidate.profile),
        customerValue: candidate.customerValue ?? undefined,
      });
      if (!candidate.force && materialChanges(candidate.published, data, profiling.materiality).length === 0) continue;
      outgoing.push({
        key: candidate.id,
        trace: candidate.trace,
        event: createEnvelope({
          type: 'customer.needs-profiled',
          version: 1,
          source: SOURCE,
          subject: candidate.id,
          data,
          time: data.updatedAt,
          // Deterministic: republishing the same state (after a crash) carries the same id. The value
          // state is part of it: the profile's version does not move with it, and a payload can come
          // back at the same version (a tier up, then down again) and must be sent again.
          id: `needs:${candidate.id}:${candidate.version}:${valueStamp(candidate.customerValue)}${digest(data)}`,
          causationid: candidate.causationId,
          correlationid: candidate.correlationId,
        }),
      });
      published.push({ id: candidate.id, version: candidate.version, published: data, cause: candidate.cause });
    }
    return { outgoing, published };
  }

  /** Counts publications once they are sent. */
  count(published: PreparedPublication['published']): void {
    // One increment per cause of the call, not per publication (prom-client hashes the labels on each).
    const byCause = new Map<PublicationCause, number>();
    for (const p of published) byCause.set(p.cause, (byCause.get(p.cause) ?? 0) + 1);
    for (const [cause, n] of byCause) this.metrics.published.inc({ cause }, n);
  }
}

/** The payload's text is the one the write stores as the last publication (publishedJson serialises it once for both). */
function digest(data: NeedsProfiledDataV1): string {
  return hash('sha256', publishedJson(data), 'hex').slice(0, 16);
}

function valueStamp(value: CustomerValue | null | undefined): string {
  return value ? `v${Date.parse(value.updatedAt)}:` : '';
}
