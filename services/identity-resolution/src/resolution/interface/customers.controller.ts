import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { ExplainCustomerQuery } from '../application/explain-customer/explain-customer.query';
import { MergeCustomersHandler } from '../application/merge-customers/merge-customers.handler';
import { MigrateCustomerIdsHandler } from '../application/migrate-customer-ids/migrate-customer-ids.handler';
import { SplitCustomerHandler } from '../application/split-customer/split-customer.handler';
import { parseBody } from '@o2o/runtime';
import { RequireScope, SCOPES } from '@o2o/auth';

export const splitBody = z
  .object({
    /** Customers merged into this one to split off; all of them when absent. */
    customerIds: z.array(z.string().min(1)).min(1).optional(),
    reason: z.string().min(1).max(500).default('split by an operator'),
  })
  .default({ reason: 'split by an operator' });

export const mergeBody = z.strictObject({
  /** The other customer: merged into this one, or this one into it (the older survives). */
  customerId: z.string().min(1).max(200),
  /** Why they are one person: recorded on the merge, in the history and on customer.merged. */
  reason: z.string().trim().min(1).max(500),
});

export const migrationBody = z
  .strictObject({
    /** The previous answer's next. */
    after: z.string().min(1).optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .default({ limit: 200 });

@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly explainQuery: ExplainCustomerQuery,
    private readonly split: SplitCustomerHandler,
    private readonly merge: MergeCustomersHandler,
    private readonly migrate: MigrateCustomerIdsHandler,
  ) {}

  /**
   * Renames one page of customers still named by the unkeyed hash of an identifier to their keyed
   * id, each published as a merge; call again with `after: next` until no next is returned.
   */
  @RequireScope(SCOPES.matchingWrite)
  @Post('id-migration')
  @HttpCode(200)
  migrateIds(@Body() body: unknown) {
    const command = parseBody(migrationBody, body);
    return this.migrate.execute({ limit: command.limit, ...(command.after !== undefined ? { after: command.after } : {}) });
  }

  /** Why are these one customer: identifiers with their evidence, merges with their reasons. */
  @RequireScope(SCOPES.matchingRead)
  @Get(':id/explain')
  explain(@Param('id') id: string) {
    return this.explainQuery.execute(id);
  }

  /**
   * For customer-facing people (the console's customer screen): each identifier with why it was
   * linked (the rule, through which identifier, when), the merges with their reasons, and the
   * related customers (household, shared identifiers). The explanation without match evidence,
   * parameters or review internals.
   */
  @RequireScope(SCOPES.profilesRead)
  @Get(':id/links')
  async links(@Param('id') id: string) {
    const explained = await this.explainQuery.execute(id);
    return {
      customerId: explained.customerId,
      identifiers: explained.identifiers.map((i) => ({
        type: i.type,
        value: i.value,
        firstSeenAt: i.firstSeenAt,
        linkedBy: i.evidence.rule,
        ...(i.evidence.via !== undefined ? { via: i.evidence.via } : {}),
        ...(i.evidence.score !== undefined ? { score: i.evidence.score } : {}),
        at: i.evidence.at,
      })),
      merges: explained.merges.map((m) => ({ mergedId: m.mergedId, reason: m.reason, at: m.at })),
      related: explained.related.map((r) => ({ customerId: r.customerId, kind: r.kind, via: r.via, reason: r.reason, at: r.at })),
    };
  }

  /** Undoes merges into the customer, publishing customer.split and fresh snapshots. */
  @RequireScope(SCOPES.matchingWrite)
  @Post(':id/split')
  @HttpCode(200)
  splitCustomer(@Param('id') id: string, @Body() body: unknown) {
    const command = parseBody(splitBody, body);
    return this.split.execute({
      customerId: id,
      reason: command.reason,
      ...(command.customerIds !== undefined ? { partIds: command.customerIds } : {}),
    });
  }

  /**
   * Merges two customers an operator declared one person, published as any merge is
   * (customer.merged, snapshots); the older customer survives. The split route undoes it.
   */
  @RequireScope(SCOPES.matchingWrite)
  @Post(':id/merge')
  @HttpCode(200)
  mergeCustomers(@Param('id') id: string, @Body() body: unknown) {
    const command = parseBody(mergeBody, body);
    return this.merge.execute({
      decidedBy: 'operator',
      customerIds: [id, command.customerId],
      reason: `merged by an operator: ${command.reason}`,
    });
  }
}
