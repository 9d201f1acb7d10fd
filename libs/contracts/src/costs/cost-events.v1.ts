import { z } from 'zod';

/**
 * Track events (Segment `track` calls, through ingestion and identity resolution like any other)
 * that cost the company money to serve a customer. value-scoring subtracts what they cost (its
 * cost model) from a customer's value, so value is a margin and can fall below zero.
 *
 * Returns are the Segment e-commerce spec's `Order Refunded` (already a refund of revenue); each
 * one also costs its handling. The events below are the ones the spec has no name for.
 */
export const costTrackEvents = {
  /** A call the call centre or the service desk handled for the customer (complaint, question, repair). */
  serviceCall: 'Service Call Completed',
  /** An outbound contact the company made (a mailing, a call, a message), on the channel it names. */
  contactMade: 'Contact Made',
} as const;

/** Properties of `Service Call Completed`; all optional: the call itself is what costs. */
export const serviceCallCompletedPropertiesV1 = z
  .object({
    /** Why the customer called (free text or a code of the call centre's). */
    reason: z.string().max(200).optional().describe('Why the customer called.'),
    /** The order the call was about, when it was about one. */
    order_id: z.union([z.string(), z.number()]).optional().describe('The order the call was about, if any.'),
    /** How long the call took. */
    durationSeconds: z.number().min(0).optional().describe('Length of the call in seconds.'),
  })
  .describe('Properties of the `Service Call Completed` track event (version 1).');
export type ServiceCallCompletedPropertiesV1 = z.infer<typeof serviceCallCompletedPropertiesV1>;

/** Properties of `Contact Made`. */
export const contactMadePropertiesV1 = z
  .object({
    /** The channel the contact went out on (email, sms, phone, mail, app ...); the event's source channel when absent. */
    channel: z.string().min(1).max(64).optional().describe('Channel the contact went out on; defaults to the source channel.'),
    /** The campaign or mailing the contact belonged to. */
    campaign: z.string().max(200).optional().describe('Campaign or mailing the contact belonged to.'),
  })
  .describe('Properties of the `Contact Made` track event (version 1).');
export type ContactMadePropertiesV1 = z.infer<typeof contactMadePropertiesV1>;
