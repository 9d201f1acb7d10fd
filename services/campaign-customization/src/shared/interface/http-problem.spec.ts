import { pageOf, pageQuerySchema } from './http-problem';

describe('pageOf', () => {
  const items = ['c', 'a', 'e', 'b', 'd'].map((id) => ({ id }));
  const page = (query: Record<string, string>) => pageOf(items, (i) => i.id, pageQuerySchema.parse(query));

  it('walks every item once, in id order, page by page', () => {
    const first = page({ limit: '2' });
    expect(first).toEqual({ items: [{ id: 'a' }, { id: 'b' }], next: 'b' });
    const second = page({ limit: '2', after: 'b' });
    expect(second).toEqual({ items: [{ id: 'c' }, { id: 'd' }], next: 'd' });
    expect(page({ limit: '2', after: 'd' })).toEqual({ items: [{ id: 'e' }] });
  });

  it('defaults to 100 and refuses limits outside 1..500', () => {
    expect(page({}).items).toHaveLength(5);
    expect(pageQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(pageQuerySchema.safeParse({ limit: '501' }).success).toBe(false);
  });
});
