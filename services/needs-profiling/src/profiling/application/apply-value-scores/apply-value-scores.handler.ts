import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import type { CustomerValue } from '../../domain';
import { CustomerValues } from '../ports/customer-values';
import { NeedsProfileStore } from '../ports/needs-profile.store';
import { PublicationCandidate, PublishProfilesHandler } from '../publish-profiles/publish-profiles.handler';

export type ValueMessage =
  | { kind: 'state'; customerId: string; value: CustomerValue; eventId: string; correlationId?: string | undefined; trace: Context }
  /** value-scoring erased the customer or merged them away: no value held any more. */
  | { kind: 'tombstone'; customerId: string; trace: Context };

/**
 * Keeps each customer's latest value state (value.scores.v1) and republishes the needs profile of
 * every customer whose state changed, so the next question's published value follows the
 * customer's tier and room to grow (question-priority.ts). Publication goes through the usual
 * path: only a material change (here: the next question's value) is sent, and what was sent is
 * recorded against the profile's version. Round trips per batch: one bulk write, one read of the
 * profiles, one read of the values, one produce.
 */
@Injectable()
export class ApplyValueScoresHandler {
  constructor(
    private readonly values: CustomerValues,
    private readonly profiles: NeedsProfileStore,
    private readonly publish: PublishProfilesHandler,
  ) {}

  async execute(messages: readonly ValueMessage[]): Promise<void> {
    const states = messages.flatMap((m) => (m.kind === 'state' ? [{ customerId: m.customerId, value: m.value }] : []));
    const written = await this.values.upsertNewer(states);
    const erased = messages.flatMap((m) => (m.kind === 'tombstone' ? [m.customerId] : []));
    await this.values.remove(erased);
    const changed = [...new Set([...written, ...erased])];
    if (changed.length === 0) return;
    const docs = await this.profiles.find(changed);
    const lastFor = new Map(messages.map((m) => [m.customerId, m]));
    const candidates: PublicationCandidate[] = [];
    for (const id of changed) {
      const doc = docs.get(id);
      const message = lastFor.get(id);
      // No profile yet (or merged away): nothing to republish; its first publication will read the value.
      if (doc?.profile === undefined || doc.mergedInto !== undefined || message === undefined) continue;
      candidates.push({
        id,
        version: doc.version,
        profile: doc.profile,
        published: doc.published,
        trace: message.trace,
        cause: 'value',
        ...(message.kind === 'state' ? { causationId: message.eventId, correlationId: message.correlationId } : {}),
      });
    }
    await this.publish.execute(candidates);
  }
}
