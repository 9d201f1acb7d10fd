import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { NeedsProfiledDataV1, topics } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import type { NeedsProfilingConfig } from '../../../config/needs-profiling.config';
import { NEEDS_CONFIG } from '../../../needs.tokens';
import { consentedPurposesOf, materialChanges, NeedsProfile, toPublishedProfile } from '../../domain';
import { NeedsProfileRepository } from '../../infrastructure/needs-profile.repository';
import { ProfilingMetrics } from '../../infrastructure/profiling.metrics';

export const SOURCE = '/services/needs-profiling';

export type PublicationCause = 'event' | 'merge' | 'split' | 'time';

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
    private readonly profiles: NeedsProfileRepository,
    private readonly publisher: KafkaPublisher,
    private readonly metrics: ProfilingMetrics,
    @Inject(NEEDS_CONFIG) private readonly config: NeedsProfilingConfig,
  ) {}

  async execute(candidates: readonly PublicationCandidate[], tombstones: readonly string[] = []): Promise<string[]> {
    const profiling = this.config.profiling;
    const outgoing: OutgoingEvent[] = [];
    const published: Array<{ id: string; version: number; published: NeedsProfiledDataV1 }> = [];
    const causes: PublicationCause[] = [];
    for (const candidate of candidates) {
      const data = toPublishedProfile(candidate.profile, profiling, { consentedPurposes: consentedPurposesOf(candidate.profile) });
      if (materialChanges(candidate.published, data, profiling.materiality).length === 0) continue;
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
          // Deterministic: republishing the same state (after a crash) carries the same id.
          id: `needs:${candidate.id}:${candidate.version}:${digest(data)}`,
          causationid: candidate.causationId,
          correlationid: candidate.correlationId,
        }),
      });
      published.push({ id: candidate.id, version: candidate.version, published: data });
      causes.push(candidate.cause);
    }
    if (outgoing.length > 0) await this.publisher.publish([{ topic: topics.needsProfiles, events: outgoing }]);
    // The lib's tombstone call carries no trace context and is its own round trip; merges are rare.
    if (tombstones.length > 0) {
      await this.publisher.publishTombstones(topics.needsProfiles, [...tombstones]);
      this.metrics.tombstones.inc(tombstones.length);
    }
    await this.profiles.markPublished(published);
    for (const cause of causes) this.metrics.published.inc({ cause });
    return published.map((p) => p.id);
  }
}

function digest(data: NeedsProfiledDataV1): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 16);
}
