import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { identifierTypeRuleSchema, InvalidIdentityRulesError } from '../../matching/domain';
import { ConfiguredIdentifierTypeError, IdentityRulesProvider } from '../infrastructure/identity-rules.provider';
import { parseBody, problem } from '@o2o/runtime';
import { RequireScope, SCOPES } from '@o2o/auth';

const TYPE_NAME = /^[a-z][A-Za-z0-9]{0,63}$/u;

/**
 * Identifier types at run time: passports, driver's licences, tax ids or an operator's own, each
 * with its normaliser, uniqueness, per-customer limit and priority (its weight in deciding which
 * customer an event belongs to). Used by every instance within MATCHING_PARAMETERS_REFRESH_MS,
 * without a restart. Types set by the configuration are listed but not changed here.
 */
@Controller('v1/identifier-types')
export class IdentifierTypesController {
  constructor(private readonly rules: IdentityRulesProvider) {}

  @RequireScope(SCOPES.matchingRead)
  @Get()
  list() {
    return { version: this.rules.current().version, types: this.rules.list() };
  }

  @RequireScope(SCOPES.matchingWrite)
  @Put(':type')
  @HttpCode(200)
  async put(@Param('type') type: string, @Body() body: unknown) {
    if (!TYPE_NAME.test(type)) {
      throw problem(400, 'invalid_identifier_type', 'a type name starts with a lower-case letter and has at most 64 letters and digits', [
        { field: 'type', message: 'invalid name' },
      ]);
    }
    const rule = parseBody(identifierTypeRuleSchema, body);
    try {
      await this.rules.put(type, rule);
    } catch (error) {
      if (error instanceof ConfiguredIdentifierTypeError) throw problem(409, 'configured_identifier_type', error.message);
      if (error instanceof InvalidIdentityRulesError) {
        throw problem(
          409,
          'invalid_identity_rules',
          error.message,
          error.issues.map((issue) => ({ field: issue.split(':')[0] ?? '', message: issue })),
        );
      }
      throw error;
    }
    return { type, rule, version: this.rules.current().version };
  }

  @RequireScope(SCOPES.matchingWrite)
  @Delete(':type')
  @HttpCode(204)
  async remove(@Param('type') type: string): Promise<void> {
    try {
      if (!(await this.rules.remove(type)))
        throw problem(404, 'unknown_identifier_type', `no identifier type ${type} was added through the API`);
    } catch (error) {
      if (error instanceof ConfiguredIdentifierTypeError) throw problem(409, 'configured_identifier_type', error.message);
      throw error;
    }
  }
}
