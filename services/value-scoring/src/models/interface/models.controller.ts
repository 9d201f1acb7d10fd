import { Controller, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestWithPrincipal, RequireScope, SCOPES } from '@o2o/auth';
import { notFound } from '@o2o/runtime';
import { BackgroundModelJobs, ModelJobView, versionView } from '../application/background-model-jobs';
import { ModelRegistry } from '../application/model.registry';
import { ModelVersions } from '../application/ports/model-versions.port';

@Controller('v1/models')
export class ModelsController {
  private started(job: ModelJobView, reply: FastifyReply): { job: ModelJobView } {
    void reply.header('location', `/v1/models/jobs/${job.id}`);
    return { job };
  }

  constructor(
    private readonly background: BackgroundModelJobs,
    private readonly registry: ModelRegistry,
    private readonly versions: ModelVersions,
  ) {}

  /**
   * Starts a refit (then a re-scoring and re-tiering of every customer) in the background: 202 with
   * the job, followed at GET /v1/models/jobs/{id} (Location). Its outcome there: fitted,
   * already-fitted (a fit started after this request already ran), busy (another instance held the
   * model-job lock) or insufficient-data.
   */
  @RequireScope(SCOPES.modelsWrite)
  @Post('refit')
  @HttpCode(202)
  async refit(@Req() request: RequestWithPrincipal, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ job: ModelJobView }> {
    return this.started(await this.background.start('refit', request.principal?.client ?? 'unknown'), reply);
  }

  /** Starts a re-scoring and re-tiering with the current model (what the schedule does daily) in the background: 202 with the job. */
  @RequireScope(SCOPES.modelsWrite)
  @Post('rescore')
  @HttpCode(202)
  async rescore(@Req() request: RequestWithPrincipal, @Res({ passthrough: true }) reply: FastifyReply): Promise<{ job: ModelJobView }> {
    return this.started(await this.background.start('rescore', request.principal?.client ?? 'unknown'), reply);
  }

  /** The latest jobs asked for through the API, newest first. */
  @RequireScope(SCOPES.modelsRead)
  @Get('jobs')
  async jobs(): Promise<{ jobs: ModelJobView[] }> {
    return { jobs: await this.background.recent(50) };
  }

  /** A job's state: running, finished (with its outcome), failed (with the error), or abandoned (its instance stopped). */
  @RequireScope(SCOPES.modelsRead)
  @Get('jobs/:id')
  @Header('cache-control', 'no-store')
  async job(@Param('id') id: string): Promise<ModelJobView> {
    const job = await this.background.status(id);
    if (!job) throw notFound(`no model job ${id}`);
    return job;
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
