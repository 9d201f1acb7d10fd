import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** What identity resolution does with events that arrive later for an erased customer's identifiers. */
export const lateEventPolicies = ['drop', 'anonymous'] as const;
export const lateEventPolicySchema = z.enum(lateEventPolicies);
export type LateEventPolicy = z.infer<typeof lateEventPolicySchema>;

/** Erase everything held about a customer. Keyed by customerId. */
export const erasureRequestedDataV1 = z.object({
  requestId: z.string().min(1),
  customerId: z.string().min(1),
  /** Ids of customers merged into it earlier: their data goes too. */
  mergedIds: z.array(z.string()),
  requestedAt: z.iso.datetime({ offset: true }),
});
export type ErasureRequestedDataV1 = z.infer<typeof erasureRequestedDataV1>;
export const erasureRequestedV1 = envelopeOf('privacy.erasure-requested', 1, erasureRequestedDataV1);

/** Gather everything held about a customer (right of access). Keyed by customerId. */
export const exportRequestedDataV1 = z.object({
  requestId: z.string().min(1),
  customerId: z.string().min(1),
  mergedIds: z.array(z.string()),
  requestedAt: z.iso.datetime({ offset: true }),
});
export type ExportRequestedDataV1 = z.infer<typeof exportRequestedDataV1>;
export const exportRequestedV1 = envelopeOf('privacy.export-requested', 1, exportRequestedDataV1);

/** One service has erased a customer's data. Keyed by requestId. Carries counts, never data. */
export const erasureAcknowledgedDataV1 = z.object({
  requestId: z.string().min(1),
  customerId: z.string().min(1),
  service: z.string().min(1),
  /** What was removed, e.g. { "mongo:purchase_summaries": 1, "redis:keys": 3 } (no dots: the keys are stored as field names). */
  deleted: z.record(z.string().regex(/^[^.$]+$/, 'no "." or "$" in keys'), z.number().int().nonnegative()),
  /** Compacted topics that received tombstones for the customer's keys. */
  tombstonedTopics: z.array(z.string()),
  completedAt: z.iso.datetime({ offset: true }),
});
export type ErasureAcknowledgedDataV1 = z.infer<typeof erasureAcknowledgedDataV1>;
export const erasureAcknowledgedV1 = envelopeOf('privacy.erasure-acknowledged', 1, erasureAcknowledgedDataV1);

/** One service's part of an access export. Keyed by requestId. */
export const exportProvidedDataV1 = z.object({
  requestId: z.string().min(1),
  customerId: z.string().min(1),
  service: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
  providedAt: z.iso.datetime({ offset: true }),
});
export type ExportProvidedDataV1 = z.infer<typeof exportProvidedDataV1>;
export const exportProvidedV1 = envelopeOf('privacy.export-provided', 1, exportProvidedDataV1);
