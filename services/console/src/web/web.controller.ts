import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { problem } from '@o2o/runtime';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OpenRoute } from '@o2o/auth';
import type { ConsoleConfig } from '../config/console.config';
import { CONSOLE_CONFIG } from '../console.tokens';
import { loadWebAssets, WebAsset } from './web-assets';

/** Scripts, styles and data only from the console itself; never framed. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' ";

/** The single-page app: public files (the data behind them needs a login). */
@Controller()
export class WebController {
  private readonly assets: Map<string, WebAsset>;

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.assets = loadWebAssets(config.CONSOLE_WEB_DIR ?? join(__dirname, '..', 'public'));
  }

  @OpenRoute('the console web app (static files)')
  @Get()
  index(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send('/index.html', request, reply);
  }

  @OpenRoute('the console web app (static files)')
  @Get('assets/:file')
  asset(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send(`/assets/${file}`, request, reply);
  }

  private async send(path: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const asset = this.assets.get(path);
    if (!asset) {
      if (path === '/index.html') throw problem(404, 'not_built', 'the console web app is not built: npm run build');
      throw problem(404, 'not_found', `no file ${path}`);
    }
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    void reply
      .header('content-type', asset.contentType)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('vary', 'accept-encoding');
    if (gzip) void reply.header('content-encoding', 'gzip');
    await reply.send(gzip ? asset.gzip : asset.body);
  }
}
