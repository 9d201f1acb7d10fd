import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { PlatformMetrics } from '@o2o/observability';
import { pseudonym } from '../domain/pseudonym';
import { PRIVACY_SETTINGS, PrivacySettings } from '../privacy.tokens';
import { ErasedIdentifiers } from './ports/privacy-records.port';

export interface IdentifiedEvent {
  identifiers: ReadonlyArray<{ type: string; value: string }>;
}

export type LateEventDecision = 'keep' | 'drop' | 'anonymise';

/**
 * The late-event policy: an event carrying an identifier of an erased customer is dropped
 * (default) or kept minimal — resolved to nobody, with its identifiers and traits removed —
 * according to PRIVACY_LATE_EVENT_POLICY. One indexed read per batch.
 */
@Injectable()
export class LateEventFilter {
  private readonly handled: Counter<'policy'>;

  constructor(
    private readonly erased: ErasedIdentifiers,
    @Inject(PRIVACY_SETTINGS) private readonly settings: PrivacySettings,
    metrics: PlatformMetrics,
  ) {
    this.handled = new Counter({
      name: 'o2o_identity_erased_identifier_events_total',
      help: 'Events that carried an identifier of an erased customer, by the policy applied.',
      labelNames: ['policy'],
      registers: [metrics.registry],
    });
  }

  async decide<E extends IdentifiedEvent>(events: readonly E[]): Promise<LateEventDecision[]> {
    const hashes = events.map((e) => e.identifiers.map((i) => pseudonym(this.settings.pseudonymKey, `${i.type}:${i.value}`)));
    const erased = await this.erased.erasedAmong([...new Set(hashes.flat())]);
    return hashes.map((list) => {
      if (!list.some((h) => erased.has(h))) return 'keep';
      const decision = this.settings.lateEventPolicy === 'drop' ? 'drop' : 'anonymise';
      this.handled.inc({ policy: this.settings.lateEventPolicy });
      return decision;
    });
  }
}
