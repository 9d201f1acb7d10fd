import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** Validates a request body with zod; a failure is a 400 naming each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? undefined);
  if (parsed.success) return parsed.data;
  throw new BadRequestException({
    code: 'invalid_request',
    message: 'invalid request body',
    issues: parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
  });
}
