import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';
import { receivedEventDataV1 } from '../ingestion/event-received.v1';

/** A typed identifier after normalisation (e-mail lower-cased, phone in E.164...). */
export const identifierV1 = z.object({
  /** Identifier type: userId, anonymousId, email, phone, loyaltyCard, ... or a type declared in configuration. */
  type: z.string().min(1).max(64),
  /** Normalised value. */
  value: z.string().min(1).max(512),
});
export type IdentifierV1 = z.infer<typeof identifierV1>;

/** An ingested event with the customer it belongs to. Keyed by customerId. */
export const resolvedEventDataV1 = receivedEventDataV1.extend({
  /** The customer this event belongs to (the surviving id if customers were merged). */
  customerId: z.string().min(1),
  /** Identifiers this event carried, normalised. */
  identifiers: z.array(identifierV1),
});
export type ResolvedEventDataV1 = z.infer<typeof resolvedEventDataV1>;
export const eventResolvedV1 = envelopeOf('customer-event.resolved', 1, resolvedEventDataV1);
export type EventResolvedV1 = z.infer<typeof eventResolvedV1>;

/** Two customers found to be one: everything of mergedId now belongs to survivorId. Keyed by survivorId. */
export const customerMergedDataV1 = z.object({
  survivorId: z.string().min(1),
  mergedId: z.string().min(1),
  /** Why: the rule or score that linked them. */
  reason: z.string(),
  /** The identifier that linked them, when deterministic. */
  evidence: z.array(identifierV1).default([]),
  score: z.number().optional(),
  mergedAt: z.iso.datetime({ offset: true }),
});
export type CustomerMergedDataV1 = z.infer<typeof customerMergedDataV1>;
export const customerMergedV1 = envelopeOf('customer.merged', 1, customerMergedDataV1);

/** A wrong merge undone: the customer splits back into the listed customers. Keyed by customerId. */
export const customerSplitDataV1 = z.object({
  customerId: z.string().min(1),
  /** The customers it splits into, each with its identifiers; the first keeps customerId. */
  parts: z.array(z.object({ customerId: z.string().min(1), identifiers: z.array(identifierV1) })).min(2),
  reason: z.string(),
  splitAt: z.iso.datetime({ offset: true }),
});
export type CustomerSplitDataV1 = z.infer<typeof customerSplitDataV1>;
export const customerSplitV1 = envelopeOf('customer.split', 1, customerSplitDataV1);

/** Full identity state of one customer; compacted topic, tombstone on erasure or merge-away. */
export const identitySnapshotDataV1 = z.object({
  customerId: z.string().min(1),
  identifiers: z.array(identifierV1),
  /** Ids of customers merged into this one. */
  mergedIds: z.array(z.string()),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type IdentitySnapshotDataV1 = z.infer<typeof identitySnapshotDataV1>;
export const identitySnapshotV1 = envelopeOf('identity.snapshot', 1, identitySnapshotDataV1);
