import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Channel, deadLetterHeaders, NeedsProfiledDataV1, OfferOutcomeDataV1, topics } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { expectEventually, uniqueId, waitForConsumerGroups } from '@o2o/testing';
import { needsProfilingUnderTest, resolvedEvent } from './needs-profiling.helpers';

const run = uniqueId();
const topic = (name: string) => `${run}.${name}`;
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

interface NeedsResponse {
  facts: Array<{ key: string; value: unknown; kind: string }>;
}

/**
 * Outcomes reach needs-profiling through Kafka: offer outcomes on campaigns.outcomes.v1 (as
 * campaign-customization publishes them) move affinities and the channel preference; a
 * "Question Declined" on identity.events.v1 keeps the question from being asked again.
 */
describe('needs-profiling learns from outcomes (real Kafka, MongoDB, Redis)', () => {
  const profilesTopic = topic(topics.needsProfiles.name);
  const dlq = (): string => `${run}.dlq.${sut.config.KAFKA_GROUP_ID}.v1`;

  const sut = needsProfilingUnderTest(run, { spyOn: (config) => [profilesTopic, `${run}.dlq.${config.KAFKA_GROUP_ID}.v1`] });

  const resolved = (customerId: string, event: string, properties: Record<string, unknown>, at: string, channel: Channel = 'web') =>
    resolvedEvent(customerId, { eventType: 'track', event, properties }, { at, channel });
  const outcome = (customerId: string, data: Omit<OfferOutcomeDataV1, 'customerId' | 'campaignId' | 'archetypes' | 'reportedBy'>) =>
    createEnvelope({
      type: 'offer.outcome',
      version: 1,
      source: '/services/campaign-customization',
      subject: customerId,
      id: data.outcomeId,
      time: data.occurredAt,
      data: {
        ...data,
        customerId,
        campaignId: 'demo-welcome',
        archetypes: [],
        reportedBy: data.outcome === 'ignored' ? ('platform' as const) : ('channel' as const),
      },
    });
  const send = (name: string, events: Array<ReturnType<typeof createEnvelope>>) => sut.send(name, events);
  const needsOf = async (id: string) => (await sut.get<NeedsResponse>(`/v1/customers/${id}/needs`)).body;
  const inferred = (needs: NeedsResponse, key: string) => needs.facts.find((f) => f.key === key && f.kind === 'inferred')?.value;
  const nextQuestion = async (id: string) =>
    (await sut.get<{ question: { questionId: string } | null }>(`/v1/customers/${id}/next-question?channel=web`)).body.question;
  const lastPublished = (key: string) =>
    sut.spy
      .on(profilesTopic)
      .filter((m) => m.key === key)
      .at(-1)?.value as { data: NeedsProfiledDataV1 } | undefined;

  it('lowers the affinity and channel of declined and ignored offers, raises those of accepted ones, once per outcome', async () => {
    const c = uniqueId('cus_o');
    await send(topics.identityEvents.name, [
      resolved(c, 'Preferences Updated', { consents: { personalisation: true, contact: true } }, ago(5)),
      resolved(c, 'Product Viewed', { category: 'shoes' }, ago(4), 'email'),
      resolved(c, 'Product Viewed', { category: 'outdoor' }, ago(4), 'email'),
      resolved(c, 'Product Viewed', { category: 'shoes' }, ago(4), 'email'),
      resolved(c, 'Product Viewed', { category: 'outdoor' }, ago(4)),
    ]);
    let before: NeedsResponse | undefined;
    await expectEventually(async () => {
      before = await needsOf(c);
      expect(inferred(before, 'affinity.category.shoes')).toBeDefined();
      expect(inferred(before, 'channel.preferred')).toBe('email');
    });
    const shoesBefore = Number(inferred(before as NeedsResponse, 'affinity.category.shoes'));
    const outdoorBefore = Number(inferred(before as NeedsResponse, 'affinity.category.outdoor'));

    const outcomes = [
      outcome(c, { outcomeId: `${c}:1`, outcome: 'declined', categories: ['shoes'], channel: 'email', occurredAt: ago(2) }),
      outcome(c, {
        outcomeId: `${c}:2`,
        outcome: 'ignored',
        categories: ['shoes'],
        channel: 'email',
        occurredAt: ago(1.5),
        reason: 'no answer within 72 h',
      }),
      outcome(c, { outcomeId: `${c}:3`, outcome: 'ignored', categories: ['shoes'], channel: 'email', occurredAt: ago(1) }),
      outcome(c, { outcomeId: `${c}:4`, outcome: 'accepted', categories: ['outdoor'], channel: 'web', occurredAt: ago(1) }),
    ];
    await send(topics.campaignOutcomes.name, outcomes);
    await expectEventually(async () => {
      const after = await needsOf(c);
      expect(Number(inferred(after, 'affinity.category.shoes') ?? 0)).toBeLessThan(shoesBefore);
      expect(Number(inferred(after, 'affinity.category.outdoor'))).toBeGreaterThan(outdoorBefore);
      expect(inferred(after, 'channel.preferred')).toBe('web');
      // Published downstream too (campaign-customization and value-scoring read it there).
      const facts = lastPublished(c)?.data.facts ?? [];
      expect(facts.find((f) => f.key === 'channel.preferred')?.value).toBe('web');
    });

    // The same outcomes again (at-least-once delivery) teach nothing twice.
    const profiles = sut.service.app
      .get<Connection>(getConnectionToken())
      .collection<{ _id: string; version: number; profileJson?: string }>('needs_profiles');
    const version = (await profiles.findOne({ _id: c }))?.version ?? 0;
    await send(topics.campaignOutcomes.name, outcomes);
    // Once the group has committed past them, the copies are consumed: the profile did not move.
    await waitForConsumerGroups(sut.config.KAFKA_BROKERS, [`${run}.${sut.config.KAFKA_GROUP_ID}`], { timeoutMs: 60000 });
    expect((await profiles.findOne({ _id: c }))?.version).toBe(version);
    // A new event still moves it, by exactly one version.
    const marker = resolved(c, 'Product Viewed', { category: 'outdoor' }, ago(0.5));
    await send(topics.identityEvents.name, [marker]);
    await expectEventually(async () => expect((await profiles.findOne({ _id: c }))?.profileJson ?? '').toContain(marker.data.messageId));
    expect((await profiles.findOne({ _id: c }))?.version).toBe(version + 1);
  });

  it('dead-letters an outcome that breaks its contract, with the reason, and goes on', async () => {
    const c = uniqueId('cus_bad');
    const bad = outcome(c, {
      outcomeId: `${c}:bad`,
      outcome: 'maybe' as never,
      categories: ['shoes'],
      channel: 'email',
      occurredAt: ago(1),
    });
    const good = outcome(c, { outcomeId: `${c}:good`, outcome: 'accepted', categories: ['garden'], channel: 'web', occurredAt: ago(1) });
    await send(topics.campaignOutcomes.name, [bad, good]);
    await expectEventually(() => {
      const letter = sut.spy.on(dlq()).find((m) => (m.value as { id?: string } | null)?.id === bad.id);
      expect(letter?.headers[deadLetterHeaders.originalTopic]).toBe(topic(topics.campaignOutcomes.name));
      expect(letter?.headers[deadLetterHeaders.reason]).toBeTruthy();
    });
    await expectEventually(async () => expect(inferred(await needsOf(c), 'affinity.category.garden')).toBeDefined());
  });

  it('does not ask a declined question again for its decline cooldown', async () => {
    const c = uniqueId('cus_q');
    await send(topics.identityEvents.name, [
      resolved(c, 'Preferences Updated', { consents: { personalisation: true, contact: true } }, ago(30)),
    ]);
    // The most valuable question the customer consented to, never asked.
    await expectEventually(async () => expect((await nextQuestion(c))?.questionId).toBe('contact-preferred-channel'));
    // Asked and declined 20 days ago: past the asking cooldown (14 days), within the decline cooldown (90).
    await send(topics.identityEvents.name, [
      resolved(c, 'Question Declined', { questionId: 'contact-preferred-channel', reason: 'prefers not to say' }, ago(20), 'call-centre'),
    ]);
    await expectEventually(async () => {
      const question = await nextQuestion(c);
      expect(question).not.toBeNull();
      expect(question?.questionId).not.toBe('contact-preferred-channel');
    });
  });
});
