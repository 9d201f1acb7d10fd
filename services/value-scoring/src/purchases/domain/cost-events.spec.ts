import type { ResolvedEventDataV1 } from '@o2o/contracts';
import { costTrackEvents } from '@o2o/contracts';
import { costFrom } from './purchase';
import { applyEvents, EventChange, SummaryState } from './summary-update';

const calls = [costTrackEvents.serviceCall];
const contacts = [costTrackEvents.contactMade, 'Offer Presented'];

function track(
  event: string,
  properties: Record<string, unknown> = {},
  channel: ResolvedEventDataV1['channel'] = 'call-centre',
): ResolvedEventDataV1 {
  return {
    customerId: 'cus_a',
    eventType: 'track',
    event,
    properties,
    channel,
    sourceId: 'demo-call-centre',
    messageId: `m-${event}`,
    timestamp: '2026-01-02T10:00:00.000Z',
    receivedAt: '2026-01-02T10:00:00.000Z',
    identifiers: [{ type: 'userId', value: 'user-1' }],
  };
}

describe('costFrom', () => {
  it('reads service calls and contacts, a contact on the channel it names (else the source channel)', () => {
    expect(costFrom(track('Service Call Completed', { reason: 'late delivery' }), calls, contacts)).toEqual({ kind: 'service-call' });
    expect(costFrom(track('Contact Made', { channel: ' SMS ' }), calls, contacts)).toEqual({ kind: 'contact', channel: 'sms' });
    expect(costFrom(track('Offer Presented', {}, 'email'), calls, contacts)).toEqual({ kind: 'contact', channel: 'email' });
    expect(costFrom(track('Order Completed'), calls, contacts)).toBeNull();
    expect(costFrom({ ...track('Service Call Completed'), eventType: 'identify' }, calls, contacts)).toBeNull();
  });
});

describe('applyEvents counts cost events', () => {
  const empty = (): SummaryState => ({ orders: [], purchases: 0, revenue: 0, channels: [], categories: [], appliedEvents: [] });
  const at = new Date('2026-01-02T10:00:00Z');
  const call = (id: string): EventChange => ({ eventId: id, origin: 'cus_a', seenAt: at, purchase: null, cost: { kind: 'service-call' } });
  const contact = (id: string, channel: string): EventChange => ({
    eventId: id,
    origin: 'cus_a',
    seenAt: at,
    purchase: null,
    cost: { kind: 'contact', channel },
  });
  const refund = (id: string, orderId: string): EventChange => ({
    eventId: id,
    origin: 'cus_a',
    seenAt: at,
    purchase: { sourceId: 'web', orderId, kind: 'refund', at, amount: -60, categories: [], channel: 'web', identifiers: [] },
  });

  it('counts returns, service calls and contacts per channel once each, whatever the redeliveries', () => {
    const changes = [call('c1'), contact('k1', 'email'), contact('k2', 'email'), contact('k3', 'sms'), refund('r1', 'o-1')];
    const once = applyEvents(empty(), changes, 200);
    expect(once?.costs).toEqual({ returns: 1, serviceCalls: 1, contacts: { email: 2, sms: 1 } });
    // The same events again (a redelivered batch) change nothing.
    expect(once && applyEvents(once, changes, 200)).toBeUndefined();
    // The state it started from is not changed in place.
    expect(empty().costs).toBeUndefined();
  });
});
