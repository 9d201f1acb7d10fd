import { HttpException } from '@nestjs/common';
import { z } from 'zod';

export interface ProblemIssue {
  field: string;
  message: string;
}

/** The platform's error body: { success: false, error: { code, message, issues? } }. */
export function problem(status: number, code: string, message: string, issues: ProblemIssue[] = []): HttpException {
  return new HttpException({ success: false, error: { code, message, ...(issues.length > 0 ? { issues } : {}) } }, status);
}

export function invalid(issues: ProblemIssue[]): HttpException {
  return problem(400, 'invalid_request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

export function notFound(message: string): HttpException {
  return problem(404, 'not_found', message);
}

/** Parses a JSON body (already decoded by Fastify) with a zod schema; 400 naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })));
  return parsed.data;
}

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
