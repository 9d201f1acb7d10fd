import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { LOGGER, Logger } from '@o2o/observability';
import type { ValueScoringConfig } from '../../../config/value-scoring.config';
import { PurchaseSummaries } from '../../../purchases/application/ports/purchase-summaries.port';
import { elapsedUnits, RecencyFrequency, SpendSummary } from '../../../scoring/domain';
import { VALUE_CONFIG } from '../../../value.tokens';
import type { ModelVersion } from '../../domain/model-version';
import { ModelFitter } from '../ports/model-fitter.port';
import { ModelVersions } from '../ports/model-versions.port';
import { JobGuard, JobInterruptedError } from '../rescore-customers/rescore-customers.handler';

export type FitOutcome =
  | { status: 'fitted'; version: ModelVersion }
  | { status: 'insufficient-data'; population: number; customers: number; repeatCustomers: number; reason: string };

/**
 * Fits BG/NBD (purchases) and Gamma-Gamma (spend) on the purchase summaries, streamed in pages.
 * The fit itself needs the sufficient statistics in memory; identical (x, t_x, T) triples share
 * one object (day-rounded data repeats heavily) and above FIT_MAX_CUSTOMERS a deterministic
 * hash sample of customers is taken, so a fit's memory is bounded whatever the population.
 */
@Injectable()
export class RefitModelsHandler {
  constructor(
    private readonly summaries: PurchaseSummaries,
    private readonly versions: ModelVersions,
    private readonly fitter: ModelFitter,
    @Inject(VALUE_CONFIG) private readonly config: ValueScoringConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async execute(trigger: string, guard: JobGuard, lockToken: string): Promise<FitOutcome> {
    const started = process.hrtime.bigint();
    const now = new Date();
    const unit = { timeUnitDays: this.config.MODEL_TIME_UNIT_DAYS, granularity: 'day' as const };
    const population = await this.summaries.countWithPurchases();
    const insufficient = (customers: number, repeatCustomers: number): FitOutcome => ({
      status: 'insufficient-data',
      population,
      customers,
      repeatCustomers,
      reason: `a fit needs ${this.config.FIT_MIN_CUSTOMERS} customers with a purchase and ${this.config.FIT_MIN_REPEAT_CUSTOMERS} repeat buyers; there are ${customers} and ${repeatCustomers}`,
    });
    if (population < this.config.FIT_MIN_CUSTOMERS) return insufficient(population, 0);

    const sampleRate = Math.min(1, this.config.FIT_MAX_CUSTOMERS / population);
    const interned = new Map<string, RecencyFrequency>();
    const purchases: RecencyFrequency[] = [];
    const spend: SpendSummary[] = [];
    let from: Date | undefined;
    let after: string | undefined;
    for (;;) {
      const page = await this.summaries.fitPage(after, this.config.SCORING_PAGE_SIZE);
      if (page.length === 0) break;
      for (const doc of page) {
        if (!doc.firstPurchaseDay || !doc.lastPurchaseDay || doc.x === undefined) continue;
        if (sampleRate < 1 && sampleUnit(doc._id) >= sampleRate) continue;
        const end = now > doc.lastPurchaseDay ? now : doc.lastPurchaseDay;
        const tx = elapsedUnits(doc.firstPurchaseDay, doc.lastPurchaseDay, unit);
        const T = elapsedUnits(doc.firstPurchaseDay, end, unit);
        const key = `${doc.x}|${tx}|${T}`;
        let rf = interned.get(key);
        if (!rf) interned.set(key, (rf = { x: doc.x, tx, T }));
        purchases.push(rf);
        if (doc.x >= 1 && (doc.mx ?? 0) > 0) spend.push({ x: doc.x, mx: doc.mx ?? 0 });
        if (!from || doc.firstPurchaseDay < from) from = doc.firstPurchaseDay;
      }
      after = page[page.length - 1]?._id;
      if (guard.shouldStop()) throw new JobInterruptedError();
    }
    if (purchases.length < this.config.FIT_MIN_CUSTOMERS || spend.length < this.config.FIT_MIN_REPEAT_CUSTOMERS) {
      return insufficient(purchases.length, spend.length);
    }

    // CPU-bound (seconds for 10^5 customers): in a worker thread, so consuming and lookups go on.
    const { bgNbd, gammaGamma } = await this.fitter.fit({ purchases, spend });
    if (!(gammaGamma.params.q > 1)) {
      return {
        ...(insufficient(purchases.length, spend.length) as Extract<FitOutcome, { status: 'insufficient-data' }>),
        reason: `the spend model has no finite mean (q = ${gammaGamma.params.q.toFixed(3)} <= 1): more repeat purchases needed`,
      };
    }
    const version: ModelVersion = {
      _id: `bgnbd-gg-${now.toISOString().replace(/[-:]|\.\d+/g, '')}-${lockToken.slice(0, 6)}`,
      purchases: { model: 'bg-nbd', params: bgNbd.params },
      spend: gammaGamma.params,
      logLikelihood: { purchases: bgNbd.logLikelihood, spend: gammaGamma.logLikelihood },
      converged: bgNbd.converged && gammaGamma.converged,
      fittedAt: now,
      dataWindow: { from: from ?? now, to: now },
      customers: purchases.length,
      repeatCustomers: spend.length,
      population,
      timeUnitDays: this.config.MODEL_TIME_UNIT_DAYS,
      fitSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      trigger,
    };
    await this.versions.insert(version);
    this.logger.info(
      {
        version: version._id,
        customers: version.customers,
        fitSeconds: version.fitSeconds,
        params: { purchases: bgNbd.params, spend: gammaGamma.params },
      },
      'models refitted',
    );
    return { status: 'fitted', version };
  }
}

/** A customer's fixed place in [0, 1): the same customers are sampled by every fit and instance. */
function sampleUnit(customerId: string): number {
  return createHash('sha1').update(customerId).digest().readUInt32BE(0) / 0x1_0000_0000;
}
