import { emptyProfile, type CustomerProfile, type ProfileFact } from '../../shared-kernel/domain/customer-profile';
import { parseCampaign, type CampaignDefinition, type CampaignInput } from './campaign-definition';
import { assembleOffer } from './offer.assembler';

const now = new Date('2024-06-15T12:00:00Z');

const fact = (key: string, value: ProfileFact['value'], purpose = 'email-marketing'): ProfileFact => ({
  key,
  value,
  kind: 'explicit',
  channel: 'web',
  purpose,
  confidence: 1,
  observedAt: '2024-06-01T00:00:00Z',
});

function profile(tier: 'A' | 'C', facts: ProfileFact[] = []): CustomerProfile {
  return {
    ...emptyProfile('c'),
    value: {
      tier,
      actualValue: 1,
      strategicValue: 0,
      purchases: 1,
      revenue: 1,
      currency: 'EUR',
      modelVersion: 'm',
      updatedAt: now.toISOString(),
    },
    needs: { stage: 'purchase', stageReason: '', facts, archetypes: ['family-traveller'], unknown: [], updatedAt: now.toISOString() },
  };
}

function campaign(modules: CampaignInput['modules']): CampaignDefinition {
  const result = parseCampaign({
    id: 'summer',
    version: 4,
    name: 'Summer',
    segmentId: 'all',
    purpose: 'email-marketing',
    channels: ['email'],
    goal: { event: 'Order Completed' },
    attributionWindowDays: 7,
    startAt: '2024-01-01T00:00:00Z',
    holdoutShare: 0,
    modules,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.campaign;
}

const modules: CampaignInput['modules'] = {
  product: {
    options: [
      { id: 'family-room', when: { path: 'needs.archetypes', op: 'contains', value: 'family-traveller' }, weight: 1 },
      { id: 'suite', when: { path: 'value.tier', op: 'eq', value: 'A' }, weight: 2, attributes: { sku: 'SUITE' } },
      { id: 'standard', label: 'Standard room' },
    ],
  },
  message: {
    options: [
      { id: 'shoes', affinity: 'facts.affinity.shoes' },
      { id: 'hats', affinity: 'facts.affinity.hats' },
    ],
  },
  payment: { options: [{ id: 'instalments', when: { path: 'facts.prefers.instalments', op: 'eq', value: true } }] },
};

describe('offer assembly', () => {
  it('picks one option per module by rule, weight and affinity, with reasons', () => {
    const result = assembleOffer(
      campaign(modules),
      profile('A', [fact('affinity.shoes', 0.2), fact('affinity.hats', 0.7), fact('prefers.instalments', true)]),
      now,
    );
    expect(result).toEqual({
      ok: true,
      offer: {
        campaignId: 'summer',
        campaignVersion: 4,
        modules: [
          { module: 'product', optionId: 'suite', attributes: { sku: 'SUITE' }, reason: 'value.tier is "A": eq "A"' },
          { module: 'message', optionId: 'hats', attributes: {}, reason: 'default option; facts.affinity.hats = 0.7' },
          { module: 'payment', optionId: 'instalments', attributes: {}, reason: 'facts.prefers.instalments is true: eq true' },
        ],
      },
    });
  });

  it('customizes per customer and breaks ties by declaration order', () => {
    const result = assembleOffer(campaign({ product: modules.product, message: modules.message }), profile('C'), now);
    expect(result.ok && result.offer.modules.map((m) => m.optionId)).toEqual(['family-room', 'shoes']);
  });

  it('refuses an offer when a module has no fitting option', () => {
    expect(assembleOffer(campaign(modules), profile('C'), now)).toEqual({
      ok: false,
      module: 'payment',
      reason: 'no payment option fits (instalments: facts.prefers.instalments is unknown, so eq true cannot hold)',
    });
  });

  it('uses only facts collected for the campaign purpose', () => {
    const result = assembleOffer(
      campaign({ payment: modules.payment }),
      profile('A', [fact('prefers.instalments', true, 'research')]),
      now,
    );
    expect(result.ok).toBe(false);
  });
});
