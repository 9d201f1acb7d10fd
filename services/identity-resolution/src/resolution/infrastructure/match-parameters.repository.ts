import { Inject, Injectable } from '@nestjs/common';
import {
  DecidedPair,
  initialMatchParameters,
  MatchParameters,
  matchParametersSchema,
  PreparedRecord,
  upgradeStoredParameters,
} from '../../matching/domain';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { TrainingStatusDocument } from '../application/ports/identity-graph.records';
import { MatchParametersInForce } from '../application/ports/resolution-graph.port';
import { TrainingStore, TrainingStatusUpdate } from '../application/train-matching/train-matching.ports';
import { IdentityCollections } from './identity-graph.collections';

/**
 * Versioned Fellegi-Sunter parameters in MongoDB; the newest version is current. Each instance
 * keeps the current one in memory and re-reads it periodically, so a re-estimate made by one
 * instance (or the CLI) reaches all of them without a restart.
 */
@Injectable()
export class MatchParametersRepository implements MatchParametersInForce, TrainingStore {
  private cached: { parameters: MatchParameters; readAt: number } | undefined;

  constructor(
    private readonly db: IdentityCollections,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {}

  async current(): Promise<MatchParameters> {
    if (this.cached !== undefined && Date.now() - this.cached.readAt < this.config.MATCHING_PARAMETERS_REFRESH_MS)
      return this.cached.parameters;
    return (await this.latest()).parameters;
  }

  /** The newest stored version, read now, with the number of records it was estimated from (0 before the first). */
  async latest(): Promise<{ parameters: MatchParameters; records: number }> {
    const [latest] = await this.db.matchParameters.find({}).sort({ createdAt: -1, _id: -1 }).limit(1).toArray();
    // Until the first estimate, rough starting values keep matching usable (and conservative).
    const parameters =
      latest !== undefined
        ? matchParametersSchema.parse(upgradeStoredParameters(JSON.parse(latest.parameters)))
        : initialMatchParameters('initial');
    this.cached = { parameters, readAt: Date.now() };
    return { parameters, records: latest?.records ?? 0 };
  }

  countRecords(): Promise<number> {
    return this.db.traitRecords.countDocuments({});
  }

  async save(parameters: MatchParameters, records: number): Promise<void> {
    await this.db.matchParameters.updateOne(
      { _id: parameters.version },
      { $setOnInsert: { parameters: JSON.stringify(parameters), records, createdAt: new Date() } },
      { upsert: true },
    );
    this.cached = { parameters, readAt: Date.now() };
  }

  async versions(): Promise<Array<{ version: string; records: number; createdAt: Date }>> {
    const docs = await this.db.matchParameters
      .find({}, { projection: { records: 1, createdAt: 1 } })
      .sort({ createdAt: -1 })
      .limit(50)
      .toArray();
    return docs.map((d) => ({ version: d._id, records: d.records, createdAt: d.createdAt }));
  }

  async allRecords(): Promise<PreparedRecord[]> {
    const docs = await this.db.traitRecords.find({}, { projection: { record: 1 } }).toArray();
    return docs.map((d) => d.record);
  }

  /** Ids of every stored trait record, in id order (the order records are matched again in). */
  async recordIds(): Promise<string[]> {
    const docs = await this.db.traitRecords
      .find({}, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map((d) => d._id);
  }

  /** People's review decisions with the trait records stored under the two customers, for judging an estimate. */
  async decidedPairs(limit: number): Promise<DecidedPair[]> {
    const decided = await this.db.reviewQueue
      .find({ status: { $in: ['accepted', 'rejected'] } })
      .sort({ decidedAt: -1 })
      .limit(limit)
      .toArray();
    const customerIds = [...new Set(decided.flatMap((d) => d.customerIds))];
    if (customerIds.length === 0) return [];
    const records = await this.db.traitRecords
      .find({ customerId: { $in: customerIds } }, { projection: { record: 1, customerId: 1 } })
      .toArray();
    const byCustomer = new Map<string, PreparedRecord[]>();
    for (const doc of records) byCustomer.set(doc.customerId, [...(byCustomer.get(doc.customerId) ?? []), doc.record]);
    return decided.map((d) => ({
      accepted: d.status === 'accepted',
      left: byCustomer.get(d.customerIds[0]) ?? [],
      right: byCustomer.get(d.customerIds[1]) ?? [],
    }));
  }

  async trainingStatus(): Promise<TrainingStatusDocument> {
    return (await this.db.matchingTraining.findOne({ _id: 'status' })) ?? { _id: 'status', state: 'idle' };
  }

  async setTrainingStatus(update: TrainingStatusUpdate, clear: ReadonlyArray<keyof TrainingStatusDocument> = []): Promise<void> {
    const unset: Record<string, 1> = Object.fromEntries(clear.map((key) => [key, 1] as const));
    await this.db.matchingTraining.updateOne(
      { _id: 'status' },
      { $set: update, ...(clear.length > 0 ? { $unset: unset } : {}) },
      { upsert: true },
    );
  }
}
