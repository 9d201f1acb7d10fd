import { emptyProfile } from '../../../shared-kernel/domain/customer-profile';
import { campaignOf } from '../../../campaigns/domain/campaign.test-helper';
import type { LiveCampaigns } from '../../../campaigns/application/ports';
import type { ContactHistory, CustomerSnapshots } from '../ports';
import { UnknownCustomerError } from '../decide-next-action/decide-next-action.handler';
import { ReadContactsQuery, type ContactsConfig } from './read-contacts.query';

describe('contacts made and caps left', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const counts: Record<string, number> = {
    'all@24h': 1,
    'channel:email@24h': 1,
    'all@168h': 2,
    'channel:email@168h': 2,
    'campaign:spring@168h': 2,
    'campaign:spring:channel:email@24h': 1,
  };
  const history = jest.fn(async (_customerId: string, needed: ReadonlyArray<{ key: string }>, _campaignIds: readonly string[]) => ({
    counts: new Map(needed.map((n) => [n.key, counts[n.key] ?? 0])),
    contacts: [{ contactId: 'd-2', at: '2026-12-06T11:00:00.000Z', campaignId: 'spring' }],
  }));
  const query = (known: boolean) => {
    const customers: CustomerSnapshots = {
      resolve: async () => (known ? 'c-1' : undefined),
      chain: async () => [{ customerId: 'c-1', version: 3, snapshot: { profile: emptyProfile('c-1'), memberships: { gold: 1 } } }],
      forget: () => {
        throw new Error('reading contacts reloads no snapshot');
      },
    };
    // spring reaches the customer; summer's segment does not hold them; paused is not live.
    const campaigns: LiveCampaigns = {
      all: async () => [campaignOf('spring', 'gold'), campaignOf('summer', 'silver'), campaignOf('paused', 'gold', { status: 'paused' })],
      invalidate: () => {
        return Promise.reject(new Error('reading contacts edits no campaign'));
      },
    };
    const contacts: ContactHistory = { history };
    const config: ContactsConfig = {
      CONTACT_TOTAL_CAPS: [{ max: 10, windowHours: 168 }],
      CONTACT_CHANNEL_CAPS: { email: [{ max: 4, windowHours: 24 }], sms: [{ max: 1, windowHours: 24 }] },
      GLOBAL_HOLDOUT_SHARE: 0,
      STAGE_GUIDANCE_CHANNELS: [],
    };
    return new ReadContactsQuery(customers, campaigns, contacts, config);
  };

  it('counts contacts per window and reports every cap of each campaign that can reach the customer', async () => {
    const answer = await query(true).execute({ type: 'email', value: 'a@b.c', channel: 'email' }, now);
    expect(answer.made).toEqual([
      { windowHours: 24, all: 1, channel: 1 },
      { windowHours: 168, all: 2, channel: 2 },
      { windowHours: 720, all: 0, channel: 0 },
    ]);
    expect(answer.caps).toEqual([
      { campaignId: 'spring', scope: 'all', windowHours: 168, max: 10, used: 2, left: 8, source: 'platform' },
      // The platform's cap of this channel applies (the sms one does not).
      { campaignId: 'spring', scope: 'channel:email', windowHours: 24, max: 4, used: 1, left: 3, source: 'platform' },
      { campaignId: 'spring', scope: 'campaign:spring', windowHours: 168, max: 3, used: 2, left: 1, source: 'campaign' },
      { campaignId: 'spring', scope: 'campaign:spring:channel:email', windowHours: 24, max: 1, used: 1, left: 0, source: 'campaign' },
    ]);
    expect(answer.campaigns).toEqual([{ campaignId: 'spring', name: 'spring', capsLeft: 0, contactAllowed: false }]);
    expect(answer.latest).toEqual([{ contactId: 'd-2', at: '2026-12-06T11:00:00.000Z', campaignId: 'spring' }]);
    // Every defined campaign is asked about the latest contacts (a paused one made contacts too).
    expect(history.mock.calls[0]?.[2]).toEqual(['spring', 'summer', 'paused']);
  });

  it('answers unknown customers with the domain error the controller maps to 404', async () => {
    await expect(query(false).execute({ type: 'email', value: 'x@y.z', channel: 'email' }, now)).rejects.toBeInstanceOf(
      UnknownCustomerError,
    );
  });
});
