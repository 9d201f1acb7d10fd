import { CampaignTestKit, topics, valueScored } from './campaign-test-kit';

/** What the console's marketing screen reads: counts, a preview before saving, members page by page. */
describe('campaign-customization segment counts, preview and members (real servers)', () => {
  const kit = new CampaignTestKit();
  const id = (name: string) => `${kit.run}-${name}`;

  beforeAll(async () => {
    await kit.start();
  });

  afterAll(async () => {
    await kit.stop();
  });

  it('counts members, previews a draft without saving it, and pages through the members', async () => {
    const tierA = [id('a1'), id('a2'), id('a3')];
    const tierB = id('b1');
    await kit.publish(topics.valueScores, [...tierA.map((c) => valueScored(c, 'A')), valueScored(tierB, 'B')]);
    for (const c of tierA) await kit.waitForMemberships(c, 1);

    const counts = await kit.http('GET', '/v1/segments/counts');
    expect(counts.status).toBe(200);
    expect((counts.json['members'] as Record<string, number>)['value-tier-a']).toBe(3);
    expect(counts.json['customers']).toBe(4);

    // Preview: validated like a save, evaluated on every customer, nothing saved.
    const draft = { id: 'tier-a-or-b', name: 'A or B', purpose: 'marketing', rule: { path: 'value.tier', op: 'in', value: ['A', 'B'] } };
    const preview = await kit.http('POST', '/v1/segments/preview', draft);
    expect(preview).toMatchObject({ status: 200, json: { customers: 4, matching: 4 } });
    expect((await kit.http('GET', '/v1/segments/tier-a-or-b')).status).toBe(404);
    const refused = await kit.http('POST', '/v1/segments/preview', { ...draft, rule: { path: 'value.tier', op: 'almost', value: 'A' } });
    expect(refused.status).toBe(400);

    // Members, two per page, in customer id order, every member once.
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await kit.http(
        'GET',
        `/v1/segments/value-tier-a/members?limit=2${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.json['members'] as Array<{ customerId: string }>).map((m) => m.customerId));
      after = page.json['next'] as string | undefined;
      pages++;
    } while (after !== undefined && pages < 10);
    expect(seen).toEqual([...tierA].sort());
    expect((await kit.http('GET', '/v1/segments/no-such-segment/members')).status).toBe(404);
  });

  it('counts entries and exits per hour, values customers by stage, and shows contacts made and caps left', async () => {
    const ids = [id('f1'), id('f2')];
    await kit.publish(
      topics.valueScores,
      ids.map((c) => valueScored(c, 'A')),
    );
    for (const c of ids) await kit.waitForMemberships(c, 1);
    // One of them falls to tier B: an exit from value-tier-a.
    await kit.publish(topics.valueScores, [valueScored(ids[0] ?? '', 'B', new Date(Date.now() + 1000))]);
    await kit.waitForMemberships(ids[0] ?? '', 2);
    const flow = await kit.http('GET', '/v1/segments/value-tier-a/flow?hours=3');
    expect(flow.status).toBe(200);
    const buckets = flow.json['buckets'] as Array<{ start: string; entered: number; exited: number }>;
    expect(buckets).toHaveLength(3);
    expect(buckets.map((b) => b.start)).toEqual([...buckets.map((b) => b.start)].sort());
    // This file's earlier customers entered too (three); each change counts once.
    expect({ entered: flow.json['entered'], exited: flow.json['exited'] }).toEqual({ entered: 5, exited: 1 });
    expect((await kit.http('GET', '/v1/segments/no-such-segment/flow')).status).toBe(404);
    expect((await kit.http('GET', '/v1/segments/value-tier-a/flow?hours=1000')).status).toBe(400);

    // No needs profile yet: every customer's stage is unknown; value sums over the scored ones.
    const report = await kit.http('GET', '/v1/reports/value-by-stage');
    expect(report.status).toBe(200);
    const unknown = (report.json['byStage'] as Array<{ stage: string; customers: number; scored: number }>).find(
      (s) => s.stage === 'unknown',
    );
    expect(unknown).toMatchObject({ customers: report.json['customers'], scored: report.json['customers'] });

    // Never contacted: nothing made; an unknown customer is a 404, a missing channel a 400.
    const contacts = await kit.http('GET', `/v1/customers/by/customerId/${encodeURIComponent(ids[1] ?? '')}/contacts?channel=email`);
    expect(contacts.status).toBe(200);
    expect(contacts.json['made']).toEqual([24, 168, 720].map((windowHours) => ({ windowHours, all: 0, channel: 0 })));
    expect(contacts.json['latest']).toEqual([]);
    expect((await kit.http('GET', `/v1/customers/by/customerId/${encodeURIComponent(id('nobody'))}/contacts?channel=email`)).status).toBe(
      404,
    );
    expect((await kit.http('GET', `/v1/customers/by/customerId/${encodeURIComponent(ids[1] ?? '')}/contacts`)).status).toBe(400);
  });
});
