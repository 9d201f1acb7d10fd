import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { ALL_SCOPES, ApiKeyStore, ApiKeyView, RequireScope, SCOPES } from '@o2o/auth';
import { notFound, parseBody } from '../http-problem';
import { rotationSchema } from './rotation';

export const apiKeyCreateSchema = z.strictObject({
  /** Who the key is for (a team or system), shown in audits and the list. */
  owner: z.string().trim().min(1).max(200),
  scopes: z.array(z.enum(ALL_SCOPES as [string, ...string[]])).min(1),
  /** Days until the key stops working; without it, until revoked. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

function found<T>(value: T | undefined, id: string): T {
  if (value === undefined) throw notFound(`no API key ${id}`);
  return value;
}

/** API keys of machine clients for this service. A key is shown once, in the answer that creates or rotates it. */
@Controller('admin/v1/api-keys')
@RequireScope(SCOPES.apiKeysAdmin)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyStore) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<ApiKeyView & { key: string }> {
    const input = parseBody(apiKeyCreateSchema, body);
    const { key, view } = await this.keys.create({
      owner: input.owner,
      scopes: input.scopes,
      ...(input.expiresInDays ? { expiresAt: new Date(Date.now() + input.expiresInDays * 86400_000) } : {}),
    });
    return { ...view, key };
  }

  @Get()
  async list(): Promise<{ keys: ApiKeyView[] }> {
    return { keys: await this.keys.list() };
  }

  @Post(':id/rotate')
  @HttpCode(200)
  async rotate(@Param('id') id: string, @Body() body: unknown): Promise<ApiKeyView & { key: string }> {
    const { graceSeconds } = parseBody(rotationSchema, body);
    const { key, view } = found(await this.keys.rotate(id, graceSeconds), id);
    return { ...view, key };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('id') id: string): Promise<ApiKeyView> {
    return found(await this.keys.revoke(id), id);
  }
}
