import { applyEvent } from './apply-event';
import { emptyProfile } from './needs-profile';
import { defaultProfilingConfig } from './profiling-config';
import { day, ordered, viewed, page, answered } from './testing/resolved-event.factory';
it('bench', () => {
  const events = [];
  for (let i = 0; i < 2000; i++) {
    const k = i % 4;
    events.push(k === 0 ? viewed(`cat${i % 17}`, { at: day(i / 5), id: `v${i}` }) : k === 1 ? ordered({ categories: [`cat${i % 13}`, 'x'] }, { at: day(i / 5), id: `o${i}` }) : k === 2 ? page('home', { at: day(i / 5), id: `p${i}` }) : answered('work-location', 'home', { at: day(i / 5), id: `a${i}` }));
  }
  let p = emptyProfile('c-1');
  const t0 = performance.now();
  for (const e of events) p = applyEvent(p, e, defaultProfilingConfig).profile;
  const t1 = performance.now();
  console.log('per event ms', (t1 - t0) / events.length, p.evidence.categories.length, p.evidence.purchases.length, JSON.stringify(p).length);
});
