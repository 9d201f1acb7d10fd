import fc from 'fast-check';
import { applyEvent } from './apply-event';
import { emptyProfile } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';
import { toPublishedProfile } from './published-profile.mapper';
import { nextQuestion } from './question-bank';
import { questionWeight, type CustomerValue } from './question-priority';
import { day, preferences } from './testing/resolved-event.factory';

const config = defaultProfilingConfig;
const priority = config.questionBank.priority;
const value = (tier: CustomerValue['tier'], actualValue = 100, strategicValue = 0): CustomerValue => ({
  tier,
  actualValue,
  strategicValue,
  updatedAt: day(0),
});

describe('question priority by customer value', () => {
  it('weighs tiers A above B above C above D, unscored customers as configured', () => {
    const weights = (['A', 'B', 'C', 'D'] as const).map((t) => questionWeight(value(t), priority));
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    expect(new Set(weights).size).toBe(4);
    expect(questionWeight(undefined, priority)).toBe(priority.unscoredWeight);
  });

  it('raises a customer with more room to grow than they are worth now to the growth weight, never lowers one', () => {
    expect(questionWeight(value('C', 100, 500), priority)).toBe(Math.max(priority.tierWeights.C, priority.growthWeight));
    expect(questionWeight(value('D', -20, 10), priority)).toBe(Math.max(priority.tierWeights.D, priority.growthWeight));
    expect(questionWeight(value('C', 100, 50), priority)).toBe(priority.tierWeights.C);
    expect(questionWeight(value('A', 100, 500), priority)).toBe(Math.max(priority.tierWeights.A, priority.growthWeight));
    fc.assert(
      fc.property(
        fc.constantFrom('A', 'B', 'C', 'D' as const),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (tier, actual, strategic) => {
          expect(questionWeight(value(tier, actual, strategic), priority)).toBeGreaterThanOrEqual(priority.tierWeights[tier]);
        },
      ),
    );
  });

  it("scales the next question's value by the weight without changing which question is asked", () => {
    const profile = applyEvent(
      emptyProfile('c-1'),
      preferences({}, { contact: true, personalisation: true }, { at: day(0) }),
      config,
    ).profile;
    const context = { consentedPurposes: ['contact', 'personalisation'], now: day(1) };
    const plain = nextQuestion(profile, context, config.questionBank);
    const weighted = nextQuestion(profile, { ...context, weight: 3 }, config.questionBank);
    expect(plain).toBeDefined();
    expect(weighted?.questionId).toBe(plain?.questionId);
    expect(weighted?.value).toBe((plain?.value ?? 0) * 3);
    const publishedA = toPublishedProfile(profile, config, {
      consentedPurposes: context.consentedPurposes,
      now: day(1),
      customerValue: value('A'),
    });
    const publishedD = toPublishedProfile(profile, config, {
      consentedPurposes: context.consentedPurposes,
      now: day(1),
      customerValue: value('D'),
    });
    expect(publishedA.nextQuestion?.value).toBe((plain?.value ?? 0) * priority.tierWeights.A);
    expect(publishedA.nextQuestion?.value).toBeGreaterThan(publishedD.nextQuestion?.value ?? Infinity);
  });
});
