import { Controller, DynamicModule, Get, Global, Header, Inject, Module, type RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { OpenRoute } from '@o2o/auth';
import type { Logger } from 'pino';
import { HealthModule } from './health';
import { PlatformMetrics } from './metrics';

export const LOGGER = Symbol('LOGGER');

/** A route by path pattern and method, as Nest's middleware configuration takes it. */
export interface HttpRoute {
  path: string;
  method: RequestMethod;
}

@Controller()
@OpenRoute('Prometheus scrapes')
export class MetricsController {
  constructor(private readonly metrics: PlatformMetrics) {}

  /** Prometheus scrape endpoint. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

export interface ObservabilityOptions {
  logger: Logger;
  metrics: PlatformMetrics;
  /**
   * Hot read routes served without the request-logging middleware: it builds a redacting child
   * logger for every request, which at hundreds of requests per second was most of a lookup's
   * CPU and its p99 tail. Their errors are still logged by the service, without request context.
   */
  unloggedRoutes?: HttpRoute[];
}

/** Logging (pino, redacted), Prometheus metrics at /metrics and health at /health/live and /health/ready. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          ...(options.unloggedRoutes?.length ? { exclude: options.unloggedRoutes } : {}),
          pinoHttp: {
            logger: options.logger,
            // Request logs are debug-level: the hot path must not pay for one log line per event.
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            quietReqLogger: true,
          },
        }),
        HealthModule,
      ],
      controllers: [MetricsController],
      providers: [
        { provide: LOGGER, useValue: options.logger },
        { provide: PlatformMetrics, useValue: options.metrics },
      ],
      exports: [LOGGER, PlatformMetrics, HealthModule],
    };
  }
}

/** Injects the process's pino logger. */
export const InjectLogger = () => Inject(LOGGER);
