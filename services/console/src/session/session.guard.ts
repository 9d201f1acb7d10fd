import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { problem } from '@o2o/runtime';
import type { FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE } from './cookies';
import { ConsoleSession, SessionStore } from './session.store';

export type RequestWithSession = FastifyRequest & { consoleSession?: ConsoleSession };

/**
 * The console's own credential: a session cookie. Writes also need the `x-o2o-console` header,
 * which a cross-site form cannot send and a cross-site script cannot send without a CORS
 * preflight the console never answers.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithSession>();
    const session = await this.sessions.find(readCookie(request.headers.cookie, SESSION_COOKIE));
    if (!session) throw problem(401, 'unauthorized', 'log in first');
    if (request.method !== 'GET' && request.headers['x-o2o-console'] !== '1') {
      throw problem(403, 'forbidden', 'console writes need the x-o2o-console header');
    }
    request.consoleSession = session;
    return true;
  }
}

export function sessionOf(request: RequestWithSession): ConsoleSession {
  const session = request.consoleSession;
  if (!session) throw problem(401, 'unauthorized', 'log in first');
  return session;
}
