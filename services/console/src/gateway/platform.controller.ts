import { All, Controller, Get, Param, Req, Res, UseGuards } from '@nestjs/common';
import { HttpProblem, problem } from '@o2o/runtime';
import type { FastifyReply } from 'fastify';
import { OwnCredential } from '@o2o/auth';
import { RequestWithSession, SessionGuard, sessionOf } from '../session/session.guard';
import { OperationsHistoryStore } from '../operations/operations-history';
import { ConsumerLag } from './consumer-lag';
import { isAllowedPlatformCall } from './platform-proxy';
import { PlatformClient, platformServiceKeys, platformServiceNames } from './platform.client';

const services = platformServiceKeys;
const serviceNames = platformServiceNames;

/** Marketing and operations screens: the owning services' routes, with the person's token. */
@OwnCredential('console-session')
@UseGuards(SessionGuard)
@Controller('api')
export class PlatformController {
  constructor(
    private readonly platform: PlatformClient,
    private readonly consumerLag: ConsumerLag,
    private readonly history: OperationsHistoryStore,
  ) {}

  /** Consumer lag per service group and topic, now (operators only: it says how the platform keeps up). */
  @Get('operations/lag')
  async lag(@Req() request: RequestWithSession) {
    operatorsOnly(request);
    return { at: new Date().toISOString(), lag: await this.consumerLag.read() };
  }

  /** The last hour of samples: lag per group and events per second per stage (operators only, like the lag). */
  @Get('operations/history')
  async operationsHistory(@Req() request: RequestWithSession) {
    operatorsOnly(request);
    return this.history.history();
  }

  /** Each service's readiness, as /health/ready on its management listener reports it. */
  @Get('operations/health')
  async health() {
    return {
      services: await Promise.all(
        services.map(async (service) => {
          const started = Date.now();
          try {
            const response = await fetch(`${this.platform.managementOf(service)}/health/ready`, { signal: AbortSignal.timeout(3000) });
            const body = (await response.json().catch(() => null)) as {
              status?: string;
              info?: unknown;
              error?: unknown;
              details?: unknown;
            } | null;
            return {
              service: serviceNames[service],
              ready: response.ok,
              status: body?.status ?? String(response.status),
              details: body?.details ?? body?.info ?? null,
              latencyMs: Date.now() - started,
            };
          } catch (error) {
            return {
              service: serviceNames[service],
              ready: false,
              status: 'unreachable',
              details: error instanceof Error ? error.message : String(error),
              latencyMs: Date.now() - started,
            };
          }
        }),
      ),
    };
  }

  /** Every member of a segment as CSV, read page by page from campaign-customization. */
  @Get('segments/:id/members.csv')
  async exportMembers(@Req() request: RequestWithSession, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const session = sessionOf(request);
    const lines = ['customerId,segmentVersion'];
    let after: string | undefined;
    do {
      const page = await this.platform.get<{ members: Array<{ customerId: string; segmentVersion: number }>; next?: string }>(
        session,
        'campaign',
        `/v1/segments/${encodeURIComponent(id)}/members?limit=500${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`,
      );
      for (const member of page.members) lines.push(`${csvField(member.customerId)},${member.segmentVersion}`);
      after = page.next;
    } while (after !== undefined);
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9_-]/g, '_')}-members.csv"`)
      .send(`${lines.join('\r\n')}\r\n`);
  }

  @All('platform/:service/*')
  async pass(@Req() request: RequestWithSession, @Param('service') service: string, @Res() reply: FastifyReply): Promise<void> {
    const url = new URL(request.url, 'http://console');
    const path = url.pathname.slice(`/api/platform/${service}`.length);
    if (!isAllowedPlatformCall(service, request.method, path))
      throw new HttpProblem(403, 'not_passed_through', `the console does not call ${request.method} ${path} on ${service}`);
    const answer = await this.platform.call<unknown>(sessionOf(request), service, `${path}${url.search}`, {
      method: request.method,
      ...(request.body === undefined || request.method === 'GET' ? {} : { body: request.body }),
    });
    await reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer.body));
  }
}

function operatorsOnly(request: RequestWithSession): void {
  if (!sessionOf(request).scopes.includes('matching:read')) throw problem(403, 'forbidden', 'operators only');
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; a leading formula character is defused. */
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
