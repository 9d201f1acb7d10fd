import { Controller, Get, Param } from '@nestjs/common';
import { RequireScope, SCOPES } from '@o2o/auth';
import { notFound } from '@o2o/runtime';
import { CustomerValueView, GetCustomerValueHandler } from '../application/get-customer-value/get-customer-value.query';

@RequireScope(SCOPES.profilesRead)
@Controller('v1/customers')
export class CustomerValueController {
  constructor(private readonly getValue: GetCustomerValueHandler) {}

  /** The customer's value state and why; a merged id answers with its survivor's, saying so. */
  @Get(':id/value')
  async value(@Param('id') id: string): Promise<CustomerValueView> {
    const value = await this.getValue.execute(id);
    if (!value) throw notFound(`no value is known for customer ${id}`);
    return value;
  }
}
