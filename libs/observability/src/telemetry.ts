import { context, propagation, trace, Context, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export interface TelemetrySettings {
  serviceName: string;
  /** OTLP/HTTP endpoint (e.g. http://otel-collector:4318); without it spans are created but not exported. */
  otlpEndpoint?: string | undefined;
  /** Extra processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

let sdk: NodeSDK | undefined;
let exporting = false;

/**
 * Whether spans go anywhere (an OTLP exporter or a processor a test added). Without, work on the
 * hot path may skip starting its own spans and pass the incoming trace context on as it is: the
 * trace id still crosses every hop (and reaches the logs), only spans nobody would see are saved.
 */
export function spansExported(): boolean {
  return exporting;
}

/** Keeps spans recording (so trace ids propagate and reach logs) when nothing exports them. */
class DiscardingSpanProcessor implements SpanProcessor {
  onStart(): void {}
  onEnd(): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/**
 * Starts the OpenTelemetry SDK. Call before Nest and its HTTP stack are loaded so that the
 * SDK's context manager and propagator are in place. Kafka hops are traced by libs/kafka,
 * which injects and extracts the W3C trace context in message headers.
 */
export function startTelemetry(settings: TelemetrySettings): void {
  if (sdk) return;
  const spanProcessors: SpanProcessor[] = [...(settings.spanProcessors ?? [])];
  if (settings.otlpEndpoint) {
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.otlpEndpoint.replace(/\/$/, '')}/v1/traces` })));
  }
  exporting = spanProcessors.length > 0;
  // Without any processor the SDK installs no tracer provider, spans would be non-recording and
  // no trace context would cross Kafka; keep tracing on and simply export nowhere.
  if (spanProcessors.length === 0) spanProcessors.push(new DiscardingSpanProcessor());
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
    spanProcessors,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  exporting = false;
  await running?.shutdown();
}

type CarrierValue = Buffer | string | (Buffer | string)[] | undefined;
export type HeaderCarrier = Record<string, CarrierValue>;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.map((v) => v.toString());
    return value.toString();
  },
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** Reads the W3C trace context from message headers (Kafka headers are Buffers). */
export function extractTraceContext(headers: HeaderCarrier | undefined): Context {
  return propagation.extract(context.active(), headers ?? {}, headerGetter);
}

/** Writes the trace context of `ctx` (or the active one) as W3C headers. */
export function injectTraceContext(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, headerSetter);
  return carrier;
}

/** Trace id of the span in a context, for log correlation. */
export function traceIdOf(ctx: Context = context.active()): string | undefined {
  return trace.getSpanContext(ctx)?.traceId;
}

export const tracer = () => trace.getTracer('o2o');
