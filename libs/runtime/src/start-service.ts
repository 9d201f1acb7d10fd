import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DynamicModule, ForwardReference, Module, Provider, Type } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ADMIN_API_OPERATIONS, AdminApiModule } from './admin/admin-api.module';
import { AuditTrail, AuthModule, AuthSettings, CLIENT_RATE_LIMIT, RequestWithPrincipal, routeInventory, undeclaredRoutes } from '@o2o/auth';
import { BaseServiceConfig, dataSealingOn } from '@o2o/config';
import { TopicDefinition, topics as contractTopics } from '@o2o/contracts';
import {
  CachedDataKeys,
  connectBatchTransport,
  DATA_KEYS,
  DataKeySource,
  KafkaBatchTransport,
  KafkaModule,
  KafkaSettings,
} from '@o2o/kafka';
import { MongoModule } from '@o2o/mongo';
import {
  createLogger,
  createServiceApp,
  HttpRoute,
  Logger,
  ManagementListener,
  ObservabilityModule,
  PlatformMetrics,
  runMain,
  startTelemetry,
} from '@o2o/observability';
import { REDIS, Redis, RedisModule } from '@o2o/redis';
import { RedisClientRateLimit } from './client-rate-limiter';
import { HttpDataKeys, OwnedDataKeyStore } from './http-data-keys';
import { DEAD_LETTER_OPERATIONS, DeadLettersModule } from './dead-letters.module';
import { openApiController, openApiDocument, type ServiceApi } from './openapi';
import { ProblemFilter, type ProblemFilterOptions } from './http-problem';
import { ErasureRegistry, NoCustomerDataParticipant, PrivacyModule, PrivacySettings } from './privacy.module';

/** Settings every service has beyond the shared base. */
export type ServiceConfig = BaseServiceConfig & { HTTP_PORT: number; MANAGEMENT_PORT: number; KAFKA_GROUP_ID: string; MONGO_DB: string };

type Imported = Type<unknown> | DynamicModule | ForwardReference;

export interface ServiceDefinition<C extends ServiceConfig> {
  /** Service name: logger, metrics and tracing label, Kafka client id. */
  name: string;
  /** Topics the service produces to or consumes from (created at boot when missing). */
  topics: TopicDefinition[];
  /** Token under which the typed config is provided to the service's modules. */
  configToken: symbol;
  /** The service's feature modules. */
  imports: (config: C) => Imported[];
  providers?: Provider[];
  /** false leaves request body parsing to the service. */
  bodyParser?: boolean;
  bodyLimit?: number;
  /**
   * How the service answers access and erasure requests. Every service answers them; one that
   * holds nothing keyed by customer may leave this out.
   */
  privacy?: PrivacySettings;
  /**
   * The consumer starts the handler calls of one fetch's topics together (libs/kafka
   * `concurrentTopics`): for services whose topics feed one coalescing writer.
   */
  concurrentTopics?: boolean;
  /**
   * Every handler call of the consumer in a Kafka transaction with its batch's offsets (libs/kafka
   * exactly-once.ts): a crash between publishing and committing offsets publishes nothing twice.
   */
  exactlyOnce?: boolean;
  /**
   * The service that owns the platform's data keys (identity-resolution) names its key store;
   * every other service reaches that store over HTTP (DATA_KEYS_URL). Provided globally, so the
   * owner's own modules (its API, its erasure) can inject it.
   */
  dataKeyStore?: Type<OwnedDataKeyStore>;
  /** Hot read routes served without per-request logging (see ObservabilityOptions). */
  unloggedRoutes?: HttpRoute[];
  /**
   * The service's domain-error table and any adjustment of its answers (HttpProblem, ProblemFilter):
   * every refused call is answered in the one error body.
   */
  errors?: Omit<ProblemFilterOptions, 'onServerError'>;
  /**
   * The service's HTTP API as its OpenAPI 3.1 document states it, served open at
   * `GET /openapi.json` with the admin API and dead-letter routes every service has added: every
   * route the service registers, its scope, its request schemas (the zod schemas its controllers
   * parse with) and the one error body (libs/testing's describeRouteAccess fails on a route missing).
   */
  api: () => ServiceApi;
  /** Hook to adjust the HTTP server before it starts (content-type parsers, Swagger...). */
  configureHttp?: (app: NestFastifyApplication, config: C) => void;
}

export interface RunningService {
  app: NestFastifyApplication;
  transport: KafkaBatchTransport;
  logger: Logger;
  metrics: PlatformMetrics;
  /** The HTTP base URL the service's API listens on (every route authenticated). */
  url: string;
  /** The base URL of its management listener: /health/live, /health/ready, /metrics. */
  managementUrl: string;
}

/** TLS and SASL to the brokers, from the shared KAFKA_SSL* and KAFKA_SASL_* settings. */
export function kafkaSecurityOf(config: BaseServiceConfig): Pick<KafkaSettings, 'ssl' | 'sasl'> {
  const ssl = config.KAFKA_SSL ? (config.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] } : true) : undefined;
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  const sasl = mechanism && username && password ? { mechanism, username, password } : undefined;
  return { ...(ssl ? { ssl } : {}), ...(sasl ? { sasl } : {}) };
}

/** The credential checks of a service, from the shared AUTH_* settings. */
export function authSettingsOf(config: BaseServiceConfig): AuthSettings {
  return {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ...(config.AUTH_JWKS_URL ? { jwksUrl: config.AUTH_JWKS_URL } : {}),
    clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    rolesClaim: config.AUTH_ROLES_CLAIM,
    algorithms: config.AUTH_ALGORITHMS,
    apiKeyCacheSeconds: config.AUTH_API_KEY_CACHE_SECONDS,
  };
}

/** The OpenAPI document of a service: its own routes, then the admin API and dead-letter routes every service serves. */
export function serviceApiDocument<C extends ServiceConfig>(definition: ServiceDefinition<C>): Record<string, unknown> {
  const api = definition.api();
  return openApiDocument({
    ...api,
    errorCodes: `${api.errorCodes}; the admin and dead-letter routes: not_found, already_handled, unknown_topic`,
    operations: [...api.operations, ...ADMIN_API_OPERATIONS, ...DEAD_LETTER_OPERATIONS],
  });
}

/** Root module wiring: observability, credentials, Kafka, the service's own MongoDB database, Redis, features. */
export function serviceRootModule<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger: Logger,
  metrics: PlatformMetrics,
): DynamicModule {
  @Module({})
  class ServiceRootModule {}
  return {
    module: ServiceRootModule,
    global: true,
    controllers: [openApiController(() => serviceApiDocument(definition), 'describes the API: routes and schemas, no customer data')],
    imports: [
      ObservabilityModule.forRoot({
        logger,
        metrics,
        unloggedRoutes: definition.unloggedRoutes,
        management: { port: config.MANAGEMENT_PORT, host: config.MANAGEMENT_HOST },
      }),
      KafkaModule.forRoot({
        settings: {
          brokers: config.KAFKA_BROKERS,
          clientId: config.KAFKA_CLIENT_ID ?? definition.name,
          topicPrefix: config.KAFKA_TOPIC_PREFIX,
          topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          ...kafkaSecurityOf(config),
        },
        topics: [...definition.topics, contractTopics.privacyRequests, contractTopics.privacyResponses],
        consumerGroups: [config.KAFKA_GROUP_ID],
      }),
      MongoModule.forRoot({ url: config.MONGO_URL, dbName: config.MONGO_DB, socketTimeoutMs: config.MONGO_SOCKET_TIMEOUT_MS }),
      AuthModule.forRoot(authSettingsOf(config), {
        service: definition.name,
        pseudonymKey: config.PRIVACY_PSEUDONYM_KEY,
        retentionDays: config.AUDIT_RETENTION_DAYS,
      }),
      AdminApiModule,
      RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX }),
      DeadLettersModule.register(config.KAFKA_GROUP_ID),
      ...definition.imports(config),
      PrivacyModule.register(
        definition.name,
        definition.privacy ?? { participant: NoCustomerDataParticipant },
        config.PRIVACY_PSEUDONYM_KEY,
      ),
    ],
    providers: [
      { provide: definition.configToken, useValue: config },
      {
        provide: CLIENT_RATE_LIMIT,
        useFactory: (redis: Redis) =>
          new RedisClientRateLimit(
            redis,
            { perSecond: config.RATE_LIMIT_CLIENT_PER_SECOND, privilegedPerMinute: config.RATE_LIMIT_PRIVILEGED_PER_MINUTE },
            metrics,
            logger,
          ),
        inject: [REDIS],
      },
      ...dataKeyProviders(definition, config),
      ...(definition.providers ?? []),
    ],
    exports: [definition.configToken, CLIENT_RATE_LIMIT, DATA_KEYS, ...(definition.dataKeyStore ? [definition.dataKeyStore] : [])],
  };
}

/** The local key store's URL in development, when DATA_KEYS_URL is not set (identity-resolution's default port). */
const DEVELOPMENT_DATA_KEYS_URL = 'http://127.0.0.1:3001';

/**
 * DATA_KEYS, the data keys this process seals and opens with (libs/kafka), cached per process:
 * the owner's own store, or identity-resolution's API. Null when DATA_SEALING is off (events go
 * in clear; a sealed one met by a consumer waits for a key source, as during an outage).
 */
function dataKeyProviders<C extends ServiceConfig>(definition: ServiceDefinition<C>, config: C): Provider[] {
  const providers: Provider[] = [];
  const store = definition.dataKeyStore;
  if (store) providers.push(store);
  if (!dataSealingOn(config)) {
    providers.push({ provide: DATA_KEYS, useValue: null });
    return providers;
  }
  if (store) {
    providers.push({ provide: DATA_KEYS, useFactory: (owned: OwnedDataKeyStore) => owned.cached, inject: [store] });
    return providers;
  }
  const url = config.DATA_KEYS_URL ?? DEVELOPMENT_DATA_KEYS_URL;
  providers.push({
    provide: DATA_KEYS,
    useFactory: () =>
      new CachedDataKeys(
        new HttpDataKeys(url, config.AUTH_ISSUER, { clientId: config.DATA_KEYS_CLIENT_ID, clientSecret: config.DATA_KEYS_CLIENT_SECRET }),
        {
          ttlMs: config.DATA_KEYS_CACHE_SECONDS * 1000,
        },
      ),
  });
  return providers;
}

/**
 * The audit trail sees every answer (Fastify's onResponse: after the guard, the handler and any
 * error mapping) and records those of privileged routes with who called and the status.
 */
function recordPrivilegedCalls(app: NestFastifyApplication): void {
  const trail = app.get(AuditTrail);
  trail.watch(routeInventory(app));
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof FastifyAdapter)) throw new Error('the audit trail needs the Fastify adapter');
  adapter.setOnResponseHook((request, reply, done) => {
    const principal = (request as typeof request & RequestWithPrincipal).principal;
    if (principal !== undefined) {
      void trail.record({
        method: request.method,
        route: request.routeOptions.url,
        params: (request.params ?? {}) as Record<string, string>,
        principal,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
        requestId: String(request.id),
      });
    }
    done();
  });
}

/** Exactly-once consumers started in this process so far (tests start several). */
let consumersInProcess = 0;

/**
 * The transactional id of an exactly-once consumer: the configured one, else one stable across
 * restarts of the same instance (host, port, rank in its process), so a restarted instance
 * fences the one it replaces and the broker aborts at once what that one left open.
 */
export function consumerTransactionalId(
  config: Pick<ServiceConfig, 'KAFKA_TRANSACTIONAL_ID' | 'KAFKA_TOPIC_PREFIX' | 'KAFKA_GROUP_ID'>,
  host: string,
  port: number,
  rank: number,
): string {
  if (config.KAFKA_TRANSACTIONAL_ID) return rank === 0 ? config.KAFKA_TRANSACTIONAL_ID : `${config.KAFKA_TRANSACTIONAL_ID}:${rank}`;
  return `${config.KAFKA_TOPIC_PREFIX}${config.KAFKA_GROUP_ID}:${host}:${port}${rank === 0 ? '' : `:${rank}`}`;
}

/**
 * Builds and starts a service: HTTP listening, the batch consumer joined to its group. main.ts
 * calls it with the loaded config; integration tests call it with their own (topic prefix,
 * database, port 0).
 */
export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  port = config.HTTP_PORT,
): Promise<RunningService> {
  const logger = createLogger({ service: definition.name, level: config.LOG_LEVEL });
  const metrics = new PlatformMetrics(definition.name);
  const app = await createServiceApp(serviceRootModule(definition, config, logger, metrics), {
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    ...(definition.bodyParser === undefined ? {} : { bodyParser: definition.bodyParser }),
    ...(definition.bodyLimit === undefined ? {} : { bodyLimit: definition.bodyLimit }),
  });
  // Deny by default: a route that does not say what it needs is a mistake, not an open door.
  const undeclared = undeclaredRoutes(app);
  if (undeclared.length > 0) {
    await app.close();
    throw new Error(
      `${definition.name}: routes without a declared scope (@RequireScope, @OpenRoute or @OwnCredential): ${undeclared.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    );
  }
  recordPrivilegedCalls(app);
  app.useGlobalFilters(
    new ProblemFilter({ ...definition.errors, onServerError: (error) => logger.error({ err: error }, 'request failed') }),
  );
  definition.configureHttp?.(app, config);
  const transport = connectBatchTransport(app, {
    groupId: config.KAFKA_GROUP_ID,
    fromBeginning: config.KAFKA_FROM_BEGINNING,
    retries: config.KAFKA_BATCH_RETRIES,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY,
    maxBatchMessages: config.KAFKA_BATCH_MAX_MESSAGES,
    maxBatchBytes: config.KAFKA_BATCH_MAX_BYTES,
    concurrentTopics: definition.concurrentTopics ?? false,
    skipSubjects: app.get(ErasureRegistry, { strict: false }).skipper(),
    dataKeys: app.get<DataKeySource | null>(DATA_KEYS, { strict: false }),
    ...(definition.exactlyOnce
      ? {
          exactlyOnce: {
            transactionalId: consumerTransactionalId(config, hostname(), port, consumersInProcess++),
            transactionTimeoutMs: config.KAFKA_TRANSACTION_TIMEOUT_MS,
          },
        }
      : {}),
  });
  await app.init();
  await app.startAllMicroservices();
  await app.listen(port, config.HTTP_HOST);
  const address = app.getHttpServer().address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { app, transport, logger, metrics, url: `http://127.0.0.1:${boundPort}`, managementUrl: app.get(ManagementListener).url };
}

/**
 * A service process's entry point, the same for every service: the configuration read from the
 * environment (a bad value ends the process with the reason), telemetry started before the
 * service, then the service; `started` may log what the service's operators look for.
 */
export function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  loadConfig: () => C,
  started?: (running: RunningService, config: C) => void,
): void {
  runMain(async () => {
    const config = loadConfig();
    startTelemetry({ serviceName: config.OTEL_SERVICE_NAME ?? definition.name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const running = await startService(definition, config);
    started?.(running, config);
  });
}
