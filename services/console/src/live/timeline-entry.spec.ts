import type { EventResolvedV1 } from '@o2o/contracts';
import { timelineEntryOf } from './timeline-entry';

const event = (data: Partial<EventResolvedV1['data']>): EventResolvedV1 =>
  ({
    id: 'e-1',
    time: '2026-12-06T10:00:00.000Z',
    subject: 'cus_1',
    data: {
      messageId: 'm',
      sourceId: 's',
      channel: 'web',
      eventType: 'track',
      timestamp: '2026-12-06T10:00:00.000Z',
      customerId: 'cus_1',
      ...data,
    },
  }) as EventResolvedV1;

describe('timeline entries', () => {
  it('summarises an order by its total and an answer by question and answer', () => {
    expect(
      timelineEntryOf(event({ event: 'Order Completed', properties: { revenue: 42.5, currency: 'EUR', products: [] } })),
    ).toMatchObject({ label: 'Order Completed', detail: '42.5 EUR', channel: 'web' });
    expect(
      timelineEntryOf(event({ event: 'Question Answered', properties: { questionId: 'household-children', answer: true } })).detail,
    ).toBe('household-children: true');
  });

  it('keeps trait values out: an identify shows only which traits were given', () => {
    const entry = timelineEntryOf(event({ eventType: 'identify', traits: { email: 'anna@example.com', phone: '+4930123' } }));
    expect(entry).toMatchObject({ label: 'Identified', detail: 'traits: email, phone' });
    expect(JSON.stringify(entry)).not.toContain('anna@example.com');
  });
});
