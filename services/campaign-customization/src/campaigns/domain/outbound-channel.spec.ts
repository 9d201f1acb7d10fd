import { emptyProfile, type CustomerProfile, type ProfileFact } from '../../shared-kernel/domain/customer-profile';
import { parseCampaign } from './campaign-definition';
import { outboundChannel } from './outbound-channel';

const parsed = parseCampaign({
  id: 'welcome',
  version: 1,
  name: 'Welcome',
  status: 'active',
  segmentId: 'new',
  purpose: 'marketing',
  channels: ['email', 'sms', 'call-centre'],
  goal: { event: 'Order Completed' },
  attributionWindowDays: 14,
  startAt: '2024-01-01T00:00:00Z',
  holdoutShare: 0,
  modules: { message: { options: [{ id: 'hello' }] } },
});
if (!parsed.ok) throw new Error('bad campaign');
const campaign = parsed.campaign;

function profile(consented: string[], preferred?: { value: string; kind: ProfileFact['kind'] }): CustomerProfile {
  const facts: ProfileFact[] = preferred
    ? [
        {
          key: 'contact.preferredChannel',
          value: preferred.value,
          kind: preferred.kind,
          channel: 'web',
          purpose: 'contact',
          confidence: 1,
          observedAt: '2024-05-01T00:00:00Z',
        },
      ]
    : [];
  return {
    ...emptyProfile('c-1'),
    consent: consented.map((channel) => ({ purpose: 'marketing', channel, status: 'granted' as const, at: '2024-01-01T00:00:00Z' })),
    needs: { stage: 'purchase', stageReason: '', facts, archetypes: [], unknown: [], updatedAt: '2024-05-01T00:00:00Z' },
  };
}

describe('outbound channel', () => {
  it("takes the customer's preferred channel when consented and used by the campaign", () => {
    expect(outboundChannel(campaign, profile(['email', 'call-centre'], { value: 'phone', kind: 'explicit' }))?.channel).toBe('call-centre');
    expect(outboundChannel(campaign, profile(['email', 'sms'], { value: 'sms', kind: 'inferred' }))?.channel).toBe('sms');
  });

  it("falls back to the campaign's order among consented channels, and to nothing without consent", () => {
    expect(outboundChannel(campaign, profile(['sms', 'call-centre'], { value: 'email', kind: 'explicit' }))?.channel).toBe('sms');
    expect(outboundChannel(campaign, profile(['call-centre', 'email']))?.channel).toBe('email');
    expect(outboundChannel(campaign, profile([], { value: 'email', kind: 'explicit' }))).toBeUndefined();
    const withdrawn = {
      ...profile(['email']),
      consent: [{ purpose: 'marketing', channel: '*', status: 'withdrawn' as const, at: '2024-06-01T00:00:00Z' }],
    };
    expect(outboundChannel(campaign, withdrawn)).toBeUndefined();
  });
});
