import { topics } from '@o2o/contracts';
import { expectEventually, uniqueId } from '@o2o/testing';
import { defaultProfilingConfig } from '../src/profiling/domain';
import { NeedsProfileRepository } from '../src/profiling/infrastructure/needs-profile.repository';
import { needsProfilingUnderTest, resolvedEvent } from './needs-profiling.helpers';

const run = uniqueId();
const DAY = 86_400_000;
/** The memory of asked questions: the bank's questions and two more. */
const KEPT = defaultProfilingConfig.questionBank.questions.length + 2;

/**
 * Bounded customers: a busy customer whose channels name ever new questions keeps a profile of
 * bounded size (questionBank.askedKept), the most recently asked kept, the limit counted and logged.
 */
describe('needs profiles are bounded (real Kafka, MongoDB, Redis)', () => {
  const sut = needsProfilingUnderTest(run, { env: { NEEDS_PROFILING_CONFIG: JSON.stringify({ questionBank: { askedKept: KEPT } }) } });

  it('keeps the most recently asked questions of a busy customer up to askedKept, and counts the limit', async () => {
    const customerId = uniqueId('cus_busy');
    const start = Date.now() - 400 * DAY;
    // Three times as many distinct questions as are kept, a day apart, in several requests (several batches).
    const questionIds = Array.from({ length: KEPT * 3 }, (_, i) => `channel-question-${String(i).padStart(3, '0')}`);
    const events = questionIds.map((questionId, i) =>
      resolvedEvent(
        customerId,
        { eventType: 'track', event: 'Question Asked', properties: { questionId } },
        { at: new Date(start + i * DAY).toISOString(), channel: 'call-centre' },
      ),
    );
    for (let i = 0; i < events.length; i += 10) await sut.send(topics.identityEvents.name, events.slice(i, i + 10));
    const newest = questionIds.slice(-KEPT);
    const profiles = sut.service.app.get(NeedsProfileRepository);
    const asked = await expectEventually(
      async () => {
        const profile = (await profiles.find([customerId])).get(customerId)?.profile;
        const ids = (profile?.asked ?? []).map((a) => a.questionId);
        if (!ids.includes(newest[newest.length - 1] ?? '')) throw new Error(`last asking not applied yet (${ids.length} remembered)`);
        return ids;
      },
      { timeoutMs: 60000, intervalMs: 250 },
    );
    expect(asked).toHaveLength(KEPT);
    expect([...asked].sort()).toEqual([...newest].sort());

    const metrics = await (await fetch(`${sut.service.managementUrl}/metrics`)).text();
    const applied = Number(
      /^o2o_needs_customer_limits_applied_total\{[^}]*limit="asked-questions"[^}]*\} (\d+)$/m.exec(metrics)?.[1] ?? '0',
    );
    expect(applied).toBeGreaterThanOrEqual(1);
  }, 120000);
});
