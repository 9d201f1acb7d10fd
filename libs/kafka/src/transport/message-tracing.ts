import { Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext, spansExported, tracer } from '@o2o/observability';
import { DecodedItem } from './partition-batch';

/**
 * Each message's trace: the handler's `trace` continues the producer's (its traceparent header).
 * A span per message only where spans go somewhere (an exporter) or where the message brings no
 * trace (one begins here): each event's path stays one trace either way, since without an
 * exporter the message's trace continues from the producer's context, which is what the
 * publisher then writes on.
 */
export function traceItems(items: readonly DecodedItem[], where: { contractName: string; clusterTopic: string; groupId: string }): void {
  const withSpans = spansExported();
  const spanName = `${where.contractName} process`;
  for (const item of items) {
    const parent = extractTraceContext(item.source.headers);
    if (withSpans || trace.getSpanContext(parent) === undefined) {
      const span: Span = tracer().startSpan(
        spanName,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': where.clusterTopic,
            'messaging.kafka.destination.partition': item.partition,
            'messaging.kafka.message.offset': item.source.offset,
            'messaging.consumer.group.name': where.groupId,
          },
        },
        parent,
      );
      item.span = span;
      item.consumed.trace = trace.setSpan(parent, span);
    } else item.consumed.trace = parent;
  }
}

/** Marks a message's span (if it has one) as failed. */
export function markFailed(item: DecodedItem, message: string): void {
  item.span?.setStatus({ code: SpanStatusCode.ERROR, message });
}

export function endSpans(items: readonly DecodedItem[]): void {
  for (const item of items) item.span?.end();
}
