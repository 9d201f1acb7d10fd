import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { CampaignDecidedDataV1, ValueScoredDataV1 } from '@o2o/contracts';
import { ApplyProfileChangesHandler } from '../src/profiles/application/apply-profile-changes/apply-profile-changes.handler';
import { RecordOfferOutcomesHandler } from '../src/outcomes/application/record-offer-outcomes.handler';
import { StoredSegments } from '../src/segments/application/ports';
import { BackgroundJobsRunner } from '../src/profiles/application/run-background-jobs/background-jobs.runner';
import { CampaignTestKit, consentUpdated, expectEventually, topics, valueScored } from './campaign-test-kit';

/** Timers that would send commands of their own during a count are pushed out of the way. */
const QUIET = { BACKGROUND_INTERVAL_MS: '600000', OUTCOME_SWEEP_INTERVAL_MS: '3600000' };

function campaign(id: string, status: 'active' | 'paused') {
  return {
    id,
    name: `Campaign ${id}`,
    status,
    segmentId: 'value-tier-a',
    purpose: 'marketing',
    channels: ['store'],
    goal: { event: 'Trial Started' },
    attributionWindowDays: 30,
    startAt: new Date(Date.now() - 3_600_000).toISOString(),
    holdoutShare: 0,
    modules: { product: { options: [{ id: 'premium', weight: 1, attributes: { sku: 'P-1' } }] } },
  };
}

function value(customerId: string, tier: 'A' | 'C'): ValueScoredDataV1 {
  return valueScored(customerId, tier).data;
}

/** The database commands each batch call sends (issue 19): counted on the service's own client, as "command collection". */
describe('campaign-customization round trips (real Kafka, MongoDB, Redis)', () => {
  const kit = new CampaignTestKit();
  let commands: string[] = [];

  beforeAll(async () => {
    await kit.start({ ...QUIET, CACHE_TTL_MS: '600000', CAMPAIGN_CATALOG_MAX_AGE_MS: '600000' });
    kit.service.app
      .get<Connection>(getConnectionToken())
      .getClient()
      .on('commandStarted', (event) => {
        if (['find', 'insert', 'update', 'delete', 'aggregate', 'findAndModify'].includes(event.commandName))
          commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
      });
  });

  afterAll(async () => {
    await kit.stop();
  });

  it('a batch of profile changes is one read and one write command per kind: new customers one insert, known ones one update, a redelivery only the read', async () => {
    const apply = kit.service.app.get(ApplyProfileChangesHandler);
    const ids = Array.from({ length: 120 }, (_, i) => `${kit.run}-p${String(i).padStart(3, '0')}`);
    const changes = (round: string) =>
      ids.map((customerId) => ({ kind: 'value' as const, customerId, eventId: `${round}:${customerId}`, data: value(customerId, 'C') }));
    // Warms the segment and campaign lists, which stay held while nothing changes them.
    await apply.execute(changes('warm').slice(0, 1));
    commands = [];
    await apply.execute(changes('first').slice(1));
    expect(commands).toEqual(['find customers', 'insert customers']);
    commands = [];
    await apply.execute(changes('second'));
    // 120 conditional replaces in one update command (libs/mongo's chunks hold up to 500).
    expect(commands).toEqual(['find customers', 'update customers']);
    commands = [];
    await apply.execute(changes('second'));
    expect(commands).toEqual(['find customers']);
  });

  it("a batch of channels' outcome reports reads its offers once and claims them in one write", async () => {
    const outcomes = kit.service.app.get(RecordOfferOutcomesHandler);
    const now = new Date().toISOString();
    const decisions: CampaignDecidedDataV1[] = Array.from({ length: 30 }, (_, i) => ({
      decisionId: randomUUID(),
      customerId: `${kit.run}-o${i}`,
      campaignId: 'outcome-test',
      campaignVersion: 1,
      channel: 'email',
      kind: 'offer',
      modules: [],
      reasons: [],
      decidedAt: now,
    }));
    await outcomes.recordDecisions(decisions);
    const report = (d: CampaignDecidedDataV1, outcome: 'accepted' | 'declined', withId = true) => ({
      report: {
        eventId: randomUUID(),
        customerId: d.customerId,
        outcome,
        campaignId: d.campaignId,
        ...(withId ? { decisionId: d.decisionId } : {}),
        channel: 'email',
        occurredAt: now,
      },
    });
    const [first, second] = decisions;
    if (first === undefined || second === undefined) throw new Error('no decisions');
    commands = [];
    // 28 answers by decision id, one without (the customer's latest offer of the campaign), and a
    // second answer to the first offer, which the first answer of the batch has already claimed.
    await outcomes.recordChannelOutcomes([
      ...decisions.slice(0, 28).map((d) => report(d, 'accepted')),
      report(decisions[28] ?? first, 'declined', false),
      report(first, 'declined'),
    ]);
    expect(commands.filter((c) => c.endsWith(' offer_decisions'))).toEqual([
      'find offer_decisions',
      'find offer_decisions',
      'update offer_decisions',
      'update offer_decisions',
    ]);
    // The claims landed: none of these offers is open any more, and each holds the first answer.
    commands = [];
    await outcomes.recordChannelOutcomes([report(second, 'declined')]);
    expect(commands.filter((c) => c.endsWith(' offer_decisions'))).toEqual(['find offer_decisions']);
  });

  it('looks for pending back-fills in MongoDB again only after a segment write, once none was pending', async () => {
    const segments = kit.service.app.get(StoredSegments);
    // The default segments' back-fills, run by a pass asked for now (the timer is pushed out of the way).
    const runner = kit.service.app.get(BackgroundJobsRunner);
    await expectEventually(async () => {
      runner.tick();
      expect(await segments.pendingBackfills()).toEqual([]);
    });
    commands = [];
    expect(await segments.pendingBackfills()).toEqual([]);
    expect(await segments.pendingBackfills()).toEqual([]);
    expect(commands.filter((c) => c.endsWith(' segments'))).toEqual([]);
    const created = await kit.http('POST', '/v1/segments', {
      id: `rt-${kit.run}`.toLowerCase(),
      name: 'Round trips',
      purpose: 'marketing',
      rule: { path: 'value.tier', op: 'eq', value: 'B' },
    });
    expect(created.status).toBe(201);
    commands = [];
    // (The API also wakes this instance's pass, which may ask at the same time.)
    await segments.pendingBackfills();
    expect(commands).toContain('find segments');
  });

  it('a campaign saved through one instance is seen by another at once, although its TTL and maximum age are ten minutes', async () => {
    const other = new CampaignTestKit(kit.run);
    await other.start({ ...QUIET, CACHE_TTL_MS: '600000', CAMPAIGN_CATALOG_MAX_AGE_MS: '600000' });
    try {
      const c = `${kit.run}-seen`;
      await kit.publish(topics.identityEvents, [consentUpdated(c, 'marketing', true, 'store')]);
      await kit.publish(topics.valueScores, [valueScored(c, 'A')]);
      const ask = () => other.http('GET', `/v1/customers/by/customerId/${c}/next-action?channel=store`);
      // The other instance holds a list without the campaign...
      await expectEventually(async () => expect((await ask()).json['action']).toMatchObject({ kind: 'none' }));
      // ...until this one saves it, and again when this one pauses it.
      expect((await kit.http('POST', '/v1/campaigns', campaign('notice-test', 'active'))).status).toBe(201);
      await expectEventually(async () => expect((await ask()).json['action']).toMatchObject({ kind: 'offer', campaignId: 'notice-test' }), {
        timeoutMs: 15_000,
      });
      expect((await kit.http('PUT', '/v1/campaigns/notice-test', campaign('notice-test', 'paused'))).json['version']).toBe(2);
      await expectEventually(async () => expect((await ask()).json['action']).toMatchObject({ kind: 'none' }), { timeoutMs: 15_000 });
    } finally {
      await other.stop();
    }
  });
});
