import { Controller, Get, Inject, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OwnCredential } from '@o2o/auth';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import { LOGIN_COOKIE, readCookie, SESSION_COOKIE, sessionCookie } from './cookies';
import { OidcLogin } from './oidc-login';
import { RequestWithSession, SessionGuard, sessionOf } from './session.guard';
import { SessionStore } from './session.store';

/** Login through the OpenID Connect issuer; the browser only ever holds an opaque session cookie. */
@Controller()
export class AuthController {
  constructor(
    private readonly login: OidcLogin,
    private readonly sessions: SessionStore,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  private get secure(): boolean {
    return this.config.CONSOLE_PUBLIC_URL.startsWith('https:');
  }

  @OwnCredential('console-session')
  @Get('login')
  async start(@Query('returnTo') returnTo: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const { url, pending } = await this.login.start(returnTo ?? '/');
    const id = await this.sessions.savePending(pending);
    await reply.header('set-cookie', sessionCookie(LOGIN_COOKIE, id, { maxAgeSeconds: 600, secure: this.secure })).redirect(url, 302);
  }

  @OwnCredential('console-session')
  @Get('callback')
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const pending = await this.sessions.takePending(readCookie(request.headers.cookie, LOGIN_COOKIE));
    const clear = sessionCookie(LOGIN_COOKIE, '', { maxAgeSeconds: 0, secure: this.secure });
    if (!pending) {
      await reply.header('set-cookie', clear).redirect('/login', 302);
      return;
    }
    const session = await this.login.finish(new URL(request.url, this.config.CONSOLE_PUBLIC_URL), pending);
    const { id, ttlSeconds } = await this.sessions.create(session);
    await reply
      .header('set-cookie', [clear, sessionCookie(SESSION_COOKIE, id, { maxAgeSeconds: ttlSeconds, secure: this.secure })])
      .redirect(pending.returnTo, 302);
  }

  @OwnCredential('console-session')
  @Post('logout')
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.sessions.remove(readCookie(request.headers.cookie, SESSION_COOKIE));
    await reply.header('set-cookie', sessionCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: this.secure })).redirect('/', 303);
  }

  /** Who is logged in and what they may do: the app shows the screens their scopes allow. */
  @OwnCredential('console-session')
  @UseGuards(SessionGuard)
  @Get('api/me')
  me(@Req() request: RequestWithSession) {
    const { subject, name, roles, scopes, expiresAt } = sessionOf(request);
    return { subject, name, roles, scopes, expiresAt: new Date(expiresAt).toISOString(), channel: this.config.CONSOLE_CHANNEL };
  }
}
