import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import { ActiveModel, interimModel, interimTierCutoffs, TierCutoffs } from '../../valuation/domain/customer-valuation';
import { PeerGroupKeys, PeerLevel } from '../../valuation/domain/peer-spend';
import { VALUE_CONFIG } from '../../value.tokens';
import { ValueModels } from '../../valuation/application/ports/valuation-inputs.port';
import type { ModelVersion, ValuationState } from '../domain/model-version';
import { ModelVersions } from './ports/model-versions.port';

export function activeModelOf(version: ModelVersion): ActiveModel {
  return {
    kind: 'fitted',
    version: version._id,
    fittedAt: version.fittedAt,
    timeUnitDays: version.timeUnitDays,
    purchases: version.purchases,
    spend: version.spend,
  };
}

/**
 * This instance's view of the current model and of the last tier walk. Every instance reloads
 * both from MongoDB on a timer, so a refit on one instance reaches all of them within
 * MODEL_REFRESH_MS; the instance that fitted switches at once.
 */
@Injectable()
export class ModelRegistry implements ValueModels, OnModuleInit, OnModuleDestroy {
  private active: ActiveModel = interimModel;
  private version: ModelVersion | null = null;
  private valuation: ValuationState | null = null;
  private peers = new Map<string, PeerLevel>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly versions: ModelVersions,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'could not load the current model; scoring with the interim model until the next refresh'),
    );
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'model refresh failed'));
    }, this.config.MODEL_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const [latest, state] = await Promise.all([this.versions.latest(), this.versions.state()]);
    if (latest && latest._id !== this.version?._id) this.useVersion(latest);
    if (state) this.useState(state);
  }

  useVersion(version: ModelVersion): void {
    // Versions only move forward: a slow refresh must not bring an older fit back.
    if (this.version && version.fittedAt < this.version.fittedAt) return;
    this.version = version;
    this.active = activeModelOf(version);
  }

  useState(state: ValuationState): void {
    // Like versions, walks only move forward: a refresh racing a job must not bring an older one back.
    if (this.valuation && state.walkedAt < this.valuation.walkedAt) return;
    this.valuation = state;
    this.peers = new Map(state.peerLevels.map((p) => [p.key, p]));
  }

  model(): ActiveModel {
    return this.active;
  }

  currentVersion(): ModelVersion | null {
    return this.version;
  }

  state(): ValuationState | null {
    return this.valuation;
  }

  /** Cut-offs of the last walk, or the interim fixed thresholds before the first walk. */
  tierCutoffs(): { cutoffs: TierCutoffs; fromWalk: boolean } {
    return this.valuation ? { cutoffs: this.valuation.cutoffs, fromWalk: true } : { cutoffs: interimTierCutoffs, fromWalk: false };
  }

  /** The customer's peer level: their needs-and-breadth group if large enough, else breadth alone. */
  peerLevel(keys: PeerGroupKeys): PeerLevel | undefined {
    return this.peers.get(keys.specific) ?? this.peers.get(keys.broad);
  }
}
