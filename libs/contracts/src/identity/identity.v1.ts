import { z } from 'zod';
import { envelopeOf } from '../envelope/envelope';
import { receivedEventDataV1 } from '../ingestion/event-received.v1';

/** A typed identifier after normalisation (e-mail lower-cased, phone in E.164...). */
export const identifierV1 = z
  .object({
    /** Identifier type: userId, anonymousId, email, phone, loyaltyCard, ... or a type declared in configuration. */
    type: z
      .string()
      .min(1)
      .max(64)
      .describe('Identifier type: userId, anonymousId, email, phone, loyaltyCard, ... or a type declared in configuration.'),
    /** Normalised value. */
    value: z.string().min(1).max(512).describe('Normalised value (e-mail lower-cased, phone in E.164, ...).'),
  })
  .describe('A typed identifier after normalisation.');
export type IdentifierV1 = z.infer<typeof identifierV1>;

/** An ingested event with the customer it belongs to. Keyed by customerId. */
export const resolvedEventDataV1 = receivedEventDataV1
  .extend({
    /** The customer this event belongs to (the surviving id if customers were merged). */
    customerId: z.string().min(1).describe('The customer this event belongs to (the surviving id if customers were merged).'),
    /** Identifiers this event carried, normalised. */
    identifiers: z.array(identifierV1).describe('Identifiers this event carried, normalised.'),
  })
  .describe('An ingested event with the customer it belongs to.');
export type ResolvedEventDataV1 = z.infer<typeof resolvedEventDataV1>;
export const eventResolvedV1 = envelopeOf('customer-event.resolved', 1, resolvedEventDataV1);
export type EventResolvedV1 = z.infer<typeof eventResolvedV1>;

/** Two customers found to be one: everything of mergedId now belongs to survivorId. Keyed by survivorId. */
export const customerMergedDataV1 = z
  .object({
    survivorId: z.string().min(1).describe('The customer that remains (also the Kafka key).'),
    mergedId: z.string().min(1).describe('The customer that ceases to exist; later events carrying it belong to survivorId.'),
    /** Why: the rule or score that linked them. */
    reason: z.string().describe('Why: the rule or score that linked them.'),
    /** The identifier that linked them, when deterministic. */
    evidence: z.array(identifierV1).default([]).describe('The identifiers that linked them, when deterministic.'),
    score: z.number().optional().describe('Match score, when the link was probabilistic.'),
    mergedAt: z.iso.datetime({ offset: true }).describe('When the merge was decided.'),
  })
  .describe('Two customers found to be one: everything of mergedId now belongs to survivorId.');
export type CustomerMergedDataV1 = z.infer<typeof customerMergedDataV1>;
export const customerMergedV1 = envelopeOf('customer.merged', 1, customerMergedDataV1);

/** A wrong merge undone: the customer splits back into the listed customers. Keyed by customerId. */
export const customerSplitDataV1 = z
  .object({
    customerId: z.string().min(1).describe('The customer being split (also the Kafka key).'),
    /** The customers it splits into, each with its identifiers; the first keeps customerId. */
    parts: z
      .array(
        z.object({
          customerId: z.string().min(1).describe('Id of this part.'),
          identifiers: z.array(identifierV1).describe('Identifiers that go with this part.'),
        }),
      )
      .min(2)
      .describe('The customers it splits into, each with its identifiers; the first keeps customerId.'),
    reason: z.string().describe('Why the merge was undone.'),
    splitAt: z.iso.datetime({ offset: true }).describe('When the split was decided.'),
  })
  .describe('A wrong merge undone: the customer splits back into the listed customers.');
export type CustomerSplitDataV1 = z.infer<typeof customerSplitDataV1>;
export const customerSplitV1 = envelopeOf('customer.split', 1, customerSplitDataV1);

/** Full identity state of one customer; compacted topic, tombstone on erasure or merge-away. */
export const identitySnapshotDataV1 = z
  .object({
    customerId: z.string().min(1).describe('The customer (also the Kafka key).'),
    identifiers: z.array(identifierV1).describe('Every identifier the customer is known by.'),
    /** Ids of customers merged into this one. */
    mergedIds: z.array(z.string()).describe('Ids of customers merged into this one.'),
    updatedAt: z.iso.datetime({ offset: true }).describe('When the identity last changed.'),
  })
  .describe('Full identity state of one customer.');
export type IdentitySnapshotDataV1 = z.infer<typeof identitySnapshotDataV1>;
export const identitySnapshotV1 = envelopeOf('identity.snapshot', 1, identitySnapshotDataV1);
