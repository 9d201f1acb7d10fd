import type { Channel, IdentifierV1 } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { uniqueId } from '@o2o/testing';

export interface ResolvedOptions {
  at?: string;
  channel?: Channel;
  /** The message id; a fresh one when absent. */
  id?: string;
  identifiers?: IdentifierV1[];
}

/** An event as identity-resolution publishes it on identity.events. */
export function resolvedEvent(customerId: string, fields: Record<string, unknown> & { eventType: 'track' | 'identify' | 'page' | 'screen' | 'alias' | 'group' }, options: ResolvedOptions = {}) {
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
    data: { messageId, sourceId: `source-${channel}`, channel, customerId, identifiers: options.identifiers ?? [], timestamp: at, receivedAt: at, ...fields },
  });
}

/** A track event as identity-resolution publishes it. */
export function resolvedTrack(customerId: string, event: string, properties: Record<string, unknown>, at: string, channel: Channel = 'web') {
  return resolvedEvent(customerId, { eventType: 'track', event, properties }, { at, channel });
}
