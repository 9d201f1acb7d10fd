import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** One customer entered or exited one segment. Keyed by customerId, so changes of one customer are ordered. */
export const membershipChangedDataV1 = z
  .object({
    customerId: z.string().min(1).describe('The customer whose membership changed (also the Kafka key and the envelope subject).'),
    segmentId: z.string().min(1).describe('Id of the segment, as managed through /v1/segments.'),
    segmentVersion: z.number().int().positive().describe('Version of the segment definition the membership was computed with.'),
    change: z
      .enum(['entered', 'exited'])
      .describe('entered: the customer now matches the segment at this version; exited: no longer (or the version was replaced).'),
    /** Why: the rule result, or the merge/split/withdrawal that caused it. */
    reason: z.string().describe('Why: the rule result, or the merge, split, consent withdrawal, redefinition or erasure that caused it.'),
    /** When membership changed (time of the profile change that caused it). */
    changedAt: z.iso
      .datetime({ offset: true })
      .describe('When membership changed: the time of the profile change that caused it, not processing time.'),
    /** Per-customer sequence number; strictly increasing, lets consumers detect gaps and reorders. */
    sequence: z
      .number()
      .int()
      .nonnegative()
      .describe(
        'Per-customer sequence number, strictly increasing: a jump means a missed message, a number not above the last applied one a redelivery.',
      ),
  })
  .describe('One customer entered or exited one segment.');
export type MembershipChangedDataV1 = z.infer<typeof membershipChangedDataV1>;
export const membershipChangedV1 = envelopeOf('segment.membership-changed', 1, membershipChangedDataV1);
