import { z } from 'zod';

/** Query of GET /v1/reports/most-growable. */
export const growableQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** The previous page's `next`. */
    after: z
      .string()
      .regex(/^-?\d+(\.\d+)?(e[-+]?\d+)?:.+$/i, 'expected the `next` of the previous page')
      .optional(),
  })
  .strict();
