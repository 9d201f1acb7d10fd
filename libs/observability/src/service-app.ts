import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { ConfigError } from '@o2o/config';

export interface ServiceAppOptions {
  logger: Logger;
  /** Largest request body accepted, in bytes (ingestion raises it for batches). */
  bodyLimit?: number;
  /** false leaves body parsing to the service (ingestion parses raw text itself). */
  bodyParser?: boolean;
  /** Hard limit on graceful shutdown; past it the process exits anyway. */
  shutdownTimeoutMs: number;
}

/**
 * Creates the Nest application every service runs: Fastify, the pino logger, and shutdown hooks.
 * On SIGTERM/SIGINT Nest stops HTTP, then the Kafka transports (which finish the in-flight batch
 * and commit its offsets), then closes Kafka producers, MongoDB and Redis in onApplicationShutdown.
 */
export async function createServiceApp(
  rootModule: Type<unknown> | DynamicModule,
  options: ServiceAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    bodyParser: options.bodyParser ?? true,
  });
  app.useLogger(app.get(NestPinoLogger));
  app.enableShutdownHooks();
  installShutdownWatchdog(app, options);
  return app;
}

function installShutdownWatchdog(app: INestApplication, options: ServiceAppOptions): void {
  const arm = (signal: string) => {
    options.logger.info({ signal }, 'shutdown requested: draining in-flight work');
    setTimeout(() => {
      options.logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => arm('SIGTERM'));
  process.once('SIGINT', () => arm('SIGINT'));
  void app;
}

/**
 * Runs a service's main function: a configuration error prints its message (naming each bad
 * variable) and exits with status 1, without a stack trace; any other startup failure is logged.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}
