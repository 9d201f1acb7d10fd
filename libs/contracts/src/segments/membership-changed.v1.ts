import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** One customer entered or exited one segment. Keyed by customerId, so changes of one customer are ordered. */
export const membershipChangedDataV1 = z.object({
  customerId: z.string().min(1),
  segmentId: z.string().min(1),
  segmentVersion: z.number().int().positive(),
  change: z.enum(['entered', 'exited']),
  /** Why: the rule result, or the merge/split/withdrawal that caused it. */
  reason: z.string(),
  /** When membership changed (time of the profile change that caused it). */
  changedAt: z.iso.datetime({ offset: true }),
  /** Per-customer sequence number; strictly increasing, lets consumers detect gaps and reorders. */
  sequence: z.number().int().nonnegative(),
});
export type MembershipChangedDataV1 = z.infer<typeof membershipChangedDataV1>;
export const membershipChangedV1 = envelopeOf('segment.membership-changed', 1, membershipChangedDataV1);
