import { Inject, Injectable } from '@nestjs/common';
import { initialMatchParameters, MatchParameters, matchParametersSchema, PreparedRecord, upgradeStoredParameters } from '../../matching/domain';
import { IDENTITY_CONFIG } from '../../identity.tokens';
import type { IdentityResolutionConfig } from '../../config/identity-resolution.config';
import { IdentityCollections } from './identity-graph.collections';

/**
 * Versioned Fellegi-Sunter parameters in MongoDB; the newest version is current. Each instance
 * keeps the current one in memory and re-reads it periodically, so a re-estimate made by one
 * instance (or the CLI) reaches all of them without a restart.
 */
@Injectable()
export class MatchParametersRepository {
  private cached: { parameters: MatchParameters; readAt: number } | undefined;

  constructor(
    private readonly db: IdentityCollections,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityResolutionConfig,
  ) {}

  async current(): Promise<MatchParameters> {
    if (this.cached !== undefined && Date.now() - this.cached.readAt < this.config.MATCHING_PARAMETERS_REFRESH_MS) return this.cached.parameters;
    const [latest] = await this.db.matchParameters.find({}).sort({ createdAt: -1, _id: -1 }).limit(1).toArray();
    // Until the first estimate, rough starting values keep matching usable (and conservative).
    const parameters = latest !== undefined ? matchParametersSchema.parse(upgradeStoredParameters(JSON.parse(latest.parameters))) : initialMatchParameters('initial');
    this.cached = { parameters, readAt: Date.now() };
    return parameters;
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
    const docs = await this.db.matchParameters.find({}, { projection: { records: 1, createdAt: 1 } }).sort({ createdAt: -1 }).limit(50).toArray();
    return docs.map((d) => ({ version: d._id, records: d.records, createdAt: d.createdAt }));
  }

  async allRecords(): Promise<PreparedRecord[]> {
    const docs = await this.db.traitRecords.find({}, { projection: { record: 1 } }).toArray();
    return docs.map((d) => d.record);
  }
}
