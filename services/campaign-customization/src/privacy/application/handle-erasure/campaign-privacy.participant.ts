import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { TopicDefinition, topics } from '@o2o/contracts';
import { createEnvelope, KafkaPublisher, OutgoingEvent } from '@o2o/kafka';
import { InjectRedis, Redis } from '@o2o/redis';
import { PrivacyParticipant, PrivacySettings } from '@o2o/runtime';
import { CustomerDocument, fromDocument, readableDocument } from '../../../profiles/infrastructure/customer-state.document';
import { IdentifierIndexRepository } from '../../../profiles/infrastructure/identifier-index.repository';
import { ProfilesModule } from '../../../profiles/profiles.module';

const SOURCE = '/services/campaign-customization';

/**
 * Access and erasure for the combined projection. Erasing a member first publishes its exits on
 * the membership topic (downstream systems must drop the customer too), then deletes the
 * projection, its identifier index entries (through the index's own erasure) and its Redis keys (contact caps, the next-action copy).
 */
@Injectable()
export class CampaignPrivacyParticipant implements PrivacyParticipant {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectRedis() private readonly redis: Redis,
    private readonly publisher: KafkaPublisher,
    private readonly identifierIndex: IdentifierIndexRepository,
  ) {}

  private collection(name: string) {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    return db.collection(name);
  }

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    const [documents, { identifiers, holdings }, offers, outcomes] = await Promise.all([
      this.collection('customers')
        .find({ _id: { $in: customerIds } } as never)
        .toArray(),
      this.identifierIndex.exportCustomers(customerIds),
      this.collection('offer_decisions')
        .find({ customerId: { $in: customerIds } })
        .toArray(),
      this.collection('offer_outcomes')
        .find({ customerId: { $in: customerIds } })
        .toArray(),
    ]);
    const profiles = (documents as unknown as CustomerDocument[]).map(readableDocument);
    return { profiles, identifiers, identifierHoldings: holdings, offers, outcomes, redis: await this.redisKeys(customerIds) };
  }

  async erase(customerIds: string[]): Promise<{ deleted: Record<string, number>; tombstones: TopicDefinition[] }> {
    const documents = (await this.collection('customers')
      .find({ _id: { $in: customerIds } } as never)
      .toArray()) as unknown as CustomerDocument[];
    const now = new Date().toISOString();
    const exits: OutgoingEvent[] = [];
    for (const document of documents) {
      const state = fromDocument(document);
      if (state.mergedInto) continue;
      let sequence = state.sequence;
      for (const [segmentId, segmentVersion] of Object.entries(state.memberships).sort(([a], [b]) => a.localeCompare(b))) {
        sequence += 1;
        exits.push({
          key: document._id,
          event: createEnvelope({
            type: 'segment.membership-changed',
            version: 1,
            id: `membership:${document._id}:${sequence}`,
            source: SOURCE,
            subject: document._id,
            data: {
              customerId: document._id,
              segmentId,
              segmentVersion,
              change: 'exited',
              reason: 'customer erased',
              changedAt: now,
              sequence,
            },
          }),
        });
      }
    }
    await this.publisher.publish([{ topic: topics.segmentMembership, events: exits }]);
    const keys = await this.redisKeys(customerIds);
    const [profiles, identifiers] = await Promise.all([
      this.collection('customers').deleteMany({ $or: [{ _id: { $in: customerIds } }, { mergedInto: { $in: customerIds } }] } as never),
      this.identifierIndex.removeCustomer(customerIds),
    ]);
    const backfills = await this.forgetBackfillPositions(customerIds);
    // Offers awaiting an answer and recorded outcomes: the learned counts lose this customer's share.
    const offers = await this.collection('offer_decisions').deleteMany({ customerId: { $in: customerIds } });
    const outcomes = await this.collection('offer_outcomes').deleteMany({ customerId: { $in: customerIds } });
    const prefix = this.redis.options.keyPrefix ?? '';
    if (keys.length > 0) await this.redis.del(...keys.map((k) => k.slice(prefix.length)));
    return {
      deleted: {
        'mongo:customers': profiles.deletedCount,
        'mongo:identifiers': identifiers.identifiers,
        'mongo:identifier_holdings': identifiers.holdings,
        'mongo:offer_decisions': offers.deletedCount,
        'mongo:offer_outcomes': outcomes.deletedCount,
        'mongo:segment_backfill_positions': backfills,
        'redis:keys': keys.length,
        'kafka:membership_exits': exits.length,
      },
      tombstones: [],
    };
  }

  /**
   * A segment back-fill resumes after the last customer id it did (`backfill.lastId`, kept when it
   * is done too). One of the erased is moved back to the customer before it, so the position names
   * nobody erased and the next page is the same. Run after the profiles are deleted.
   */
  private async forgetBackfillPositions(customerIds: string[]): Promise<number> {
    const segments = this.collection('segments');
    const positions = await segments.find({ 'backfill.lastId': { $in: customerIds } }, { projection: { 'backfill.lastId': 1 } }).toArray();
    for (const segment of positions) {
      const erased = (segment as unknown as { backfill: { lastId: string } }).backfill.lastId;
      const [before] = await this.collection('customers')
        .find({ _id: { $lt: erased } } as never, { projection: { _id: 1 } })
        .sort({ _id: -1 })
        .limit(1)
        .toArray();
      await segments.updateOne(
        { _id: segment._id, 'backfill.lastId': erased },
        { $set: { 'backfill.lastId': before ? String(before._id) : '' } },
      );
    }
    return positions.length;
  }

  /** The customer's Redis keys (caps and the next-action copy carry the id as a hash tag), with the prefix. */
  private async redisKeys(customerIds: string[]): Promise<string[]> {
    const prefix = this.redis.options.keyPrefix ?? '';
    const found: string[] = [];
    for (const id of customerIds) {
      for (const pattern of [`${prefix}caps:{${id}}:*`, `${prefix}snapshot:{${id}}`]) {
        let cursor = '0';
        do {
          const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          found.push(...keys);
        } while (cursor !== '0');
      }
    }
    return found;
  }
}

export const campaignPrivacy: PrivacySettings = {
  imports: [ProfilesModule],
  participant: CampaignPrivacyParticipant,
};
