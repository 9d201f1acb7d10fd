import { isLive, parseCampaign, type CampaignInput } from './campaign-definition';

const valid: CampaignInput = {
  id: 'spring-sale',
  version: 1,
  name: 'Spring sale',
  status: 'active',
  segmentId: 'gold',
  purpose: 'email-marketing',
  channels: ['email', 'sms'],
  goal: { event: 'Order Completed' },
  attributionWindowDays: 14,
  startAt: '2024-03-01T00:00:00Z',
  endAt: '2024-04-01T00:00:00Z',
  holdoutShare: 0.1,
  caps: { campaign: [{ max: 3, windowHours: 168 }], perChannel: { sms: [{ max: 1, windowHours: 24 }] } },
  modules: {
    product: {
      options: [
        { id: 'suite', when: { path: 'value.tier', op: 'eq', value: 'A' }, weight: 2, attributes: { sku: 'S-1' } },
        { id: 'room', attributes: { sku: 'R-1' } },
      ],
    },
  },
};

describe('campaign definition', () => {
  it('parses a campaign and fills defaults', () => {
    const result = parseCampaign(valid);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.campaign.priority).toBe(0);
      expect(result.campaign.conversionValue).toBe(1);
      expect(result.campaign.modules.product?.options[1]).toEqual({ id: 'room', weight: 0, attributes: { sku: 'R-1' } });
    }
  });

  it('rejects bad campaigns with the path of each problem', () => {
    const result = parseCampaign({
      ...valid,
      endAt: '2024-02-01T00:00:00Z',
      holdoutShare: 0.95,
      caps: { campaign: [{ max: 1, windowHours: 0 }], perChannel: { push: [{ max: 1, windowHours: 24 }] } },
      modules: {
        product: {
          options: [
            { id: 'a', when: { path: 'value.tier', op: 'gt', value: 'A' } },
            { id: 'a', affinity: 'value.tier' },
          ],
        },
        colour: { options: [] },
      },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.issues.map((i) => `${i.path}: ${i.message}`);
      expect(paths).toEqual(
        expect.arrayContaining([
          'holdoutShare: a holdout above 90% leaves too few treated customers',
          'caps.campaign.0.windowHours: windowHours is at least 1',
          'modules.product.options.0.when.op: value.tier is categorical, so gt is not defined on it; use in with the values wanted, e.g. ["A","B"]',
          'modules.product.options.1.affinity: value.tier is not numeric, so it cannot weigh an option',
          'modules: Unrecognized key: "colour"',
        ]),
      );
    }
    const crossField = parseCampaign({ ...valid, endAt: '2024-02-01T00:00:00Z', caps: { campaign: [], perChannel: { push: [] } } });
    expect(crossField.ok ? [] : crossField.issues).toEqual([
      { path: 'endAt', message: 'endAt must be after startAt' },
      { path: 'caps.perChannel.push', message: 'cap for channel "push", which the campaign does not use' },
    ]);
  });

  it('is live only when active and within its dates', () => {
    const result = parseCampaign(valid);
    if (!result.ok) throw new Error('invalid fixture');
    const c = result.campaign;
    expect(isLive(c, new Date('2024-03-15T00:00:00Z'))).toBe(true);
    expect(isLive(c, new Date('2024-04-01T00:00:00Z'))).toBe(false);
    expect(isLive(c, new Date('2024-02-28T00:00:00Z'))).toBe(false);
    expect(isLive({ ...c, status: 'paused' }, new Date('2024-03-15T00:00:00Z'))).toBe(false);
  });
});
