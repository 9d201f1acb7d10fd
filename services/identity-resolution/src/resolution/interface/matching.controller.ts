import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { problem } from '@o2o/runtime';
import { TrainMatchingHandler, TrainingOutcome } from '../application/train-matching/train-matching.handler';
import { MatchParametersRepository } from '../infrastructure/match-parameters.repository';
import { TrainingScheduler } from './training.scheduler';
import { RequireScope, SCOPES } from '@o2o/auth';

function describe(outcome: TrainingOutcome) {
  switch (outcome.kind) {
    case 'trained':
      return {
        outcome: outcome.kind,
        version: outcome.parameters.version,
        records: outcome.records,
        lambda: outcome.parameters.lambda,
        thresholds: outcome.parameters.thresholds,
        ...(outcome.parameters.training !== undefined ? { training: outcome.parameters.training } : {}),
        rematched: outcome.rematched,
        merges: outcome.merges,
      };
    case 'refused':
      return { outcome: outcome.kind, version: outcome.version, records: outcome.records, reason: outcome.reason };
    default:
      return { outcome: outcome.kind };
  }
}

@Controller('v1/matching')
export class MatchingController {
  constructor(
    private readonly training: TrainMatchingHandler,
    private readonly scheduler: TrainingScheduler,
    private readonly parameters: MatchParametersRepository,
  ) {}

  /** The current Fellegi-Sunter parameters and the stored versions. */
  @RequireScope(SCOPES.matchingRead)
  @Get('parameters')
  async current() {
    const [current, versions] = await Promise.all([this.parameters.current(), this.parameters.versions()]);
    return { current, versions };
  }

  /**
   * Trains now and answers when done: EM over the stored trait records (in a worker thread), the
   * estimate checked against people's review decisions, then every record matched again.
   */
  @RequireScope(SCOPES.matchingWrite)
  @Post('parameters/estimate')
  @HttpCode(200)
  async reestimate() {
    const outcome = await this.training.execute('request');
    if (outcome.kind === 'busy')
      throw problem(409, 'training_in_progress', 'another training run holds the lease; see GET /v1/matching/training');
    return describe(outcome);
  }

  /** The training job's state: running or idle, the last version made current, the last estimate refused. */
  @RequireScope(SCOPES.matchingRead)
  @Get('training')
  status() {
    return this.training.status();
  }

  /** Starts a training run in the background; follow it with GET /v1/matching/training. */
  @RequireScope(SCOPES.matchingWrite)
  @Post('training')
  @HttpCode(202)
  async start() {
    void this.scheduler.request();
    return { accepted: true, status: await this.training.status() };
  }
}
