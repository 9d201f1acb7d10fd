import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection, mongo } from 'mongoose';
import type { OfferOutcomeDataV1 } from '@o2o/contracts';
import { chunkedBulkWrite, nativeCollection, ONE_REPLY } from '@o2o/mongo';
import type { ResponseCounts, ResponseStats } from '../../campaigns/domain/offer-learning';
import { learningKeyOf, type OpenOffer } from '../domain/offer-outcome';
import type { OfferDecisionDocument, OfferOutcomes, OfferState } from '../application/ports';

/** One recorded outcome (from campaigns.outcomes.v1): the evidence response rates are counted from. */
interface OfferOutcomeDocument {
  _id: string;
  customerId: string;
  /** armKey + "#" + outcome: one indexed string, so counting is a single-field $group. */
  statKey: string;
  at: string;
}

@Injectable()
export class OfferOutcomeStore implements OfferOutcomes, OnModuleInit {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  private collection<T extends mongo.Document>(name: string): mongo.Collection<T> {
    return nativeCollection<T>(this.connection, name);
  }

  private get decisions(): mongo.Collection<OfferDecisionDocument> {
    return this.collection<OfferDecisionDocument>('offer_decisions');
  }

  private get outcomes(): mongo.Collection<OfferOutcomeDocument> {
    return this.collection<OfferOutcomeDocument>('offer_outcomes');
  }

  async onModuleInit(): Promise<void> {
    await this.decisions.createIndex({ customerId: 1 });
    await this.decisions.createIndex({ state: 1 });
    await this.outcomes.createIndex({ customerId: 1 });
  }

  /** Stores offers awaiting an answer; a redelivered decision changes nothing. */
  async recordOffers(offers: readonly OpenOffer[]): Promise<void> {
    await chunkedBulkWrite(
      this.decisions,
      offers.map(({ decisionId, ...offer }) => ({
        updateOne: {
          filter: { _id: decisionId },
          update: { $setOnInsert: { ...offer, state: 'open' as const, pending: null } },
          upsert: true,
        },
      })),
      // One bulk write at a time per database: concurrent ones can hang FerretDB (docs/architecture.md).
      { serialize: true },
    );
  }

  async held(decisionIds: readonly string[], customerIds: readonly string[]): Promise<OfferDecisionDocument[]> {
    // Two indexed reads rather than one $or, which FerretDB would answer with a scan.
    const [byId, byCustomer] = await Promise.all([
      decisionIds.length > 0 ? this.decisions.find({ _id: { $in: [...new Set(decisionIds)] } }, ONE_REPLY).toArray() : [],
      customerIds.length > 0 ? this.decisions.find({ customerId: { $in: [...new Set(customerIds)] } }, ONE_REPLY).toArray() : [],
    ]);
    return [...byId, ...byCustomer];
  }

  /**
   * Closes open offers with an answer, or overdue ones as ignored; each outcome waits in
   * `pending` until published. One bulk write for all; when fewer landed than were sent (another
   * answer or the sweep came first), the offers are read back to tell which claims are this call's.
   */
  async claim(
    claims: ReadonlyArray<{ decisionId: string; outcome: OfferOutcomeDataV1 }>,
    state: Exclude<OfferState, 'open'>,
    now: Date,
  ): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const claimedAt = now.toISOString();
    const result = await chunkedBulkWrite(
      this.decisions,
      claims.map(({ decisionId, outcome }) => ({
        updateOne: { filter: { _id: decisionId, state: 'open' as const }, update: { $set: { state, pending: { outcome, claimedAt } } } },
      })),
      { serialize: true },
    );
    if (result.modifiedCount === claims.length) return new Set(claims.map((c) => c.decisionId));
    const held = await this.decisions.find({ _id: { $in: claims.map((c) => c.decisionId) } }, ONE_REPLY).toArray();
    const pending = new Map(held.map((d) => [d._id, d.pending?.outcome.outcomeId]));
    return new Set(claims.filter((c) => pending.get(c.decisionId) === c.outcome.outcomeId).map((c) => c.decisionId));
  }

  /** Open offers whose window has passed. */
  async overdue(now: Date, limit: number): Promise<OfferDecisionDocument[]> {
    // Deadlines are stored as toISOString() text, whose order is time order.
    return this.decisions
      .find({ state: 'open', dueAt: { $lte: now.toISOString() } }, ONE_REPLY)
      .limit(limit)
      .toArray();
  }

  /** Outcomes claimed but not marked published before this time (a crash between the two). */
  async unpublished(claimedBefore: Date, limit: number): Promise<OfferOutcomeDataV1[]> {
    const closed = await this.decisions
      .find({ state: { $in: ['answered', 'ignored'] }, 'pending.claimedAt': { $lte: claimedBefore.toISOString() } }, ONE_REPLY)
      .limit(limit)
      .toArray();
    return closed.flatMap((d) => (d.pending ? [d.pending.outcome] : []));
  }

  async markPublished(decisionIds: readonly string[]): Promise<void> {
    if (decisionIds.length === 0) return;
    await this.decisions.updateMany({ _id: { $in: [...decisionIds] } }, { $set: { pending: null } });
  }

  /** Records outcomes read back from the topic; once per outcome id. Presented ones teach nothing here. */
  async recordOutcomes(outcomes: readonly OfferOutcomeDataV1[]): Promise<void> {
    const operations = outcomes.flatMap((o) => {
      const key = learningKeyOf(o);
      if (key === undefined) return [];
      return [
        {
          updateOne: {
            filter: { _id: o.outcomeId },
            update: { $setOnInsert: { customerId: o.customerId, statKey: `${key}#${o.outcome}`, at: o.occurredAt } },
            upsert: true,
          },
        },
      ];
    });
    await chunkedBulkWrite(this.outcomes, operations, { serialize: true });
  }

  /** Accepted against declined-or-ignored counts per learning key. */
  async responseStats(): Promise<ResponseStats> {
    const groups = await this.outcomes.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$statKey', n: { $sum: 1 } } }]).toArray();
    const stats = new Map<string, ResponseCounts>();
    for (const group of groups) {
      const at = group._id.lastIndexOf('#');
      const key = group._id.slice(0, at);
      const kind = group._id.slice(at + 1);
      const held = stats.get(key) ?? { accepted: 0, rejected: 0 };
      stats.set(key, kind === 'accepted' ? { ...held, accepted: held.accepted + group.n } : { ...held, rejected: held.rejected + group.n });
    }
    return stats;
  }
}
