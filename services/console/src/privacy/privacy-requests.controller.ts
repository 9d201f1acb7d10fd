import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { invalidRequest, problem, zodIssues } from '@o2o/runtime';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { OwnCredential } from '@o2o/auth';
import { InjectRedis, type Redis } from '@o2o/redis';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import { PlatformClient } from '../gateway/platform.client';
import { RequestWithSession, SessionGuard, sessionOf } from '../session/session.guard';

const LIST_KEY = 'console:privacy:requests';
const requestIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/);

export const startSchema = z
  .strictObject({
    kind: z.enum(['erasure', 'export']),
    type: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'an identifier type'),
    value: z.string().min(1).max(500),
    /** The identifier typed a second time: nothing irreversible starts from one slip. */
    confirmation: z.string(),
  })
  .refine((s) => s.confirmation === s.value, { path: ['confirmation'], message: 'type the identifier again to confirm' });

/** What the console keeps of a request it started: never the identifier (personal data), only who asked, when, and the id. */
interface StartedRequest {
  requestId: string;
  kind: 'erasure' | 'export';
  identifierType: string;
  requestedBy: string;
  requestedAt: string;
}

/**
 * Privacy requests for the privacy officer: start an erasure or an export by any identifier
 * (identity-resolution resolves it and every service answers), follow their status, download an
 * export. Identity resolution has no list of requests, so the console lists those started through
 * it (a Redis list, newest first, CONSOLE_PRIVACY_REQUESTS_KEPT long); any other is found by id.
 * Every call carries the person's token: identity resolution checks privacy:erase, privacy:export
 * and privacy:read itself.
 */
@OwnCredential('console-session')
@UseGuards(SessionGuard)
@Controller('api/privacy/requests')
export class PrivacyRequestsController {
  constructor(
    private readonly platform: PlatformClient,
    @InjectRedis() private readonly redis: Redis,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get()
  async list(@Req() request: RequestWithSession) {
    const session = sessionOf(request);
    const started = (await this.redis.lrange(LIST_KEY, 0, 49)).map((r) => JSON.parse(r) as StartedRequest);
    // The status of each, with the person's token (403 for a person without privacy:read).
    const requests = await Promise.all(
      started.map(async (s) => ({
        ...s,
        status: await this.platform
          .get<Record<string, unknown>>(session, 'identity', `/v1/privacy/requests/${encodeURIComponent(s.requestId)}`)
          .catch(statusOf),
      })),
    );
    return { requests };
  }

  @Post()
  @HttpCode(202)
  async start(@Req() request: RequestWithSession, @Body() body: unknown) {
    const parsed = startSchema.safeParse(body);
    if (!parsed.success) throw invalidRequest(zodIssues(parsed.error));
    const { kind, type, value } = parsed.data;
    const session = sessionOf(request);
    const started = await this.platform.get<{ requestId: string; status: string }>(
      session,
      'identity',
      `/v1/privacy/customers/${encodeURIComponent(type)}/${encodeURIComponent(value)}/${kind}`,
      { method: 'POST' },
    );
    const entry: StartedRequest = {
      requestId: started.requestId,
      kind,
      identifierType: type,
      requestedBy: session.subject,
      requestedAt: new Date().toISOString(),
    };
    await this.redis
      .pipeline()
      .lpush(LIST_KEY, JSON.stringify(entry))
      .ltrim(LIST_KEY, 0, this.config.CONSOLE_PRIVACY_REQUESTS_KEPT - 1)
      .exec();
    return { ...entry, status: started.status };
  }

  @Get(':id')
  async status(@Req() request: RequestWithSession, @Param('id') id: string) {
    return this.platform.get(sessionOf(request), 'identity', `/v1/privacy/requests/${encodeURIComponent(this.id(id))}`);
  }

  /** The export's document as a download (identity resolution serves it once, then 410). */
  @Get(':id/export')
  async exportDocument(@Req() request: RequestWithSession, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.platform.call<unknown>(
      sessionOf(request),
      'identity',
      `/v1/privacy/requests/${encodeURIComponent(this.id(id))}/export`,
    );
    if (answer.status === 200)
      void reply.header('content-disposition', `attachment; filename="export-${this.id(id).replace(/[^A-Za-z0-9_-]/g, '_')}.json"`);
    await reply
      .status(answer.status)
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(answer.body));
  }

  private id(id: string): string {
    const parsed = requestIdSchema.safeParse(id);
    if (!parsed.success) throw problem(400, 'invalid_request', 'not a request id');
    return parsed.data;
  }
}

function statusOf(error: unknown): Record<string, unknown> {
  const status =
    typeof error === 'object' && error !== null && 'getStatus' in error && typeof error.getStatus === 'function'
      ? (error.getStatus() as number)
      : 502;
  return { status: status === 403 ? 'forbidden' : 'unavailable', httpStatus: status };
}
