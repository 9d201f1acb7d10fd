import { Controller, Get, Header, Param } from '@nestjs/common';
import { problem } from '@o2o/runtime';
import { LookupIdentityQuery } from '../application/lookup-identity/lookup-identity.query';
import { RequireScope, SCOPES } from '@o2o/auth';

@RequireScope(SCOPES.profilesRead)
@Controller('v1/identities')
export class IdentitiesController {
  constructor(private readonly lookup: LookupIdentityQuery) {}

  /** The customer owning an identifier, with all its identifiers; the value is normalised as events are. */
  @Get(':type/:value')
  // The cached answer is already the JSON document to send ({customerId, identifiers}).
  @Header('content-type', 'application/json; charset=utf-8')
  async find(@Param('type') type: string, @Param('value') value: string): Promise<string> {
    const found = await this.lookup.answer(type, value);
    if (found === undefined) throw problem(404, 'not_found', `no customer has this ${type} identifier`);
    return found;
  }
}
