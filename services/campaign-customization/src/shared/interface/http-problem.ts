import { z } from 'zod';

// The platform's one error body and body parsing (libs/runtime), under the names campaign's controllers use.
export { HttpProblem, invalidRequest as invalid, notFound, parseBody, problem, type ProblemIssue } from '@o2o/runtime';

/** `?limit=&after=` of the list routes: pages in id order; `after` is the `next` of the page before. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z.string().min(1).max(200).optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

/** One page of items sorted by id: the first `limit` after the cursor, and the cursor of the next page if there is one. */
export function pageOf<T>(items: readonly T[], idOf: (item: T) => string, page: PageQuery): { items: T[]; next?: string } {
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const rest = page.after === undefined ? sorted : sorted.filter((item) => idOf(item) > (page.after ?? ''));
  const taken = rest.slice(0, page.limit);
  const last = taken[taken.length - 1];
  return rest.length > page.limit && last !== undefined ? { items: taken, next: idOf(last) } : { items: taken };
}
