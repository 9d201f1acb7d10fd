import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import { Channel, ReceivedEventDataV1, SegmentMessageV1 } from '@o2o/contracts';

export interface SourceRef {
  id: string;
  channel: Channel;
}

/**
 * Segment's clock-skew correction: the device clock may be wrong, but the gap between when the
 * event happened and when it was sent is right. So timestamp = receivedAt - (sentAt - timestamp).
 * Without sentAt the timestamp is taken as sent; without timestamp the receipt time is used.
 * Then the result is clamped to receivedAt: an event cannot have happened after the server got
 * it, and a client must not be able to date an event in the future (a "Consent Updated" dated
 * next year would otherwise outrank every later withdrawal).
 */
export function correctTimestamp(timestamp: string | undefined, sentAt: string | undefined, receivedAt: Date): Date {
  if (!timestamp) return receivedAt;
  const happened = Date.parse(timestamp);
  const corrected = sentAt ? happened + (receivedAt.getTime() - Date.parse(sentAt)) : happened;
  return corrected > receivedAt.getTime() ? receivedAt : new Date(corrected);
}

/**
 * The id of a message sent without messageId: a hash of its source and content (keys in a stable
 * order), so a client's retry of the same message gets the same id and is deduplicated like one
 * that carried an id; sentAt, which a retry changes, is left out. Two identical messages without
 * messageId and timestamp therefore count as one: a sender that means two says so with either.
 */
export function contentMessageId(message: SegmentMessageV1, sourceId: string): string {
  const { messageId: _messageId, sentAt: _sentAt, ...content } = message;
  return `c-${createHash('sha256')
    .update(`${sourceId}\n${stringify(content)}`, 'utf8')
    .digest('hex')
    .slice(0, 32)}`;
}

/**
 * Turns a validated Segment message into the data of a customer-event.received event. As
 * Segment's servers do, context.ip is filled in with the caller's address when the message does
 * not carry one (clientIp: the HTTP peer, or the forwarded client address behind a proxy).
 */
export function normaliseMessage(message: SegmentMessageV1, source: SourceRef, receivedAt: Date, clientIp?: string): ReceivedEventDataV1 {
  const eventTime = message.timestamp ?? message.originalTimestamp;
  const data: ReceivedEventDataV1 = {
    messageId: message.messageId ?? contentMessageId(message, source.id),
    sourceId: source.id,
    channel: source.channel,
    eventType: message.type,
    timestamp: correctTimestamp(eventTime ?? undefined, message.sentAt ?? undefined, receivedAt).toISOString(),
    receivedAt: receivedAt.toISOString(),
  };
  if (message.userId) data.userId = message.userId;
  if (message.anonymousId) data.anonymousId = message.anonymousId;
  if (eventTime) data.originalTimestamp = eventTime;
  if (message.sentAt) data.sentAt = message.sentAt;
  if (clientIp && (message.context?.['ip'] === undefined || message.context['ip'] === null))
    data.context = { ...message.context, ip: clientIp };
  else if (message.context) data.context = message.context;
  if (message.integrations) data.integrations = message.integrations;
  switch (message.type) {
    case 'track':
      data.event = message.event;
      if (message.properties) data.properties = message.properties;
      break;
    case 'identify':
      if (message.traits) data.traits = message.traits;
      break;
    case 'page':
    case 'screen':
      if (message.name) data.name = message.name;
      if (message.category) data.category = message.category;
      if (message.properties) data.properties = message.properties;
      break;
    case 'group':
      data.groupId = message.groupId;
      if (message.traits) data.traits = message.traits;
      break;
    case 'alias':
      data.previousId = message.previousId;
      break;
  }
  return data;
}

/** Before identity resolution, events are keyed by the identifier that routes them. */
export function routingKey(data: Pick<ReceivedEventDataV1, 'userId' | 'anonymousId' | 'messageId'>): string {
  return data.userId ?? data.anonymousId ?? data.messageId;
}
