import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import { RequireScope, SCOPES } from '@o2o/auth';
import { notFound, parseBody, rotationSchema } from '@o2o/runtime';
import { channelSchema } from '@o2o/contracts';
import { newSigningSecret, newSourceId, newWriteKey } from '../domain/source-credentials';
import { SourceRepository, SourceView } from '../infrastructure/source.repository';

export const createSourceSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  channel: channelSchema,
  /** Require an HMAC-SHA256 signature of each request body. */
  requireSignature: z.boolean().default(false),
});

/**
 * The sources admin API, for operators (scope sources:admin, like every admin route). Keys and
 * signing secrets are shown once, in the answer that creates them; only their hashes (keys) are
 * kept.
 */
@Controller('admin/v1/sources')
@RequireScope(SCOPES.sourcesAdmin)
export class SourcesAdminController {
  constructor(private readonly sources: SourceRepository) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown): Promise<SourceView & { writeKey: string; signingSecret?: string }> {
    const input = parseBody(createSourceSchema, body);
    const writeKey = newWriteKey();
    const signingSecret = input.requireSignature ? newSigningSecret() : undefined;
    const view = await this.sources.create({
      id: newSourceId(input.name),
      name: input.name,
      channel: input.channel,
      writeKey,
      signingSecret,
    });
    return { ...view, writeKey, ...(signingSecret ? { signingSecret } : {}) };
  }

  @Get()
  async list(): Promise<{ sources: SourceView[] }> {
    return { sources: await this.sources.list() };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<SourceView> {
    return this.found(await this.sources.get(id), id);
  }

  /** Issues a new key; the old ones keep working for graceSeconds so senders can switch. */
  @Post(':id/rotate')
  @HttpCode(200)
  async rotate(@Param('id') id: string, @Body() body: unknown): Promise<SourceView & { writeKey: string }> {
    const { graceSeconds } = parseBody(rotationSchema, body);
    const writeKey = newWriteKey();
    const view = this.found(await this.sources.rotate(id, writeKey, new Date(Date.now() + graceSeconds * 1000)), id);
    return { ...view, writeKey };
  }

  @Post(':id/disable')
  @HttpCode(200)
  async disable(@Param('id') id: string): Promise<SourceView> {
    return this.found(await this.sources.setEnabled(id, false), id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  async enable(@Param('id') id: string): Promise<SourceView> {
    return this.found(await this.sources.setEnabled(id, true), id);
  }

  private found(view: SourceView | null, id: string): SourceView {
    if (!view) throw notFound(`no source ${id}`);
    return view;
  }
}
