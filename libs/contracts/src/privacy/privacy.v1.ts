import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';

/** What identity resolution does with events that arrive later for an erased customer's identifiers. */
export const lateEventPolicies = ['drop', 'anonymous'] as const;
export const lateEventPolicySchema = z.enum(lateEventPolicies);
export type LateEventPolicy = z.infer<typeof lateEventPolicySchema>;

/** Erase everything held about a customer. Keyed by customerId. */
export const erasureRequestedDataV1 = z
  .object({
    requestId: z.string().min(1).describe('Id of the privacy request (GET /v1/privacy/requests/{id}).'),
    customerId: z.string().min(1).describe('The customer to erase (also the Kafka key).'),
    /** Ids of customers merged into it earlier: their data goes too. */
    mergedIds: z.array(z.string()).describe('Ids of customers merged into it earlier: their data goes too.'),
    requestedAt: z.iso.datetime({ offset: true }).describe('When the request was made.'),
  })
  .describe('Erase everything held about a customer.');
export type ErasureRequestedDataV1 = z.infer<typeof erasureRequestedDataV1>;
export const erasureRequestedV1 = envelopeOf('privacy.erasure-requested', 1, erasureRequestedDataV1);

/** Gather everything held about a customer (right of access). Keyed by customerId. */
export const exportRequestedDataV1 = z
  .object({
    requestId: z.string().min(1).describe('Id of the privacy request (GET /v1/privacy/requests/{id}).'),
    customerId: z.string().min(1).describe('The customer whose data is exported (also the Kafka key).'),
    mergedIds: z.array(z.string()).describe('Ids of customers merged into it earlier: their data is included.'),
    requestedAt: z.iso.datetime({ offset: true }).describe('When the request was made.'),
  })
  .describe('Gather everything held about a customer (right of access).');
export type ExportRequestedDataV1 = z.infer<typeof exportRequestedDataV1>;
export const exportRequestedV1 = envelopeOf('privacy.export-requested', 1, exportRequestedDataV1);

/** One service has erased a customer's data. Keyed by requestId. Carries counts, never data. */
export const erasureAcknowledgedDataV1 = z
  .object({
    requestId: z.string().min(1).describe('The request answered (also the Kafka key).'),
    customerId: z.string().min(1).describe('The erased customer.'),
    service: z.string().min(1).describe('The service answering.'),
    /** What was removed, e.g. { "mongo:purchase_summaries": 1, "redis:keys": 3 } (no dots: the keys are stored as field names). */
    deleted: z
      .record(z.string().regex(/^[^.$]+$/, 'no "." or "$" in keys'), z.number().int().nonnegative())
      .describe('What was removed, by store, e.g. { "mongo:purchase_summaries": 1, "redis:keys": 3 }.'),
    /** Compacted topics that received tombstones for the customer's keys. */
    tombstonedTopics: z.array(z.string()).describe("Compacted topics that received tombstones for the customer's keys."),
    completedAt: z.iso.datetime({ offset: true }).describe('When the service finished.'),
  })
  .describe("One service has erased a customer's data; counts only, never data.");
export type ErasureAcknowledgedDataV1 = z.infer<typeof erasureAcknowledgedDataV1>;
export const erasureAcknowledgedV1 = envelopeOf('privacy.erasure-acknowledged', 1, erasureAcknowledgedDataV1);

/** One service's part of an access export. Keyed by requestId. */
export const exportProvidedDataV1 = z
  .object({
    requestId: z.string().min(1).describe('The request answered (also the Kafka key).'),
    customerId: z.string().min(1).describe('The customer exported.'),
    service: z.string().min(1).describe('The service answering.'),
    data: z.record(z.string(), z.unknown()).describe('Everything the service holds about the customer, by collection or store.'),
    providedAt: z.iso.datetime({ offset: true }).describe('When the service answered.'),
  })
  .describe("One service's part of an access export.");
export type ExportProvidedDataV1 = z.infer<typeof exportProvidedDataV1>;
export const exportProvidedV1 = envelopeOf('privacy.export-provided', 1, exportProvidedDataV1);
