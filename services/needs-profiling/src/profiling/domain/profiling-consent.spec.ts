import { applyEvent } from './apply-event';
import { emptyProfile } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';
import { day, resolvedEvent } from './testing/resolved-event.factory';

describe('profiling consent', () => {
  const config = defaultProfilingConfig;
  const views = Array.from({ length: 6 }, (_, i) =>
    resolvedEvent({ eventType: 'track', event: 'Product Viewed', properties: { category: 'shoes' } }, { at: day(i), id: `view-${i}` }),
  );
  const consent = (granted: boolean, at: number, id: string) =>
    resolvedEvent(
      { eventType: 'track', event: 'Consent Updated', properties: { purpose: 'profiling', granted, channel: '*' } },
      { at: day(at), id },
    );

  function replay(events: ReturnType<typeof resolvedEvent>[]) {
    return events.reduce((profile, event) => applyEvent(profile, event, config).profile, emptyProfile('c-1'));
  }

  it('infers from behaviour while profiling is allowed', () => {
    const profile = replay(views);
    expect(profile.facts.some((f) => f.kind === 'inferred' && f.key.startsWith('affinity.category.'))).toBe(true);
  });

  it('keeps only what the customer said once profiling consent is withdrawn, and records the choice', () => {
    const profile = replay([...views, consent(false, 7, 'withdraw')]);
    expect(profile.facts.filter((f) => f.kind === 'inferred')).toEqual([]);
    expect(profile.archetypes).toEqual([]);
    expect(profile.facts.find((f) => f.key === 'consent.profiling')?.value).toBe(false);
  });

  it('infers again when consent is given back', () => {
    const profile = replay([...views, consent(false, 7, 'withdraw'), consent(true, 8, 'grant')]);
    expect(profile.facts.some((f) => f.kind === 'inferred')).toBe(true);
  });

  it('ignores a consent update without purpose or granted flag', () => {
    const result = applyEvent(
      emptyProfile('c-1'),
      resolvedEvent({ eventType: 'track', event: 'Consent Updated', properties: { purpose: 'profiling' } }),
      config,
    );
    expect(result.skipped.map((s) => s.reason)).toContain('unsupported-value');
  });
});
