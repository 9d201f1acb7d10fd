import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { LOGGER, Logger } from '@o2o/observability';
import type { ValueScoringConfig } from '../../config/value-scoring.config';
import type { CostModel } from '../../valuation/domain/cost-model';
import { CostModels } from '../../valuation/application/ports/valuation-inputs.port';
import { VALUE_CONFIG } from '../../value.tokens';
import type { SetCostModel } from '../domain/set-cost-model';
import { CostModelStore } from './ports/cost-model.store';

export interface CostModelView extends CostModel {
  /** 0: the configured defaults (nothing set through the API yet). */
  version: number;
  source: 'defaults' | 'api';
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The configured cost model (COST_* settings): what applies until an operator sets one. */
export function defaultCostModel(config: ValueScoringConfig): CostModel {
  return {
    perOrder: config.COST_PER_ORDER,
    perReturn: config.COST_PER_RETURN,
    perServiceCall: config.COST_PER_SERVICE_CALL,
    perContact: { ...config.COST_PER_CONTACT },
    perContactDefault: config.COST_PER_CONTACT_DEFAULT,
    perCustomerYear: config.COST_PER_CUSTOMER_YEAR,
  };
}

/**
 * This instance's cost model: the one set through the API, else the configured defaults.
 * Reloaded with the value model (MODEL_REFRESH_MS), so an edit on one instance reaches all of
 * them within that; the instance that took the edit uses it at once. Scores change as customers
 * are scored again (their next event, or a re-scoring: `POST /v1/models/rescore`).
 */
@Injectable()
export class CostModelRegistry implements CostModels, OnModuleInit, OnModuleDestroy {
  private current: CostModelView;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: CostModelStore,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.current = { ...defaultCostModel(config), version: 0, source: 'defaults', updatedAt: null, updatedBy: null };
  }

  async onModuleInit(): Promise<void> {
    await this.refresh().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'could not load the cost model; scoring with the configured defaults until the next refresh'),
    );
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'cost model refresh failed'));
    }, this.config.MODEL_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const stored = await this.repository.current();
    if (stored) this.use(stored);
  }

  use(stored: SetCostModel): void {
    // Versions only move forward: a slow refresh must not bring an older model back.
    if (stored.version < this.current.version) return;
    this.current = {
      perOrder: stored.perOrder,
      perReturn: stored.perReturn,
      perServiceCall: stored.perServiceCall,
      perContact: { ...stored.perContact },
      perContactDefault: stored.perContactDefault,
      perCustomerYear: stored.perCustomerYear,
      version: stored.version,
      source: 'api',
      updatedAt: new Date(stored.updatedAt).toISOString(),
      updatedBy: stored.updatedBy,
    };
  }

  model(): CostModel {
    return this.current;
  }

  view(): CostModelView {
    return { ...this.current, perContact: { ...this.current.perContact } };
  }
}
