import type { NeedsFactV1, NeedsProfiledDataV1 } from '@o2o/contracts';
import { isMaterialChange, materialChanges } from './material-change';
import { defaultProfilingConfig } from './profiling-config';

const thresholds = defaultProfilingConfig.materiality;

const fact = (key: string, value: NeedsFactV1['value'], overrides: Partial<NeedsFactV1> = {}): NeedsFactV1 => ({
  key,
  value,
  kind: 'explicit',
  channel: 'web',
  purpose: 'personalisation',
  confidence: 1,
  observedAt: '2024-01-01T00:00:00.000Z',
  sourceEventId: 'e1',
  ...overrides,
});

const base: NeedsProfiledDataV1 = {
  customerId: 'c-1',
  stage: 'purchase',
  stageReason: '1 purchase',
  facts: [fact('work.location', 'home'), fact('affinity.category.shoes', 0.5, { kind: 'inferred', confidence: 0.5 })],
  archetypes: ['works-from-home'],
  nextQuestion: { questionId: 'q1', factKey: 'k1', purpose: 'contact', value: 10 },
  unknown: ['k1'],
  updatedAt: '2024-01-02T00:00:00.000Z',
};

describe('material change', () => {
  it('publishes the first profile', () => {
    expect(materialChanges(undefined, base, thresholds)).toEqual([{ kind: 'first-publication' }]);
  });

  it('ignores what consumers do not need to hear about', () => {
    const next: NeedsProfiledDataV1 = {
      ...base,
      stageReason: '1 purchase, more engagement',
      updatedAt: '2024-02-01T00:00:00.000Z',
      facts: [
        // Restated with the same value, on another channel, later.
        fact('work.location', 'home', { observedAt: '2024-01-20T00:00:00.000Z', sourceEventId: 'e9', channel: 'store' }),
        // Drift below the thresholds.
        fact('affinity.category.shoes', 0.5 + thresholds.valueDelta / 2, {
          kind: 'inferred',
          confidence: 0.5 + thresholds.confidenceDelta / 2,
        }),
      ],
      archetypes: [...base.archetypes],
    };
    expect(isMaterialChange(base, next, thresholds)).toBe(false);
  });

  it('reacts to stage, facts, archetypes, next question and unknowns', () => {
    expect(materialChanges(base, { ...base, stage: 'connection' }, thresholds)).toEqual([
      { kind: 'stage', from: 'purchase', to: 'connection' },
    ]);
    expect(materialChanges(base, { ...base, facts: [...base.facts, fact('household.children', true)] }, thresholds)).toEqual([
      { kind: 'fact-added', key: 'household.children' },
    ]);
    expect(materialChanges(base, { ...base, facts: base.facts.slice(1) }, thresholds)).toEqual([
      { kind: 'fact-removed', key: 'work.location' },
    ]);
    expect(materialChanges(base, { ...base, facts: [fact('work.location', 'office'), base.facts[1] ?? fact('x', 1)] }, thresholds)).toEqual(
      [{ kind: 'fact-changed', key: 'work.location' }],
    );
    expect(materialChanges(base, { ...base, archetypes: [] }, thresholds)).toEqual([{ kind: 'archetypes' }]);
    const { nextQuestion: _dropped, ...withoutQuestion } = base;
    expect(materialChanges(base, withoutQuestion, thresholds)).toEqual([{ kind: 'next-question', from: 'q1' }]);
    expect(materialChanges(base, { ...base, unknown: [] }, thresholds)).toEqual([{ kind: 'unknown' }]);
  });

  it('lets small drifts add up against what was last published', () => {
    const step = thresholds.valueDelta * 0.6;
    const drifted = (value: number): NeedsProfiledDataV1 => ({
      ...base,
      facts: [base.facts[0] ?? fact('x', 1), fact('affinity.category.shoes', value, { kind: 'inferred', confidence: 0.5 })],
    });
    expect(isMaterialChange(base, drifted(0.5 + step), thresholds)).toBe(false);
    expect(isMaterialChange(base, drifted(0.5 + 2 * step), thresholds)).toBe(true);
  });

  it('treats a change of kind or purpose as material', () => {
    expect(
      isMaterialChange(
        base,
        { ...base, facts: [fact('work.location', 'home', { purpose: 'service' }), ...base.facts.slice(1)] },
        thresholds,
      ),
    ).toBe(true);
    expect(
      isMaterialChange(base, { ...base, facts: [fact('work.location', 'home', { kind: 'inferred' }), ...base.facts.slice(1)] }, thresholds),
    ).toBe(true);
  });

  it("republishes when the next question's priority or the stage's contact guidance changes", () => {
    expect(
      materialChanges(base, { ...base, nextQuestion: { questionId: 'q1', factKey: 'k1', purpose: 'contact', value: 30 } }, thresholds),
    ).toEqual([{ kind: 'next-question-priority', questionId: 'q1' }]);
    const guidance = { maxContactsPer30Days: 2, minDaysBetweenContacts: 7, content: ['intro'] };
    expect(materialChanges(base, { ...base, stageGuidance: guidance }, thresholds)).toEqual([{ kind: 'stage-guidance' }]);
    expect(materialChanges({ ...base, stageGuidance: guidance }, { ...base, stageGuidance: { ...guidance } }, thresholds)).toEqual([]);
  });
});
