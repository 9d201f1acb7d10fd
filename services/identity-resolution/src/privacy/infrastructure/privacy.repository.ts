import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import { Model } from 'mongoose';
import { InjectLogger, Logger } from '@o2o/observability';
import { GenerationCachedSet, InjectRedis, Redis } from '@o2o/redis';
import { erasedSetCopy } from '@o2o/runtime';
import { ErasedIdentifiers, NewAuditEntry, PrivacyRequests } from '../application/ports/privacy-records.port';
import { ErasedIdentifier, PrivacyAudit, PrivacyRequest } from './privacy.schema';

@Injectable()
export class PrivacyRepository implements PrivacyRequests, ErasedIdentifiers {
  /**
   * Every resolution batch checks its identifiers against the erased ones, which rarely change:
   * an in-process copy, revalidated on each check by one Redis GET of a token `markErased`
   * replaces, answers instead of a MongoDB read (libs/runtime erasedSetCopy).
   */
  private readonly erasedCopy: GenerationCachedSet;

  constructor(
    @InjectModel(PrivacyRequest.name) private readonly requests: Model<PrivacyRequest>,
    @InjectModel(ErasedIdentifier.name) private readonly erased: Model<ErasedIdentifier>,
    @InjectModel(PrivacyAudit.name) private readonly audit: Model<PrivacyAudit>,
    @InjectRedis() redis: Redis,
    @InjectLogger() logger: Logger,
  ) {
    this.erasedCopy = erasedSetCopy(erased, redis, 'privacy:erased-identifiers:generation', logger);
  }

  /** Creates the request with its event in the outbox (one document write). */
  async create(
    request: Omit<PrivacyRequest, 'acknowledgements' | 'parts' | 'status' | 'completedAt' | 'outbox' | 'outboxJson'>,
    event: { key: string; event: unknown },
  ): Promise<void> {
    await this.requests.create({
      ...request,
      acknowledgements: {},
      parts: {},
      status: 'pending',
      outbox: 'pending',
      outboxJson: JSON.stringify(event),
    });
  }

  /** Requests whose event Kafka has not acknowledged yet, created before `before`, oldest first. */
  async unpublished(before: Date, limit: number): Promise<Array<{ requestId: string; key: string; event: unknown }>> {
    const found = await this.requests
      .find({ outbox: 'pending' }, { _id: 1, requestedAt: 1, outboxJson: 1 })
      .lean<Array<Pick<PrivacyRequest, '_id' | 'requestedAt' | 'outboxJson'>>>();
    return found
      .filter((r) => r.requestedAt < before && typeof r.outboxJson === 'string')
      .sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime())
      .slice(0, limit)
      .map((r) => ({ requestId: r._id, ...(JSON.parse(r.outboxJson ?? '{}') as { key: string; event: unknown }) }));
  }

  async published(requestIds: string[]): Promise<void> {
    if (requestIds.length === 0) return;
    await this.requests.updateMany({ _id: { $in: requestIds } }, { $unset: { outbox: 1, outboxJson: 1 } });
  }

  async get(requestId: string): Promise<PrivacyRequest | null> {
    return this.requests.findById(requestId).lean().exec();
  }

  /**
   * Records one service's answer (idempotent: a redelivered answer sets the same values) and
   * completes the request once every expected service has answered. Completing an erasure drops
   * the customer id from the request: from then on it is known only by its pseudonym.
   */
  async answer(
    requestId: string,
    service: string,
    acknowledgement: PrivacyRequest['acknowledgements'][string],
    part?: unknown,
  ): Promise<PrivacyRequest | null> {
    // The part first, and only while the export is open: one that arrives after it was served
    // (or gave up) would otherwise be kept for ever. Before the acknowledgement, so that an export
    // that sees every service acknowledged finds every part.
    if (part !== undefined)
      await this.requests.updateOne({ _id: requestId, partsClosedAt: { $exists: false } }, { $set: { [`parts.${service}`]: part } }).exec();
    const updated = await this.requests
      .findOneAndUpdate({ _id: requestId }, { $set: { [`acknowledgements.${service}`]: acknowledgement } }, { new: true })
      .lean()
      .exec();
    if (!updated || updated.status === 'completed') return updated;
    const answered = Object.keys(updated.acknowledgements ?? {});
    if (!updated.expectedServices.every((s) => answered.includes(s))) return updated;
    return this.requests
      .findOneAndUpdate(
        { _id: requestId, status: 'pending' },
        { $set: { status: 'completed', completedAt: new Date() }, ...(updated.kind === 'erasure' ? { $unset: { customerId: '' } } : {}) },
        { new: true },
      )
      .lean()
      .exec();
  }

  /**
   * Data minimisation: export parts are kept only until served, and none is taken after. True
   * for the call that closed them (a concurrent second one gets false).
   */
  async dropParts(requestId: string): Promise<boolean> {
    const result = await this.requests
      .updateOne(
        { _id: requestId, partsClosedAt: { $exists: false } },
        { $set: { parts: {}, partsClosedAt: new Date() }, $unset: { customerId: '' } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  async markErased(pseudonyms: string[], requestId: string): Promise<void> {
    if (pseudonyms.length === 0) return;
    const erasedAt = new Date();
    await this.erased.bulkWrite(
      pseudonyms.map((id) => ({ updateOne: { filter: { _id: id }, update: { $setOnInsert: { requestId, erasedAt } }, upsert: true } })),
      { ordered: false },
    );
    await this.erasedCopy.changed();
  }

  async erasedAmong(pseudonyms: string[]): Promise<Set<string>> {
    return this.erasedCopy.among([...new Set(pseudonyms)]);
  }

  async record(entry: NewAuditEntry): Promise<void> {
    await this.audit.create({ _id: randomUUID(), ...entry, at: new Date() });
  }

  async auditOf(requestId: string): Promise<PrivacyAudit[]> {
    return this.audit.find({ requestId }).sort({ at: 1 }).lean().exec();
  }
}
