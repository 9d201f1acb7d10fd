import { applyEvent } from './apply-event';
import { evaluateStage } from './evaluate-stage';
import { emptyProfile, type NeedsProfile } from './needs-profile';
import { defaultProfilingConfig, parseProfilingConfig } from './profiling-config';
import { classifyStage, guidanceFor, stageRulesSchema } from './stage.machine';
import { answered, asked, day, identify, ordered, page, viewed } from './testing/resolved-event.factory';
import type { ResolvedEventDataV1 } from '@o2o/contracts';

const config = defaultProfilingConfig;
const rules = config.stages;

function fold(events: ResolvedEventDataV1[], profile: NeedsProfile = emptyProfile('c-1')): NeedsProfile {
  return events.reduce((p, e) => applyEvent(p, e, config).profile, profile);
}

describe('relationship stage', () => {
  it('starts in prospecting', () => {
    expect(emptyProfile('c-1').stage.current).toBe('prospecting');
    expect(fold([page(undefined, { at: day(0) })]).stage.current).toBe('prospecting');
  });

  it('moves to consideration after enough engagement within the window', () => {
    const p = fold([viewed('shoes', { at: day(0) }), viewed('shoes', { at: day(1) }), viewed('shoes', { at: day(2) })]);
    expect(p.stage.current).toBe('consideration');
    expect(p.stage.reason).toContain(`${rules.consideration.minSignals} engagement signals`);
  });

  it('does not count engagement outside the window', () => {
    const w = rules.consideration.windowDays;
    const p = fold([viewed('shoes', { at: day(0) }), viewed('shoes', { at: day(1) }), viewed('shoes', { at: day(w + 5) })]);
    expect(p.stage.current).toBe('prospecting');
  });

  it('moves to purchase on the first order, with a transition that says why', () => {
    const p = fold([viewed('shoes', { at: day(0) }), ordered({}, { at: day(1), id: 'o1' })]);
    expect(p.stage).toMatchObject({ current: 'purchase', previous: 'prospecting', since: day(1) });
    expect(p.stage.transitions).toEqual([
      expect.objectContaining({
        from: 'prospecting',
        to: 'purchase',
        at: day(1),
        cause: 'event',
        sourceEventId: 'o1',
        reason: expect.stringContaining('1 purchase'),
      }),
    ]);
  });

  it('moves to connection on a repeat purchase', () => {
    expect(fold([ordered({}, { at: day(0) }), ordered({}, { at: day(10) })]).stage.current).toBe('connection');
  });

  it('moves a one-time buyer to connection once they have shared enough about their needs (consents excluded)', () => {
    const base = [
      ordered({}, { at: day(0) }),
      answered('household-children', true, { at: day(1) }),
      answered('work-location', 'home', { at: day(2) }),
    ];
    expect(fold(base).stage.current).toBe('purchase');
    expect(fold([...base, answered('contact-preferred-channel', 'email', { at: day(3) })]).stage.current).toBe('connection');
  });

  it('reaches loyalty only with enough purchases over enough tenure', () => {
    const orders = (start: number) =>
      Array.from({ length: rules.loyalty.minPurchases }, (_, i) => ordered({}, { at: day(start + i * 10) }));
    const quick = fold(orders(0)); // all within 30 days
    expect(quick.stage.current).toBe('connection');
    const tenured = fold([ordered({}, { at: day(0) }), ...orders(rules.loyalty.minTenureDays - 20)]);
    expect(tenured.stage.current).toBe('loyalty');
  });

  it('lapses and is lost when activity stops, evaluated over time', () => {
    const active = fold([ordered({}, { at: day(0) }), ordered({}, { at: day(5) })]);
    const lapsingAt = day(5 + rules.lapsingAfterDays);
    const lostAt = day(5 + rules.lostAfterDays);

    const stillActive = evaluateStage(active, day(5 + rules.lapsingAfterDays - 1), config);
    expect(stillActive.profile.stage.current).toBe('connection');
    expect(stillActive.transition).toBeUndefined();

    const lapsing = evaluateStage(active, lapsingAt, config);
    expect(lapsing.transition).toMatchObject({ from: 'connection', to: 'lapsing', cause: 'time', at: lapsingAt });
    expect(lapsing.profile.stage.reason).toContain(`no activity for ${rules.lapsingAfterDays} days`);

    const lost = evaluateStage(lapsing.profile, lostAt, config);
    expect(lost.transition).toMatchObject({ from: 'lapsing', to: 'lost', cause: 'time' });
  });

  it('comes back from lapsing when the customer is active again', () => {
    const lapsed = evaluateStage(fold([ordered({}, { at: day(0) })]), day(200), config).profile;
    expect(lapsed.stage.current).toBe('lapsing');
    const back = applyEvent(lapsed, page(undefined, { at: day(201) }), config).profile;
    expect(back.stage).toMatchObject({ current: 'purchase', previous: 'lapsing' });
  });

  it('does not let a late, old event undo a time-based transition', () => {
    const lapsed = evaluateStage(fold([ordered({}, { at: day(0) })]), day(200), config).profile;
    const late = applyEvent(lapsed, page(undefined, { at: day(50) }), config).profile;
    expect(late.stage.current).toBe('lapsing');
  });

  it('never moves the clock back', () => {
    const p = evaluateStage(fold([ordered({}, { at: day(0) })]), day(200), config).profile;
    const earlier = evaluateStage(p, day(100), config);
    expect(earlier.changes).toEqual([]);
    expect(earlier.profile).toEqual(p);
  });

  it('does not count our own questions as customer activity', () => {
    const p = fold([ordered({}, { at: day(0) }), asked('household-children', { at: day(150) })]);
    expect(p.activity.lastActivityAt).toBe(day(0));
    expect(p.stage.current).toBe('lapsing');
  });

  it('classifies from the state alone, whatever the stored stage', () => {
    const p = fold([ordered({}, { at: day(0) }), ordered({}, { at: day(1) })]);
    const tampered: NeedsProfile = { ...p, stage: { current: 'loyalty', reason: 'x', transitions: [] } };
    expect(classifyStage(tampered, day(2), rules).stage).toBe('connection');
  });

  it('takes its rules from configuration, validated', () => {
    const custom = parseProfilingConfig({
      stages: { purchase: { minPurchases: 2 }, connection: { minPurchases: 3 }, loyalty: { minPurchases: 3 } },
    });
    const p = [ordered({}, { at: day(0) })].reduce((acc, e) => applyEvent(acc, e, custom).profile, emptyProfile('c-1'));
    expect(p.stage.current).toBe('prospecting');
    expect(stageRulesSchema.safeParse({ lapsingAfterDays: 100, lostAfterDays: 50 }).success).toBe(false);
    expect(stageRulesSchema.safeParse({ connection: { minPurchases: 5 }, loyalty: { minPurchases: 4 } }).success).toBe(false);
  });

  it('keeps a bounded transition log', () => {
    const custom = parseProfilingConfig({ stages: { transitionsKept: 2 } });
    let p = [ordered({}, { at: day(0) })].reduce((acc, e) => applyEvent(acc, e, custom).profile, emptyProfile('c-1'));
    p = evaluateStage(p, day(100), custom).profile; // lapsing
    p = evaluateStage(p, day(400), custom).profile; // lost
    expect(p.stage.transitions.map((t) => t.to)).toEqual(['lapsing', 'lost']);
  });

  it('gives contact frequency and content guidance per stage', () => {
    const lapsing = guidanceFor('lapsing', config.stageGuidance);
    const loyalty = guidanceFor('loyalty', config.stageGuidance);
    expect(lapsing.maxContactsPer30Days).toBeLessThan(loyalty.maxContactsPer30Days);
    expect(lapsing.content.length).toBeGreaterThan(0);
    const custom = parseProfilingConfig({ stageGuidance: { lost: { maxContactsPer30Days: 0, minDaysBetweenContacts: 90, content: [] } } });
    expect(guidanceFor('lost', custom.stageGuidance).maxContactsPer30Days).toBe(0);
    expect(guidanceFor('loyalty', custom.stageGuidance)).toEqual(loyalty);
  });

  it('counts identify calls as activity; technical channels give no channel-usage evidence', () => {
    const p = fold([identify({ hasChildren: true }, { at: day(0), channel: 'kafka' })]);
    expect(p.activity.lastActivityAt).toBe(day(0));
    expect(p.evidence.channels).toEqual([]);
  });
});
