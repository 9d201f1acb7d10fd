import { needsProfiledDataV1, type CampaignDecidedDataV1, type NeedsProfiledDataV1, type RelationshipStage } from '@o2o/contracts';
import { CampaignTestKit, consentUpdated, envelope, expectEventually, identitySnapshot, topics, valueScored } from './campaign-test-kit';

/** A needs state as needs-profiling publishes it, with the stage's contact guidance. */
function needsProfiled(
  customerId: string,
  stage: RelationshipStage,
  guidance: { maxContactsPer30Days: number; minDaysBetweenContacts: number },
  at: Date,
) {
  const data: NeedsProfiledDataV1 = needsProfiledDataV1.parse({
    customerId,
    stage,
    stageReason: 'test',
    facts: [],
    archetypes: [],
    unknown: [],
    stageGuidance: { ...guidance, content: ['test'] },
    updatedAt: at.toISOString(),
  });
  return envelope('customer.needs-profiled', customerId, data);
}

describe("campaign-customization: the stage's contact guidance caps contacts the platform starts (real Kafka, MongoDB, Redis)", () => {
  const kit = new CampaignTestKit();

  beforeAll(async () => {
    await kit.start({ STAGE_GUIDANCE_CHANNELS: 'email,sms' });
  });

  afterAll(async () => {
    await kit.stop();
  });

  it('allows one e-mail per minimum interval of the stage, not a call the customer made, and follows a new stage', async () => {
    const c = `${kit.run}-staged`;
    const created = await kit.http('POST', '/v1/campaigns', {
      id: 'stage-offer',
      name: 'Stage offer',
      status: 'active',
      segmentId: 'value-tier-a',
      purpose: 'marketing',
      channels: ['email', 'call-centre'],
      goal: { event: 'Trial Started' },
      attributionWindowDays: 30,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      holdoutShare: 0,
      modules: { product: { options: [{ id: 'premium', weight: 1, attributes: { sku: 'P-1' } }] } },
    });
    expect(created.status).toBe(201);
    await kit.publish(topics.identitySnapshots, [identitySnapshot(c, [{ type: 'email', value: `${c}@example.com` }])]);
    await kit.publish(topics.identityEvents, [
      consentUpdated(c, 'marketing', true, 'email'),
      consentUpdated(c, 'marketing', true, 'call-centre'),
    ]);
    await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
    const start = Date.now();
    await kit.publish(topics.needsProfiles, [
      needsProfiled(c, 'prospecting', { maxContactsPer30Days: 2, minDaysBetweenContacts: 7 }, new Date(start)),
    ]);
    await kit.waitForMemberships(c, 1);
    const preview = (channel: string) => kit.http('GET', `/v1/customers/by/customerId/${c}/next-action?channel=${channel}`);
    // The guidance has arrived once the contacts screen lists the stage's caps.
    await expectEventually(async () => {
      const contacts = await kit.http('GET', `/v1/customers/by/customerId/${c}/contacts?channel=email`);
      expect(contacts.json['caps']).toEqual(
        expect.arrayContaining([expect.objectContaining({ scope: 'initiated', windowHours: 168, max: 1, source: 'stage' })]),
      );
    });
    expect((await preview('email')).json['action']).toMatchObject({ kind: 'offer', campaignId: 'stage-offer' });

    const first = await kit.decide('customerId', c, 'email');
    expect(first.json['action']).toMatchObject({ kind: 'offer', campaignId: 'stage-offer' });
    const second = await kit.decide('customerId', c, 'email');
    const passed = second.json['action'] as { kind: string; passed: Array<{ campaignId: string; code: string; reason: string }> };
    expect(passed.kind).toBe('none');
    expect(passed.passed).toEqual([
      expect.objectContaining({ campaignId: 'stage-offer', code: 'cap', reason: expect.stringContaining("stage's contact guidance") }),
    ]);
    // A call the customer made is not a contact the platform started: the stage does not cap it.
    expect((await kit.decide('customerId', c, 'call-centre')).json['action']).toMatchObject({ kind: 'offer', campaignId: 'stage-offer' });

    // Loyalty allows contacts without a gap: the next e-mail is offered again, one more is capped by 30-day count.
    await kit.publish(topics.needsProfiles, [
      needsProfiled(c, 'loyalty', { maxContactsPer30Days: 2, minDaysBetweenContacts: 0 }, new Date(start + 1000)),
    ]);
    await expectEventually(async () => {
      expect((await preview('email')).json['action']).toMatchObject({ kind: 'offer', campaignId: 'stage-offer' });
    });
    expect((await kit.decide('customerId', c, 'email')).json['action']).toMatchObject({ kind: 'offer' });
    expect((await kit.decide('customerId', c, 'email')).json['action']).toMatchObject({
      kind: 'none',
      passed: [expect.objectContaining({ code: 'cap', reason: expect.stringContaining('720h on initiated') })],
    });

    await expectEventually(() => {
      const decisions = kit.spy
        .on(kit.topic(topics.campaignDecisions))
        .filter((m) => m.key === c)
        .map((m) => (m.value as { data: CampaignDecidedDataV1 }).data);
      expect(decisions.map((d) => d.channel).sort()).toEqual(['call-centre', 'email', 'email']);
    });
  });
});
