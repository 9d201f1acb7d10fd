import { Controller, Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { topics, type CampaignDecidedDataV1 } from '@o2o/contracts';
import { BatchHandler, EventBatch, KafkaBatchContext } from '@o2o/kafka';
import type { CampaignCustomizationConfig } from '../../config/campaign-customization.config';
import { CAMPAIGN_CONFIG } from '../../campaign.tokens';
import { consentFromEvent } from '../domain/consent-event';
import { ApplyProfileChangesHandler } from '../application/apply-profile-changes/apply-profile-changes.handler';
import type { ProfileChange } from '../application/apply-profile-changes/profile-change';
import { IdentifierIndexRepository } from '../infrastructure/identifier-index.repository';
import { RecordOfferOutcomesHandler } from '../../outcomes/application/record-offer-outcomes.handler';
import { channelOutcomeOf, type ChannelOutcome } from '../../outcomes/domain/offer-outcome';
import type { Context } from '@opentelemetry/api';

/** Tombstones carry no envelope: their position identifies them, the same on every redelivery. */
function tombstoneId(clusterTopic: string, partition: number, offset: string): string {
  return `tombstone:${clusterTopic}:${partition}:${offset}`;
}

/**
 * Every input of the combined projection. Thin: turns messages into ProfileChanges and hands
 * the whole batch to the one write path.
 */
@Controller()
export class ProfileEventsConsumer {
  constructor(
    private readonly apply: ApplyProfileChangesHandler,
    private readonly identifiers: IdentifierIndexRepository,
    private readonly outcomes: RecordOfferOutcomesHandler,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignCustomizationConfig,
  ) {}

  @BatchHandler(topics.identityEvents)
  async onResolvedEvents(@Payload() batch: EventBatch<'identityEvents'>, @Ctx() ctx: KafkaBatchContext): Promise<void> {
    const changes: ProfileChange[] = [];
    const reports: Array<{ report: ChannelOutcome; trace?: Context | undefined }> = [];
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const { event } = message;
      const data = event.data;
      const report = channelOutcomeOf(event.id, event.correlationid, data);
      if (report !== undefined) reports.push({ report, trace: message.trace });
      const change: ProfileChange = {
        kind: 'event',
        customerId: data.customerId,
        eventId: event.id,
        correlationId: event.correlationid,
        data,
        trace: message.trace,
      };
      if (data.eventType === 'track' && data.event === this.config.CONSENT_EVENT) {
        const consent = consentFromEvent(data);
        if (!consent.ok) {
          ctx.reject(message, 'invalid-consent', consent.message);
          continue;
        }
        change.consent = consent.record;
      }
      changes.push(change);
    }
    await this.apply.execute(changes);
    // Offer outcomes also count as activity and goals above; here they close their offers and are republished tied to them.
    await this.outcomes.recordChannelOutcomes(reports);
  }

  @BatchHandler(topics.identityChanges)
  async onIdentityChanges(@Payload() batch: EventBatch<'identityChanges'>): Promise<void> {
    const changes: ProfileChange[] = [];
    for (const message of batch.messages) {
      if (message.kind !== 'event') continue;
      const { event } = message;
      if (event.type === 'customer.merged') {
        const d = event.data;
        changes.push({
          kind: 'merged',
          customerId: d.survivorId,
          mergedId: d.mergedId,
          at: d.mergedAt,
          eventId: event.id,
          correlationId: event.correlationid,
          trace: message.trace,
        });
      } else {
        const d = event.data;
        changes.push({
          kind: 'split',
          customerId: d.customerId,
          parts: d.parts,
          at: d.splitAt,
          eventId: event.id,
          correlationId: event.correlationid,
          trace: message.trace,
        });
      }
    }
    await this.apply.execute(changes);
  }

  @BatchHandler(topics.identitySnapshots)
  async onIdentitySnapshots(@Payload() batch: EventBatch<'identitySnapshots'>): Promise<void> {
    const changes: ProfileChange[] = batch.messages.map((m) =>
      m.kind === 'event'
        ? {
            kind: 'identity',
            customerId: m.event.data.customerId,
            eventId: m.event.id,
            correlationId: m.event.correlationid,
            data: m.event.data,
            trace: m.trace,
          }
        : {
            kind: 'identity',
            customerId: m.key,
            eventId: tombstoneId(batch.clusterTopic, m.partition, m.offset),
            data: null,
            trace: m.trace,
          },
    );
    await this.apply.execute(changes);
    // The lookup index follows the projection: a crash in between redelivers both, and both are idempotent.
    await this.identifiers.assign(batch.messages.flatMap((m) => (m.kind === 'event' ? [m.event.data] : [])));
    await this.identifiers.removeCustomer(batch.messages.flatMap((m) => (m.kind === 'tombstone' ? [m.key] : [])));
  }

  @BatchHandler(topics.valueScores)
  async onValueScores(@Payload() batch: EventBatch<'valueScores'>): Promise<void> {
    await this.apply.execute(
      batch.messages.map((m): ProfileChange =>
        m.kind === 'event'
          ? {
              kind: 'value',
              customerId: m.event.data.customerId,
              eventId: m.event.id,
              correlationId: m.event.correlationid,
              data: m.event.data,
              trace: m.trace,
            }
          : {
              kind: 'value',
              customerId: m.key,
              eventId: tombstoneId(batch.clusterTopic, m.partition, m.offset),
              data: null,
              trace: m.trace,
            },
      ),
    );
  }

  @BatchHandler(topics.needsProfiles)
  async onNeedsProfiles(@Payload() batch: EventBatch<'needsProfiles'>): Promise<void> {
    await this.apply.execute(
      batch.messages.map((m): ProfileChange =>
        m.kind === 'event'
          ? {
              kind: 'needs',
              customerId: m.event.data.customerId,
              eventId: m.event.id,
              correlationId: m.event.correlationid,
              data: m.event.data,
              trace: m.trace,
            }
          : {
              kind: 'needs',
              customerId: m.key,
              eventId: tombstoneId(batch.clusterTopic, m.partition, m.offset),
              data: null,
              trace: m.trace,
            },
      ),
    );
  }

  /**
   * This service's own decisions, read back: exposures are recorded here, in the batch write,
   * rather than on the next-action request path, which then needs no MongoDB write at all.
   */
  @BatchHandler(topics.campaignDecisions)
  async onDecisions(@Payload() batch: EventBatch<'campaignDecisions'>): Promise<void> {
    const changes: ProfileChange[] = [];
    const decisions: CampaignDecidedDataV1[] = [];
    for (const m of batch.messages) {
      if (m.kind !== 'event') continue;
      const d = m.event.data;
      decisions.push(d);
      changes.push({
        kind: 'decision',
        customerId: d.customerId,
        campaignId: d.campaignId,
        group: d.kind === 'offer' ? 'treated' : 'control',
        at: d.decidedAt,
        eventId: m.event.id,
        correlationId: m.event.correlationid,
        trace: m.trace,
      });
    }
    await this.apply.execute(changes);
    await this.outcomes.recordDecisions(decisions);
  }

  /** Offer outcomes read back (channels' and the platform's): the evidence learned arbitration counts. */
  @BatchHandler(topics.campaignOutcomes)
  async onOutcomes(@Payload() batch: EventBatch<'campaignOutcomes'>): Promise<void> {
    await this.outcomes.recordOutcomes(batch.messages.flatMap((m) => (m.kind === 'event' ? [m.event.data] : [])));
  }
}
