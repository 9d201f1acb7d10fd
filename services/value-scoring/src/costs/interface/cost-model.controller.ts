import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { RequestWithPrincipal, RequireScope, SCOPES } from '@o2o/auth';
import { parseBody, problem } from '@o2o/runtime';
import { CostModelRegistry, CostModelView } from '../application/cost-model.registry';
import { CostModelStore } from '../application/ports/cost-model.store';
import { costModelBody } from './cost-model.dto';

/**
 * The cost model value is a margin of: prices of an order, a return, a service call, a contact
 * per channel and a customer-year. Read with `models:read`, replaced with `models:write` (an
 * operator's, audited like refits). A change applies to scores computed from then on: each
 * customer's next event, or everyone at the next re-scoring (`POST /v1/models/rescore`).
 */
@Controller('v1/cost-model')
export class CostModelController {
  constructor(
    private readonly registry: CostModelRegistry,
    private readonly repository: CostModelStore,
  ) {}

  @RequireScope(SCOPES.modelsRead)
  @Get()
  get(): CostModelView {
    return this.registry.view();
  }

  @RequireScope(SCOPES.modelsWrite)
  @Put()
  async put(@Body() body: unknown, @Req() request: RequestWithPrincipal): Promise<CostModelView & { note: string }> {
    const { expectedVersion, ...model } = parseBody(costModelBody, body);
    const stored = await this.repository.replace(model, expectedVersion, request.principal?.client ?? 'unknown', new Date());
    if (!stored) {
      await this.registry.refresh();
      throw problem(
        409,
        'version_conflict',
        `the cost model is no longer at version ${expectedVersion} (now ${this.registry.view().version}): read it again and retry`,
      );
    }
    this.registry.use(stored);
    return {
      ...this.registry.view(),
      note: 'applies to scores computed from now on; POST /v1/models/rescore re-scores every customer with it',
    };
  }
}
