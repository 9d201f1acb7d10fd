import { All, Controller, ForbiddenException, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OwnCredential } from '@o2o/auth';
import { RequestWithSession, SessionGuard, sessionOf } from '../session/session.guard';
import { isAllowedPlatformCall } from './platform-proxy';
import { PlatformClient, PlatformService } from './platform.client';

const services: readonly PlatformService[] = ['ingestion', 'identity', 'value', 'needs', 'campaign'];
const serviceNames: Record<PlatformService, string> = {
  ingestion: 'ingestion',
  identity: 'identity-resolution',
  value: 'value-scoring',
  needs: 'needs-profiling',
  campaign: 'campaign-customization',
};

/** Marketing and operations screens: the owning services' routes, with the person's token. */
@OwnCredential('console-session')
@UseGuards(SessionGuard)
@Controller('api')
export class PlatformController {
  constructor(private readonly platform: PlatformClient) {}

  /** Each service's readiness, as its /health/ready reports it (open on every service). */
  @Get('operations/health')
  async health() {
    return {
      services: await Promise.all(
        services.map(async (service) => {
          const started = Date.now();
          try {
            const response = await fetch(`${this.platform.baseOf(service)}/health/ready`, { signal: AbortSignal.timeout(3000) });
            const body = (await response.json().catch(() => null)) as { status?: string; info?: unknown; error?: unknown; details?: unknown } | null;
            return { service: serviceNames[service], ready: response.ok, status: body?.status ?? String(response.status), details: body?.details ?? body?.info ?? null, latencyMs: Date.now() - started };
          } catch (error) {
            return { service: serviceNames[service], ready: false, status: 'unreachable', details: error instanceof Error ? error.message : String(error), latencyMs: Date.now() - started };
          }
        }),
      ),
    };
  }

  @All('platform/:service/*')
  async pass(@Req() request: RequestWithSession, @Param('service') service: string, @Res() reply: FastifyReply): Promise<void> {
    const url = new URL(request.url, 'http://console');
    const path = url.pathname.slice(`/api/platform/${service}`.length);
    if (!isAllowedPlatformCall(service, request.method, path)) throw new ForbiddenException({ success: false, error: { code: 'not_passed_through', message: `the console does not call ${request.method} ${path} on ${service}` } });
    const answer = await this.platform.call<unknown>(sessionOf(request), service, `${path}${url.search}`, {
      method: request.method,
      ...(request.body === undefined || request.method === 'GET' ? {} : { body: request.body }),
    });
    await reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer.body));
  }
}
