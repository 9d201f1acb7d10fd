import type { EventResolvedV1 } from '@o2o/contracts';
import type { TimelineEntry } from './timeline.store';

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/**
 * A resolved event as one timeline line. Only what an agent needs to see what happened (event
 * name, page, order total, question and answer); traits and the rest of the properties stay out.
 */
export function timelineEntryOf(event: EventResolvedV1): TimelineEntry {
  const data = event.data;
  const properties = data.properties ?? {};
  const base = { id: event.id, time: data.timestamp, channel: data.channel, kind: data.eventType };
  if (data.eventType === 'track') {
    const name = data.event ?? 'event';
    let detail: string | undefined;
    if (properties['revenue'] !== undefined) detail = `${text(properties['revenue'])} ${text(properties['currency']) ?? ''}`.trim();
    else if (properties['questionId'] !== undefined) detail = `${text(properties['questionId'])}: ${text(properties['answer']) ?? ''}`;
    else if (properties['purpose'] !== undefined && properties['granted'] !== undefined)
      detail = `${text(properties['purpose'])} ${properties['granted'] === true ? 'granted' : 'withdrawn'}`;
    else if (properties['category'] !== undefined) detail = text(properties['category']);
    else if (properties['campaignId'] !== undefined) detail = text(properties['campaignId']);
    return { ...base, label: name, ...(detail ? { detail } : {}) };
  }
  if (data.eventType === 'page' || data.eventType === 'screen')
    return { ...base, label: `${data.eventType === 'page' ? 'Viewed page' : 'Opened screen'} ${data.name ?? ''}`.trim() };
  if (data.eventType === 'identify')
    return {
      ...base,
      label: 'Identified',
      detail: `traits: ${Object.keys(data.traits ?? {})
        .sort()
        .join(', ')}`,
    };
  return { ...base, label: data.eventType };
}
