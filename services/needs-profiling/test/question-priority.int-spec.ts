import { NeedsProfiledDataV1, topics, type ValueTier } from '@o2o/contracts';
import { createEnvelope } from '@o2o/kafka';
import { expectEventually, uniqueId } from '@o2o/testing';
import { needsProfilingUnderTest, resolvedEvent } from './needs-profiling.helpers';

const run = uniqueId();

/**
 * Value states reach needs-profiling on value.scores.v1 (as value-scoring publishes them): the
 * customer's tier weighs the published next question's value, so learning starts with the most
 * valuable customers; an older state never replaces a newer one; a tombstone takes the weight away.
 */
describe("needs-profiling weighs questions by the customer's value (real Kafka, MongoDB, Redis)", () => {
  const profilesTopic = `${run}.${topics.needsProfiles.name}`;
  const sut = needsProfilingUnderTest(run, { spyOn: () => [profilesTopic] });

  const preferences = (customerId: string, at: string) =>
    resolvedEvent(
      customerId,
      {
        eventType: 'track',
        event: 'Preferences Updated',
        properties: { preferences: {}, consents: { contact: true, personalisation: true } },
      },
      { at },
    );
  const scored = (customerId: string, tier: ValueTier, at: string, strategicValue = 0) =>
    createEnvelope({
      type: 'customer.value-scored',
      version: 1,
      source: '/services/value-scoring',
      subject: customerId,
      id: uniqueId('v'),
      time: at,
      data: {
        customerId,
        actualValue: 100,
        strategicValue,
        tier,
        purchases: 1,
        revenue: 100,
        currency: 'EUR',
        modelVersion: 'test',
        reasons: [],
        updatedAt: at,
      },
    });
  const send = sut.send;
  const published = (key: string) =>
    sut.spy
      .on(profilesTopic)
      .filter((m) => m.key === key)
      .map((m) => (m.value as { data: NeedsProfiledDataV1 } | null)?.data);
  const apiQuestion = async (id: string) =>
    (await sut.get<{ question: { questionId: string; value: number } | null }>(`/v1/customers/${id}/next-question?channel=web`)).body
      .question;

  it('republishes the next question with the weight of the tier, ignores an older state, and drops the weight on a tombstone', async () => {
    const c = uniqueId('cus_v');
    const now = Date.now();
    await send(topics.identityEvents.name, [preferences(c, new Date(now - 60_000).toISOString())]);
    const first = await expectEventually(() => {
      const data = published(c).at(-1);
      expect(data?.nextQuestion).toBeDefined();
      return data;
    });
    const base = first?.nextQuestion?.value ?? 0;
    expect(base).toBeGreaterThan(0);
    const { A, C } = sut.config.profiling.questionBank.priority.tierWeights;

    await send(topics.valueScores.name, [scored(c, 'A', new Date(now).toISOString())]);
    await expectEventually(() => expect(published(c).at(-1)?.nextQuestion?.value).toBe(base * A));
    expect((await apiQuestion(c))?.value).toBe(base * A);

    // An older state arriving late changes nothing; a newer one does.
    await send(topics.valueScores.name, [
      scored(c, 'D', new Date(now - 30_000).toISOString()),
      scored(c, 'C', new Date(now + 1000).toISOString()),
    ]);
    await expectEventually(() => expect(published(c).at(-1)?.nextQuestion?.value).toBe(base * C));
    expect(published(c).some((d) => d?.nextQuestion?.value === base * sut.config.profiling.questionBank.priority.tierWeights.D)).toBe(
      false,
    );

    // Room to grow above what the customer is worth now: the growth weight.
    await send(topics.valueScores.name, [scored(c, 'C', new Date(now + 2000).toISOString(), 500)]);
    await expectEventually(() =>
      expect(published(c).at(-1)?.nextQuestion?.value).toBe(base * Math.max(C, sut.config.profiling.questionBank.priority.growthWeight)),
    );

    await sut.producer.send({ topic: sut.topic(topics.valueScores.name), acks: -1, messages: [{ key: c, value: null }] });
    await expectEventually(async () =>
      expect((await apiQuestion(c))?.value).toBe(base * sut.config.profiling.questionBank.priority.unscoredWeight),
    );
  });
});
