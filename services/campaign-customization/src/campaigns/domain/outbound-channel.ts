import { resolveConsent } from '../../shared-kernel/domain/consent';
import type { CustomerProfile } from '../../shared-kernel/domain/customer-profile';
import type { CampaignDefinition } from './campaign-definition';

/** needs-profiling's `contact.preferredChannel` answers, as the platform's channel names. */
const preferenceToChannel: Readonly<Record<string, string>> = {
  email: 'email',
  sms: 'sms',
  phone: 'call-centre',
  app: 'app',
  post: 'post',
};

export const PREFERRED_CHANNEL_FACT = 'contact.preferredChannel';

/**
 * The channel an outbound contact of this campaign uses: among the campaign's channels those the
 * customer consented to for the campaign's purpose, the customer's preferred one when it is
 * among them, else the first in the campaign's order of preference. None when no channel is
 * consented (nothing is sent).
 */
export function outboundChannel(campaign: CampaignDefinition, profile: CustomerProfile): { channel: string; reason: string } | undefined {
  const consented = campaign.channels.filter((channel) => resolveConsent(profile.consent, campaign.purpose, channel).status === 'granted');
  if (consented.length === 0) return undefined;
  const preference = [...(profile.needs?.facts ?? [])]
    .filter((f) => f.key === PREFERRED_CHANNEL_FACT && typeof f.value === 'string')
    .sort((a, b) => (a.kind === b.kind ? Date.parse(b.observedAt) - Date.parse(a.observedAt) : a.kind === 'explicit' ? -1 : 1))[0];
  const preferred = typeof preference?.value === 'string' ? preferenceToChannel[preference.value] : undefined;
  if (preferred !== undefined && consented.includes(preferred))
    return {
      channel: preferred,
      reason: `the customer's preferred channel (${preference?.kind === 'explicit' ? 'said' : 'inferred'}), consented for ${campaign.purpose}`,
    };
  const first = consented[0];
  if (first === undefined) return undefined;
  return {
    channel: first,
    reason:
      preferred === undefined
        ? `first consented channel in the campaign's order`
        : `preferred channel ${preferred} not consented or not used by the campaign; first consented in the campaign's order`,
  };
}
