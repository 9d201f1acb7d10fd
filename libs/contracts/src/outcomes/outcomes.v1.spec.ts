import fc from 'fast-check';
import { topics, parseEnvelope } from '../topics';
import {
  offerOutcomeEventName,
  offerOutcomeKinds,
  offerOutcomeV1,
  outcomeEventNames,
  outcomeTrackPropertiesV1,
  platformOnlyEventNames,
  questionAnsweredPropertiesV1,
} from './outcomes.v1';

const outcome = {
  specversion: '1.0',
  id: 'out-1',
  source: '/services/campaign-customization',
  type: 'offer.outcome',
  version: 1,
  time: '2026-11-26T15:05:00.000Z',
  subject: 'cus_1',
  datacontenttype: 'application/json',
  data: {
    outcomeId: 'out-1',
    customerId: 'cus_1',
    outcome: 'accepted',
    reportedBy: 'channel',
    campaignId: 'winter-boots',
    archetypes: [],
    categories: ['shoes'],
    occurredAt: '2026-11-26T15:05:00.000Z',
  },
} as const;

describe('outcome contracts v1', () => {
  it('reserve one track name per outcome, every one a channel may send having a properties schema', () => {
    const names = Object.values(outcomeEventNames);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      const channelMaySend = !platformOnlyEventNames.includes(name);
      expect({ name, schema: Object.hasOwn(outcomeTrackPropertiesV1, name) }).toEqual({ name, schema: channelMaySend });
    }
    for (const kind of offerOutcomeKinds) expect(names).toContain(offerOutcomeEventName[kind]);
  });

  it('carry offer outcomes on campaigns.outcomes.v1, parsed by type and version', () => {
    expect(parseEnvelope(topics.campaignOutcomes, outcome)).toEqual({ ok: true, event: expect.objectContaining({ id: 'out-1' }) });
    expect(parseEnvelope(topics.campaignOutcomes, { ...outcome, version: 2 })).toEqual(
      expect.objectContaining({ ok: false, reason: 'unknown-event-type' }),
    );
    expect(parseEnvelope(topics.campaignOutcomes, { ...outcome, data: { ...outcome.data, outcome: 'maybe' } })).toEqual(
      expect.objectContaining({ ok: false, reason: 'invalid-envelope' }),
    );
  });

  it('refuse an offer outcome without its campaign, archetypes or a valid kind', () => {
    for (const field of ['campaignId', 'archetypes', 'outcome', 'reportedBy', 'occurredAt'] as const) {
      const { [field]: _removed, ...rest } = outcome.data;
      expect({ field, ok: offerOutcomeV1.safeParse({ ...outcome, data: rest }).success }).toEqual({ field, ok: false });
    }
    expect(offerOutcomeV1.safeParse({ ...outcome, data: { ...outcome.data, revenue: -1 } }).success).toBe(false);
  });

  it('accept any scalar answer with a question id, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), (answer) => {
        expect(questionAnsweredPropertiesV1.safeParse({ questionId: 'q-1', answer }).success).toBe(true);
        expect(questionAnsweredPropertiesV1.safeParse({ answer }).success).toBe(false);
      }),
    );
    expect(questionAnsweredPropertiesV1.safeParse({ questionId: 'q-1', answer: null }).success).toBe(false);
    expect(questionAnsweredPropertiesV1.safeParse({ questionId: 'q-1' }).success).toBe(false);
  });
});
