import { z } from 'zod';

/** The body of a credential rotation (API keys, source write keys): how long the current secret keeps working after it. */
export const rotationSchema = z.strictObject({
  /** Seconds the current secret stays valid after the rotation, so senders can switch (default one day, at most 30 days). */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86400)
    .default(86400),
});
