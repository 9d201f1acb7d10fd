import { Body, Controller, Get, HttpCode, HttpException, Inject, NotFoundException, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { channelSchema } from '@o2o/contracts';
import type { IngestionConfig } from '../../config/ingestion.config';
import { INGESTION_CONFIG } from '../../ingestion.tokens';
import { newSigningSecret, newSourceId, newWriteKey } from '../domain/source-credentials';
import { SourceRepository, SourceView } from '../infrastructure/source.repository';

const createSourceSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  channel: channelSchema,
  /** Require an HMAC-SHA256 signature of each request body. */
  requireSignature: z.boolean().default(false),
});

const rotateSchema = z.strictObject({
  /** How long the current keys stay valid after the rotation (default one day). */
  graceSeconds: z.number().int().min(0).max(30 * 86400).default(86400),
});

function problem(status: number, code: string, message: string, issues: Array<{ field: string; message: string }> = []): HttpException {
  return new HttpException({ success: false, error: { code, message, ...(issues.length ? { issues } : {}) } }, status);
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  let json: unknown = body ?? {};
  if (typeof body === 'string') {
    try {
      json = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw problem(400, 'invalid_json', 'the body is not valid JSON', [{ field: '(body)', message: 'not valid JSON' }]);
    }
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
    throw problem(400, 'invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  }
  return parsed.data;
}

/**
 * The sources admin API, behind its own bearer credential (INGESTION_ADMIN_TOKEN). Keys and
 * signing secrets are shown once, in the answer that creates them; only their hashes (keys) are
 * kept.
 */
@Controller('admin/v1/sources')
export class SourcesAdminController {
  constructor(
    private readonly sources: SourceRepository,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Req() request: FastifyRequest, @Body() body: unknown): Promise<SourceView & { writeKey: string; signingSecret?: string }> {
    this.authorize(request);
    const input = parseBody(createSourceSchema, body);
    const writeKey = newWriteKey();
    const signingSecret = input.requireSignature ? newSigningSecret() : undefined;
    const view = await this.sources.create({ id: newSourceId(input.name), name: input.name, channel: input.channel, writeKey, signingSecret });
    return { ...view, writeKey, ...(signingSecret ? { signingSecret } : {}) };
  }

  @Get()
  async list(@Req() request: FastifyRequest): Promise<{ sources: SourceView[] }> {
    this.authorize(request);
    return { sources: await this.sources.list() };
  }

  @Get(':id')
  async get(@Req() request: FastifyRequest, @Param('id') id: string): Promise<SourceView> {
    this.authorize(request);
    return this.found(await this.sources.get(id), id);
  }

  /** Issues a new key; the old ones keep working for graceSeconds so senders can switch. */
  @Post(':id/rotate')
  @HttpCode(200)
  async rotate(@Req() request: FastifyRequest, @Param('id') id: string, @Body() body: unknown): Promise<SourceView & { writeKey: string }> {
    this.authorize(request);
    const { graceSeconds } = parseBody(rotateSchema, body);
    const writeKey = newWriteKey();
    const view = this.found(await this.sources.rotate(id, writeKey, new Date(Date.now() + graceSeconds * 1000)), id);
    return { ...view, writeKey };
  }

  @Post(':id/disable')
  @HttpCode(200)
  async disable(@Req() request: FastifyRequest, @Param('id') id: string): Promise<SourceView> {
    this.authorize(request);
    return this.found(await this.sources.setEnabled(id, false), id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  async enable(@Req() request: FastifyRequest, @Param('id') id: string): Promise<SourceView> {
    this.authorize(request);
    return this.found(await this.sources.setEnabled(id, true), id);
  }

  private found(view: SourceView | null, id: string): SourceView {
    if (!view) throw new NotFoundException({ success: false, error: { code: 'not_found', message: `no source ${id}` } });
    return view;
  }

  private authorize(request: FastifyRequest): void {
    const expected = this.config.INGESTION_ADMIN_TOKEN;
    if (!expected) throw problem(403, 'admin_disabled', 'the admin API is disabled: set INGESTION_ADMIN_TOKEN');
    const header = request.headers.authorization ?? '';
    const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    if (!given) throw problem(401, 'unauthorized', 'an admin bearer token is required');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw problem(403, 'forbidden', 'wrong admin token');
  }
}
