import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthFailure, missingScope } from './auth-errors';
import { Authenticator } from './authenticator';
import { CLIENT_RATE_LIMIT, ClientRateLimit } from './client-rate-limit';
import type { RequestWithPrincipal } from './principal';
import { ROUTE_ACCESS, RouteAccess } from './route-access';

/**
 * The global guard of every service: a route runs only if it declared what it needs and the
 * caller has it. Deny by default: a route with no declaration is refused (and startService
 * refuses to boot with one).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Optional() @Inject(CLIENT_RATE_LIMIT) private readonly rateLimit?: ClientRateLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & RequestWithPrincipal>();
    const reply = http.getResponse<FastifyReply>();
    if (access === undefined) throw new AuthFailure(403, 'this route declares no scope, so nobody may call it').toHttpException();
    if (access.kind !== 'scope') return true;
    try {
      // The principal is kept before the scope check, so the audit trail can say who was refused.
      const principal = await this.authenticator.authenticate(request.headers.authorization);
      request.principal = principal;
      if (!principal.scopes.has(access.scope)) throw missingScope(access.scope);
      await this.rateLimit?.consume(principal, access.scope);
      return true;
    } catch (error) {
      if (error instanceof AuthFailure) {
        if (error.status === 429) void reply.header('retry-after', String(error.retryAfterSeconds ?? 1));
        else void reply.header('www-authenticate', error.challenge());
        throw error.toHttpException();
      }
      throw error;
    }
  }
}
