import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { HttpProblem, notFound, problem } from '@o2o/runtime';
import type { FastifyReply } from 'fastify';
import { RequestPrivacyHandler, UnknownCustomerError } from '../application/request-privacy/request-privacy.handler';
import { RequireScope, SCOPES } from '@o2o/auth';

/** Right of access and right to erasure, by any identifier. */
@Controller('v1/privacy')
export class PrivacyController {
  constructor(private readonly privacy: RequestPrivacyHandler) {}

  /** Starts an erasure; every service deletes and acknowledges. Poll the request for progress. */
  @RequireScope(SCOPES.privacyErase)
  @Post('customers/:type/:value/erasure')
  @HttpCode(202)
  async erase(@Param('type') type: string, @Param('value') value: string) {
    const { requestId } = await this.known(() => this.privacy.requestErasure(type, value));
    return { requestId, status: 'pending', statusUrl: `/v1/privacy/requests/${requestId}` };
  }

  /** Everything every service holds about the customer, gathered through the privacy topics. */
  @RequireScope(SCOPES.privacyExport)
  @Get('customers/:type/:value/export')
  async export(@Param('type') type: string, @Param('value') value: string) {
    const document = await this.known(() => this.privacy.export(type, value));
    if (document.missing.length > 0) {
      throw new HttpProblem(504, 'incomplete', `no answer from ${document.missing.join(', ')}`, { details: { partial: document } });
    }
    return document;
  }

  /**
   * Starts an export without holding the call open: 202 with the request; its document is read
   * from GET /v1/privacy/requests/{id}/export once every service has answered.
   */
  @RequireScope(SCOPES.privacyExport)
  @Post('customers/:type/:value/export')
  @HttpCode(202)
  async startExport(@Param('type') type: string, @Param('value') value: string) {
    const { requestId } = await this.known(() => this.privacy.startExport(type, value));
    return {
      requestId,
      status: 'pending',
      statusUrl: `/v1/privacy/requests/${requestId}`,
      documentUrl: `/v1/privacy/requests/${requestId}/export`,
    };
  }

  /**
   * The document of an export started by POST: 202 while services are still answering, 200 with
   * the document once (its parts are dropped as it is served; 410 after), 504 with what there is
   * when the export timeout has passed.
   */
  @RequireScope(SCOPES.privacyExport)
  @Get('requests/:id/export')
  async exportDocument(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const collected = await this.privacy.collectExport(id);
    switch (collected.kind) {
      case 'unknown':
        throw notFound(`no export request ${id}`);
      case 'gone':
        throw problem(410, 'gone', 'this export was served already; its data is not kept');
      case 'pending':
        void reply.status(202);
        return { requestId: id, status: 'pending', waitingFor: collected.waitingFor };
      case 'ready':
        if (collected.document.missing.length > 0) {
          throw new HttpProblem(504, 'incomplete', `no answer from ${collected.document.missing.join(', ')}`, {
            details: { partial: collected.document },
          });
        }
        return collected.document;
    }
  }

  @RequireScope(SCOPES.privacyRead)
  @Get('requests/:id')
  async status(@Param('id') id: string) {
    const request = await this.privacy.status(id);
    if (!request) throw notFound(`no request ${id}`);
    const answered = request.acknowledgements ?? {};
    return {
      requestId: request._id,
      kind: request.kind,
      status: request.status,
      requestedAt: request.requestedAt.toISOString(),
      ...(request.completedAt ? { completedAt: request.completedAt.toISOString() } : {}),
      services: Object.fromEntries(request.expectedServices.map((s) => [s, answered[s] ?? null])),
      waitingFor: request.expectedServices.filter((s) => !answered[s]),
    };
  }

  private async known<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UnknownCustomerError) throw notFound(error.message);
      // An unknown identifier type or a malformed value is the caller's mistake, not a 500 (IDENTITY_ERRORS).
      throw error;
    }
  }
}
