import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { IdentityGraphRepository } from '../infrastructure/identity-graph.repository';

@Controller('v1/identities')
export class IdentitiesController {
  constructor(private readonly graph: IdentityGraphRepository) {}

  /** The customer owning an identifier, with all its identifiers. */
  @Get(':type/:value')
  async lookup(@Param('type') type: string, @Param('value') value: string) {
    const normalised = type === 'email' ? value.trim().toLowerCase() : value.trim();
    const found = await this.graph.lookup({ type, value: normalised });
    if (!found) throw new NotFoundException({ code: 'not_found', message: `no customer has ${type} identifier` });
    return found;
  }
}
