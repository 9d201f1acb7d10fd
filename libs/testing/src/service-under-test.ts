import { Kafka, logLevel, Producer } from 'kafkajs';
import { TopicSpy } from './topic-spy';

/** What the harness needs of a started service; the runtime's RunningService fits. */
export interface StartedService {
  readonly app: { close(): Promise<void> };
  readonly transport: { whenJoined(): Promise<void> };
}

export interface ServiceUnderTestOptions<C extends { KAFKA_BROKERS: string[] }, S extends StartedService> {
  /** The service's config, from `testEnvironment(run, …)` (run-unique databases, topic and Redis key prefixes). */
  config: () => C;
  /** Starts the service (usually `startService(definition, config, 0)`: a free port). */
  start: (config: C) => Promise<S>;
  /** Waits until the service's consumer group has joined before the first test (default true). */
  joined?: boolean;
  /** Topics (with the run's prefix) a TopicSpy reads from their start. */
  spyOn?: (config: C) => string[];
  /** Connects a Kafka producer for the test to feed the service's topics. */
  producer?: boolean;
  /** The test process's own telemetry (startTelemetry / stopTelemetry), when a test follows traces. */
  telemetry?: { start(): void; stop(): Promise<void> };
  /** Longest start-up, in ms (jest's hook timeout). */
  timeoutMs?: number;
}

/** The running service and what the test talks to it with; read inside tests (filled in beforeAll). */
export interface ServiceUnderTest<C, S> {
  readonly service: S;
  readonly config: C;
  readonly spy: TopicSpy;
  readonly producer: Producer;
}

interface JestHooks {
  beforeAll(fn: () => Promise<void>, timeout?: number): void;
  afterAll(fn: () => Promise<void>, timeout?: number): void;
}

function jestHooks(): JestHooks {
  const hooks = globalThis as Partial<JestHooks>;
  if (typeof hooks.beforeAll !== 'function' || typeof hooks.afterAll !== 'function')
    throw new Error('serviceUnderTest is called at the top of a jest test file');
  return hooks as JestHooks;
}

/**
 * The skeleton every service's integration test shares: start the service against the real
 * servers with the run's own databases and prefixes, wait for its consumer to join, open a topic
 * spy and a producer, and close them all after the file (what was opened, in reverse order, even
 * when start-up failed half-way).
 */
export function serviceUnderTest<C extends { KAFKA_BROKERS: string[] }, S extends StartedService>(
  options: ServiceUnderTestOptions<C, S>,
): ServiceUnderTest<C, S> {
  let service: S | undefined;
  let config: C | undefined;
  let spy: TopicSpy | undefined;
  let producer: Producer | undefined;
  const { beforeAll, afterAll } = jestHooks();

  beforeAll(async () => {
    options.telemetry?.start();
    config = options.config();
    service = await options.start(config);
    if (options.joined ?? true) await service.transport.whenJoined();
    if (options.spyOn) spy = await TopicSpy.start(config.KAFKA_BROKERS, options.spyOn(config));
    if (options.producer) {
      producer = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
    }
  }, options.timeoutMs);

  afterAll(async () => {
    await producer?.disconnect();
    await spy?.stop();
    await service?.app.close();
    await options.telemetry?.stop();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(
        `${what} is not there: read it inside a test${what === 'service' || what === 'config' ? '' : `, and ask for it (serviceUnderTest({ ${what === 'spy' ? 'spyOn' : 'producer'} }))`}`,
      );
    return value;
  };
  return {
    get service() {
      return started(service, 'service');
    },
    get config() {
      return started(config, 'config');
    },
    get spy() {
      return started(spy, 'spy');
    },
    get producer() {
      return started(producer, 'producer');
    },
  };
}
