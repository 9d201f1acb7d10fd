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
