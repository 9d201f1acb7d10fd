import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import { nativeCollection } from '@o2o/mongo';
import { InjectRedis, Redis } from '@o2o/redis';
import type { CustomerState } from '../../profiles/domain/customer-state';
import { CustomerDocument, fromDocument, readableDocument } from '../../profiles/infrastructure/customer-state.document';
import { IdentifierIndexRepository } from '../../profiles/infrastructure/identifier-index.repository';
import type { SegmentDocument } from '../../segments/application/ports';
import type { CampaignPersonalData } from '../application/ports';

/**
 * What the service holds of customers, read and deleted across its stores for access and
 * erasure: the projection (`customers`), the identifier index (through the index's own
 * erasure), `offer_decisions` and `offer_outcomes` in MongoDB, and the Redis keys that carry the
 * customer id as a hash tag (contact caps, the next-action copy).
 */
@Injectable()
export class CampaignPersonalDataStore implements CampaignPersonalData {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    @InjectRedis() private readonly redis: Redis,
    private readonly identifierIndex: IdentifierIndexRepository,
  ) {}

  private get customers(): mongo.Collection<CustomerDocument> {
    return nativeCollection<CustomerDocument>(this.connection, 'customers');
  }

  async exportData(customerIds: string[]): Promise<Record<string, unknown>> {
    const [documents, { identifiers, holdings }, offers, outcomes] = await Promise.all([
      this.customers.find({ _id: { $in: customerIds } }).toArray(),
      this.identifierIndex.exportCustomers(customerIds),
      nativeCollection(this.connection, 'offer_decisions')
        .find({ customerId: { $in: customerIds } })
        .toArray(),
      nativeCollection(this.connection, 'offer_outcomes')
        .find({ customerId: { $in: customerIds } })
        .toArray(),
    ]);
    const profiles = documents.map(readableDocument);
    return { profiles, identifiers, identifierHoldings: holdings, offers, outcomes, redis: await this.redisKeys(customerIds) };
  }

  async states(customerIds: string[]): Promise<CustomerState[]> {
    const documents = await this.customers.find({ _id: { $in: customerIds } }).toArray();
    return documents.map(fromDocument);
  }

  async erase(customerIds: string[]): Promise<Record<string, number>> {
    const keys = await this.redisKeys(customerIds);
    const [profiles, identifiers] = await Promise.all([
      this.customers.deleteMany({ $or: [{ _id: { $in: customerIds } }, { mergedInto: { $in: customerIds } }] }),
      this.identifierIndex.removeCustomer(customerIds),
    ]);
    const backfills = await this.forgetBackfillPositions(customerIds);
    // Offers awaiting an answer and recorded outcomes: the learned counts lose this customer's share.
    const offers = await nativeCollection(this.connection, 'offer_decisions').deleteMany({ customerId: { $in: customerIds } });
    const outcomes = await nativeCollection(this.connection, 'offer_outcomes').deleteMany({ customerId: { $in: customerIds } });
    const prefix = this.redis.options.keyPrefix ?? '';
    if (keys.length > 0) await this.redis.del(...keys.map((k) => k.slice(prefix.length)));
    return {
      'mongo:customers': profiles.deletedCount,
      'mongo:identifiers': identifiers.identifiers,
      'mongo:identifier_holdings': identifiers.holdings,
      'mongo:offer_decisions': offers.deletedCount,
      'mongo:offer_outcomes': outcomes.deletedCount,
      'mongo:segment_backfill_positions': backfills,
      'redis:keys': keys.length,
    };
  }

  /**
   * A segment back-fill resumes after the last customer id it did (`backfill.lastId`, kept when it
   * is done too). One of the erased is moved back to the customer before it, so the position names
   * nobody erased and the next page is the same. Run after the profiles are deleted.
   */
  private async forgetBackfillPositions(customerIds: string[]): Promise<number> {
    const segments = nativeCollection<SegmentDocument>(this.connection, 'segments');
    const positions = await segments.find({ 'backfill.lastId': { $in: customerIds } }, { projection: { 'backfill.lastId': 1 } }).toArray();
    for (const segment of positions) {
      const erased = segment.backfill.lastId;
      const [before] = await this.customers
        .find({ _id: { $lt: erased } }, { projection: { _id: 1 } })
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
