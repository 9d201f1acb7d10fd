import { parseCampaign, type CampaignDefinition } from './campaign-definition';

/** A valid campaign body (live since 2024, one e-mail a day at most, three a week), for tests to vary. */
export function campaignInput(id: string, segmentId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    version: 1,
    name: id,
    status: 'active',
    segmentId,
    purpose: 'marketing',
    channels: ['email'],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 14,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare: 0,
    caps: { campaign: [{ max: 3, windowHours: 168 }], perChannel: { email: [{ max: 1, windowHours: 24 }] } },
    modules: {},
    ...overrides,
  };
}

/** campaignInput parsed; throws with the issues when the overrides make it invalid. */
export function campaignOf(id: string, segmentId: string, overrides: Record<string, unknown> = {}): CampaignDefinition {
  const result = parseCampaign(campaignInput(id, segmentId, overrides));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}
