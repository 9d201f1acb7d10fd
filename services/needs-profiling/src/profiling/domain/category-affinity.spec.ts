import { deriveCategoryAffinities } from './category-affinity';
import { evidenceOf } from './evidence';
import type { CategorySignal } from './needs-profile';
import { defaultProfilingConfig, parseProfilingConfig } from './profiling-config';
import { day, page, track, viewed, ordered } from './testing/resolved-event.factory';

const config = defaultProfilingConfig.affinity;

function signal(category: string, at: string, weight = 1, id = `${category}@${at}`): CategorySignal {
  return { id, eventId: id, at, channel: 'web', category, weight };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

describe('category affinity', () => {
  it('halves the weight of a signal one half-life old', () => {
    // halfLifeDays = 30: a view 30 days ago counts 0.5, a view today counts 1.
    const facts = deriveCategoryAffinities([signal('shoes', day(0)), signal('books', day(30))], day(30), config);
    const byKey = new Map(facts.map((f) => [f.key, f]));
    expect(byKey.get('affinity.category.shoes')?.value).toBe(round3(0.5 / 1.5));
    expect(byKey.get('affinity.category.books')?.value).toBe(round3(1 / 1.5));
    // Confidence saturates at confidenceHalfWeight = 5.
    expect(byKey.get('affinity.category.shoes')?.confidence).toBe(round3(0.5 / 5.5));
    expect(byKey.get('affinity.category.books')?.confidence).toBe(round3(1 / 6));
  });

  it('keeps shares but lowers confidence as the customer goes quiet', () => {
    const signals = [signal('shoes', day(0)), signal('books', day(0)), signal('books', day(0), 1, 'b2')];
    const now = deriveCategoryAffinities(signals, day(0), config);
    const later = deriveCategoryAffinities(signals, day(60), config);
    expect(later.map((f) => f.value)).toEqual(now.map((f) => f.value));
    const books = later.find((f) => f.key === 'affinity.category.books');
    // Two views, two half-lives later: weight 2 * 0.25 = 0.5.
    expect(books?.confidence).toBe(round3(0.5 / 5.5));
  });

  it('weighs purchases over views as configured', () => {
    const evidence = [
      ...evidenceOf(viewed('Shoes', { at: day(0) }), defaultProfilingConfig).categories,
      ...evidenceOf(ordered({ categories: ['Books'] }, { at: day(0) }), defaultProfilingConfig).categories,
    ];
    const facts = deriveCategoryAffinities(evidence, day(0), config);
    // Product Viewed weighs 1, Order Completed weighs 5.
    expect(facts.find((f) => f.key === 'affinity.category.books')?.value).toBe(round3(5 / 6));
    expect(facts.find((f) => f.key === 'affinity.category.shoes')?.value).toBe(round3(1 / 6));
  });

  it('drops categories under the minimum share and keeps only the strongest few', () => {
    const custom = parseProfilingConfig({ affinity: { maxCategories: 2, minShare: 0.2 } }).affinity;
    const signals = [
      ...Array.from({ length: 5 }, (_, i) => signal('a', day(0), 1, `a${i}`)),
      ...Array.from({ length: 3 }, (_, i) => signal('b', day(0), 1, `b${i}`)),
      ...Array.from({ length: 2 }, (_, i) => signal('c', day(0), 1, `c${i}`)),
      signal('d', day(0)),
    ];
    // Shares: a 5/11, b 3/11, c 2/11 (< 0.2), d 1/11 (< 0.2).
    expect(deriveCategoryAffinities(signals, day(0), custom).map((f) => f.key)).toEqual(['affinity.category.a', 'affinity.category.b']);
  });

  it('dates the fact by the latest signal of the category and names its event and channel', () => {
    const facts = deriveCategoryAffinities(
      [signal('shoes', day(1), 1, 'early'), { ...signal('shoes', day(5), 1, 'late#shoes'), eventId: 'late', channel: 'app' }],
      day(6),
      config,
    );
    expect(facts[0]).toMatchObject({
      kind: 'inferred',
      observedAt: day(5),
      sourceEventId: 'late',
      channel: 'app',
      purpose: 'personalisation',
    });
  });

  it('reads categories from products, product properties and page categories, slugged', () => {
    const fromOrder = evidenceOf(ordered({ categories: ['Home Office', 'home_office', 'Travel'] }, { id: 'o1' }), defaultProfilingConfig);
    expect(fromOrder.categories.map((s) => s.id).sort()).toEqual(['o1#home-office', 'o1#travel']);
    const fromPage = evidenceOf(page('Garden & Outdoor', { id: 'p1' }), defaultProfilingConfig);
    expect(fromPage.categories).toEqual([expect.objectContaining({ category: 'garden-outdoor', weight: config.pageViewWeight })]);
    const unrelated = evidenceOf(track('Newsletter Opened', { category: 'shoes' }), defaultProfilingConfig);
    expect(unrelated.categories).toEqual([]);
  });
});
