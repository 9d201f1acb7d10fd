import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpException, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import type { Logger } from 'pino';
import { ReadinessRegistry } from './health';
import { PlatformMetrics } from './metrics';

/** Where the management listener (health and metrics) listens. */
export interface ManagementSettings {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
}

export const MANAGEMENT_SETTINGS = Symbol('MANAGEMENT_SETTINGS');
export const MANAGEMENT_LOGGER = Symbol('MANAGEMENT_LOGGER');

/** The paths the management listener answers, all GET and open. */
export const MANAGEMENT_PATHS = ['/health/live', '/health/ready', '/metrics'] as const;

/**
 * Health and metrics on a listener of their own, apart from the API port, which answers only
 * authenticated callers: probes and Prometheus need no credential, so they get a port that a
 * deployment keeps on its internal network (a Kubernetes pod port not exposed by the Service or
 * Ingress, a compose port on loopback). Plain node:http: three GET routes need no framework, and
 * a listener outside Nest's router cannot grow an unauthenticated API route by accident.
 *
 * It starts when the application has bootstrapped and closes last on shutdown, so liveness stays
 * answered while the service drains.
 */
@Injectable()
export class ManagementListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(
    @Inject(MANAGEMENT_SETTINGS) private readonly settings: ManagementSettings,
    @Inject(MANAGEMENT_LOGGER) private readonly logger: Logger,
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: PlatformMetrics,
  ) {}

  /** The listener's base URL on loopback (once bootstrapped). */
  get url(): string {
    if (this.boundPort === undefined) throw new Error('the management listener is not listening yet');
    return `http://127.0.0.1:${this.boundPort}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      this.answer(request, response).catch((error: unknown) => {
        this.logger.error({ err: error }, 'management listener failed to answer');
        if (!response.headersSent) send(response, 500, 'application/json', JSON.stringify({ status: 'error' }));
      });
    });
    // Probes come every few seconds from the same kubelet or Prometheus: keep-alive without holding shutdown.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.settings.port, this.settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.settings.port;
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(
        response,
        405,
        'application/json',
        JSON.stringify({ success: false, error: { code: 'method_not_allowed', message: 'the management listener answers GET only' } }),
      );
      return;
    }
    if (path === '/metrics') {
      send(response, 200, 'text/plain; version=0.0.4; charset=utf-8', await this.metrics.registry.metrics());
      return;
    }
    if (path === '/health/live' || path === '/health/ready') {
      // Liveness checks nothing: a restart would not bring a dependency back.
      const checks = path === '/health/live' ? [] : this.readiness.all();
      try {
        send(response, 200, 'application/json', JSON.stringify(await this.health.check(checks)));
      } catch (error) {
        if (!(error instanceof HttpException)) throw error;
        send(response, error.getStatus(), 'application/json', JSON.stringify(error.getResponse()));
      }
      return;
    }
    send(
      response,
      404,
      'application/json',
      JSON.stringify({
        success: false,
        error: { code: 'not_found', message: `the management listener serves ${MANAGEMENT_PATHS.join(', ')}` },
      }),
    );
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(body);
}
