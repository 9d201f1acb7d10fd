import { DynamicModule, Global, Inject, Module, type Provider, type RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HealthModule } from './health';
import { requestLogSerializers } from './logger';
import { ManagementListener, ManagementSettings, MANAGEMENT_LOGGER, MANAGEMENT_SETTINGS } from './management-listener';
import { PlatformMetrics } from './metrics';

export const LOGGER = Symbol('LOGGER');

/** A route by path pattern and method, as Nest's middleware configuration takes it. */
export interface HttpRoute {
  path: string;
  method: RequestMethod;
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
  /**
   * The separate listener for /health/live, /health/ready and /metrics; without it (tests of a
   * library) health and metrics are not served at all. They are never served on the API port.
   */
  management?: ManagementSettings;
}

/** Logging (pino, redacted), and Prometheus metrics at /metrics and health at /health/live and /health/ready on the management listener. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const management: Provider[] = options.management
      ? [
          { provide: MANAGEMENT_SETTINGS, useValue: options.management },
          { provide: MANAGEMENT_LOGGER, useValue: options.logger },
          ManagementListener,
        ]
      : [];
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          ...(options.unloggedRoutes?.length ? { exclude: options.unloggedRoutes } : {}),
          pinoHttp: {
            logger: options.logger,
            // Request logs are debug-level: the hot path must not pay for one log line per event.
            customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
            quietReqLogger: true,
            // Request paths carry identifier values (/v1/identities/email/<address>): masked.
            serializers: requestLogSerializers,
          },
        }),
        HealthModule,
      ],
      providers: [{ provide: LOGGER, useValue: options.logger }, { provide: PlatformMetrics, useValue: options.metrics }, ...management],
      exports: [LOGGER, PlatformMetrics, HealthModule, ...(options.management ? [ManagementListener] : [])],
    };
  }
}

/** Injects the process's pino logger. */
export const InjectLogger = () => Inject(LOGGER);
