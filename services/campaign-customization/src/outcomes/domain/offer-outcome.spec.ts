import { offerOutcomeDataV1, type ResolvedEventDataV1 } from '@o2o/contracts';
import { channelOutcomeData, channelOutcomeOf, ignoredOutcomeData, isAnswer, learningKeyOf, type OpenOffer } from './offer-outcome';

const event = (name: string, properties: Record<string, unknown>): ResolvedEventDataV1 => ({
  messageId: 'm-1',
  sourceId: 'src',
  channel: 'call-centre',
  eventType: 'track',
  event: name,
  properties,
  timestamp: '2026-11-23T15:10:00.000Z',
  receivedAt: '2026-11-23T15:10:00.000Z',
  customerId: 'cus_1',
  identifiers: [],
});

const offer: OpenOffer = {
  decisionId: 'd-1',
  customerId: 'cus_1',
  campaignId: 'winter-boots',
  campaignVersion: 2,
  offerId: 'boots-classic',
  channel: 'email',
  archetypes: ['outdoor-family'],
  categories: ['shoes'],
  decidedAt: '2026-11-23T15:00:00.000Z',
  dueAt: '2026-11-26T15:00:00.000Z',
};

describe('offer outcomes', () => {
  it('reads the three channel outcomes, and nothing else', () => {
    expect(
      channelOutcomeOf('e-1', undefined, event('Offer Accepted', { campaignId: 'winter-boots', decisionId: 'd-1', revenue: 80 })),
    ).toEqual(
      expect.objectContaining({ outcome: 'accepted', campaignId: 'winter-boots', decisionId: 'd-1', revenue: 80, channel: 'call-centre' }),
    );
    expect(channelOutcomeOf('e-1', undefined, event('Offer Declined', { campaignId: 'c', channel: 'store' }))).toEqual(
      expect.objectContaining({ outcome: 'declined', channel: 'store' }),
    );
    expect(channelOutcomeOf('e-1', undefined, event('Offer Presented', { campaignId: 'c' }))?.outcome).toBe('presented');
    expect(channelOutcomeOf('e-1', undefined, event('Offer Ignored', { campaignId: 'c' }))).toBeUndefined();
    expect(channelOutcomeOf('e-1', undefined, event('Order Completed', { campaignId: 'c' }))).toBeUndefined();
    expect(channelOutcomeOf('e-1', undefined, event('Offer Accepted', {}))).toBeUndefined();
    expect(channelOutcomeOf('e-1', undefined, event('constructor', { campaignId: 'c' }))).toBeUndefined();
  });

  it('ties a channel outcome to its offer, with the context it is learned in', () => {
    const report = channelOutcomeOf('e-7', 'corr', event('Offer Accepted', { campaignId: 'winter-boots' }));
    if (report === undefined) throw new Error('not an outcome');
    const data = channelOutcomeData(report, offer);
    expect(offerOutcomeDataV1.parse(data)).toEqual(data);
    expect(data).toEqual(
      expect.objectContaining({
        outcomeId: 'outcome:e-7',
        decisionId: 'd-1',
        offerId: 'boots-classic',
        archetypes: ['outdoor-family'],
        categories: ['shoes'],
        reportedBy: 'channel',
      }),
    );
    expect(learningKeyOf(data)).toBe('winter-boots|boots-classic|outdoor-family');
    const alone = channelOutcomeData(report, undefined);
    expect(alone.decisionId).toBeUndefined();
    expect(learningKeyOf(alone)).toBe('winter-boots|winter-boots|none');
  });

  it('records an ignored offer at its deadline, once per decision', () => {
    const data = ignoredOutcomeData(offer, 72);
    expect(offerOutcomeDataV1.parse(data)).toEqual(data);
    expect(data).toEqual(
      expect.objectContaining({
        outcomeId: 'ignored:d-1',
        outcome: 'ignored',
        reportedBy: 'platform',
        occurredAt: offer.dueAt,
        reason: 'no answer within 72 hours',
      }),
    );
  });

  it('counts only answers as closing an offer, and presentations as teaching nothing', () => {
    expect([isAnswer('accepted'), isAnswer('declined'), isAnswer('presented'), isAnswer('ignored')]).toEqual([true, true, false, false]);
    const report = channelOutcomeOf('e-8', undefined, event('Offer Presented', { campaignId: 'winter-boots' }));
    if (report === undefined) throw new Error('not an outcome');
    expect(learningKeyOf(channelOutcomeData(report, offer))).toBeUndefined();
  });
});
