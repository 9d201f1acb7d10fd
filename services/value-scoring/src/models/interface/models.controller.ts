import { Controller, Get, HttpCode, HttpException, Post } from '@nestjs/common';
import { ModelVersionRepository } from '../infrastructure/model-version.repository';
import { ModelVersion } from '../infrastructure/model-version.schema';
import { ModelJobs } from '../application/model-jobs.scheduler';
import { ModelRegistry } from '../application/model.registry';
import { RequireScope, SCOPES } from '@o2o/auth';

function versionView(v: ModelVersion) {
  return {
    version: v._id,
    purchaseModel: v.purchases,
    spendModel: { model: 'gamma-gamma', params: v.spend },
    logLikelihood: v.logLikelihood,
    converged: v.converged,
    fittedAt: v.fittedAt.toISOString(),
    dataWindow: { from: v.dataWindow.from.toISOString(), to: v.dataWindow.to.toISOString() },
    customers: v.customers,
    repeatCustomers: v.repeatCustomers,
    population: v.population,
    timeUnitDays: v.timeUnitDays,
    fitSeconds: v.fitSeconds,
    trigger: v.trigger,
  };
}

@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly jobs: ModelJobs,
    private readonly registry: ModelRegistry,
    private readonly versions: ModelVersionRepository,
  ) {}

  /**
   * Refits now and re-scores every customer; answers when done. 409 while another instance runs
   * a model job, 422 while there is too little purchase history to fit.
   */
  @RequireScope(SCOPES.modelsWrite)
  @Post('refit')
  @HttpCode(200)
  async refit() {
    const result = await this.jobs.refit('on-demand');
    switch (result.status) {
      case 'fitted':
        return { status: result.status, model: versionView(result.version), rescore: result.rescore };
      case 'already-fitted':
      case 'not-due':
        return { status: result.status, model: versionView(result.version) };
      case 'busy':
        throw new HttpException({ status: 'busy', error: { code: 'busy', message: 'another instance is running a model job (refit or re-scoring); its result will be picked up by every instance' } }, 409);
      case 'insufficient-data':
        throw new HttpException({ status: result.status, error: { code: 'insufficient_data', message: result.reason }, population: result.population, customers: result.customers, repeatCustomers: result.repeatCustomers }, 422);
    }
  }

  /** Re-scores and re-tiers every customer with the current model (what the schedule does as time passes). */
  @RequireScope(SCOPES.modelsWrite)
  @Post('rescore')
  @HttpCode(200)
  async rescore() {
    const result = await this.jobs.rescore();
    if (result.status === 'busy') {
      throw new HttpException({ status: 'busy', error: { code: 'busy', message: 'another instance is running a model job' } }, 409);
    }
    return result;
  }

  /** The model this instance scores with, and the last re-tiering. */
  @RequireScope(SCOPES.modelsRead)
  @Get('current')
  async current() {
    const version = this.registry.currentVersion();
    const state = this.registry.state();
    return {
      model: version ? { kind: 'fitted', ...versionView(version) } : { kind: 'interim', version: this.registry.model().version },
      tiering: state
        ? {
            modelVersion: state.modelVersion,
            walkedAt: state.walkedAt.toISOString(),
            customers: state.customers,
            totalValue: state.totalValue,
            cutoffs: state.cutoffs,
            peerGroups: state.peerLevels.length,
          }
        : null,
    };
  }

  /** Fitted parameter sets, newest first. */
  @RequireScope(SCOPES.modelsRead)
  @Get()
  async list() {
    return { versions: (await this.versions.list(50)).map(versionView) };
  }
}
