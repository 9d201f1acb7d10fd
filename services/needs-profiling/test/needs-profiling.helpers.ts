import { Channel, IdentifierV1, ResolvedEventDataV1 } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { RunningService, startService } from '@o2o/runtime';
import { authHeader, serviceUnderTest, ServiceUnderTest, testEnvironment, uniqueId } from '@o2o/testing';
import { loadNeedsProfilingConfig, NeedsProfilingConfig } from '../src/config/needs-profiling.config';
import { needsProfilingService } from '../src/needs-profiling.service';

type Envelope = ReturnType<typeof createEnvelope>;

/** The event fields that vary between tests: the call type and what it carries (event and properties, traits, …). */
export type ResolvedFields = Record<string, unknown> & { eventType: ResolvedEventDataV1['eventType'] };

export interface ResolvedOptions {
  channel?: Channel;
  /** Event time (ISO); now by default. */
  at?: string;
  /** Message id; a fresh one by default. */
  id?: string;
  identifiers?: IdentifierV1[];
}

/** An event of identity.events as identity resolution publishes it, for one customer. */
export function resolvedEvent(customerId: string, fields: ResolvedFields, options: ResolvedOptions = {}) {
  const at = options.at ?? new Date().toISOString();
  const messageId = options.id ?? uniqueId('m');
  const channel = options.channel ?? 'web';
  return createEnvelope({
    type: 'customer-event.resolved',
    version: 1,
    source: '/test/identity-resolution',
    subject: customerId,
    id: `resolved:${messageId}`,
    time: at,
    data: {
      messageId,
      sourceId: `source-${channel}`,
      channel,
      customerId,
      identifiers: options.identifiers ?? [],
      timestamp: at,
      receivedAt: at,
      ...fields,
    },
  });
}

export interface NeedsProfilingUnderTest extends ServiceUnderTest<NeedsProfilingConfig, RunningService> {
  /** The run's name of a topic. */
  topic(name: string): string;
  /** Produces envelopes to a topic of the run, each keyed by its subject. */
  send(name: string, events: Envelope[]): Promise<void>;
  /** GETs a path of the service's API as the given role, and reads the JSON answer. */
  get<T>(path: string, role?: Parameters<typeof authHeader>[0]): Promise<{ status: number; body: T }>;
}

/**
 * needs-profiling started against the real servers for one test file (serviceUnderTest): the
 * run's own database and topics, the stage sweep off unless a test sets it, a producer, and a spy
 * on the topics named.
 */
export function needsProfilingUnderTest(
  run: string,
  options: {
    env?: Record<string, string>;
    spyOn?: (config: NeedsProfilingConfig) => string[];
    telemetry?: { start(): void; stop(): Promise<void> };
  } = {},
): NeedsProfilingUnderTest {
  const sut = serviceUnderTest({
    config: () => loadNeedsProfilingConfig(testEnvironment(run, 'needs-profiling', { NEEDS_STAGE_SWEEP_INTERVAL_MS: '0', ...options.env })),
    start: (config) => startService(needsProfilingService, config, 0),
    producer: true,
    ...(options.spyOn ? { spyOn: options.spyOn } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
  });
  const topic = (name: string) => `${run}.${name}`;
  return Object.assign(sut, {
    topic,
    send: async (name: string, events: Envelope[]) => {
      await sut.producer.send({
        topic: topic(name),
        acks: -1,
        messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })),
      });
    },
    get: async <T>(path: string, role: Parameters<typeof authHeader>[0] = 'agent') => {
      const response = await fetch(`${sut.service.url}${path}`, { headers: await authHeader(role) });
      return { status: response.status, body: (await response.json()) as T };
    },
  });
}
