import { Body, ConflictException, Controller, Get, HttpException, Put, Req } from '@nestjs/common';
import { RequestWithPrincipal, RequireScope, SCOPES } from '@o2o/auth';
import { z } from 'zod';
import { CostModelRegistry, CostModelView } from '../application/cost-model.registry';
import { CostModelRepository } from '../infrastructure/cost-model.repository';
import { costModelBody } from './cost-model.dto';

/** A zod failure as this platform's 400: each bad field named. */
export function invalidRequest(error: z.ZodError): HttpException {
  const issues = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return new HttpException({ success: false, error: { code: 'invalid_request', message: issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues } }, 400);
}

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
    private readonly repository: CostModelRepository,
  ) {}

  @RequireScope(SCOPES.modelsRead)
  @Get()
  get(): CostModelView {
    return this.registry.view();
  }

  @RequireScope(SCOPES.modelsWrite)
  @Put()
  async put(@Body() body: unknown, @Req() request: RequestWithPrincipal): Promise<CostModelView & { note: string }> {
    const parsed = costModelBody.safeParse(body ?? undefined);
    if (!parsed.success) throw invalidRequest(parsed.error);
    const { expectedVersion, ...model } = parsed.data;
    const stored = await this.repository.replace(model, expectedVersion, request.principal?.client ?? 'unknown', new Date());
    if (!stored) {
      await this.registry.refresh();
      throw new ConflictException({
        success: false,
        error: { code: 'version_conflict', message: `the cost model is no longer at version ${expectedVersion} (now ${this.registry.view().version}): read it again and retry` },
      });
    }
    this.registry.use(stored);
    return { ...this.registry.view(), note: 'applies to scores computed from now on; POST /v1/models/rescore re-scores every customer with it' };
  }
}
