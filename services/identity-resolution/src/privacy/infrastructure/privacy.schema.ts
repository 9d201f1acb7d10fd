import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { PrivacyAcknowledgement, PrivacyRequestRecord } from '../application/ports/privacy-records.port';

/** An access or erasure request and each service's answer. */
@Schema({ collection: 'privacy_requests', versionKey: false })
export class PrivacyRequest implements PrivacyRequestRecord {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, enum: ['erasure', 'export'] }) kind!: 'erasure' | 'export';
  /** Kept while the request runs (exports are assembled by it); removed when an erasure completes. */
  @Prop({ type: String }) customerId?: string;
  @Prop({ type: String, required: true }) customerPseudonym!: string;
  @Prop({ type: [String], required: true }) expectedServices!: string[];
  /** Per service: when it answered and what it removed (counts only). */
  @Prop({ type: Object, default: {} }) acknowledgements!: Record<string, PrivacyAcknowledgement>;
  /** Export parts, removed as soon as the export has been served. */
  @Prop({ type: Object, default: {} }) parts!: Record<string, unknown>;
  /** When the export was served or given up: parts arriving later are discarded, never stored. */
  @Prop({ type: Date }) partsClosedAt?: Date;
  @Prop({ type: String, required: true, enum: ['pending', 'completed'] }) status!: 'pending' | 'completed';
  @Prop({ type: Date, required: true }) requestedAt!: Date;
  @Prop({ type: Date }) completedAt?: Date;
  /**
   * Outbox: 'pending' from the request's creation until Kafka acknowledged its event, which is
   * stored beside it (`outboxJson`: key and envelope) in the same document write, so a crash
   * between the write and the publish leaves the event to the relay instead of losing it.
   */
  @Prop({ type: String, index: true }) outbox?: 'pending';
  @Prop({ type: String }) outboxJson?: string;
}
export const PrivacyRequestSchema = SchemaFactory.createForClass(PrivacyRequest);

/** Identifiers of erased customers, as keyed hashes: later events carrying them meet the late-event policy. */
@Schema({ collection: 'erased_identifiers', versionKey: false })
export class ErasedIdentifier {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) requestId!: string;
  @Prop({ type: Date, required: true }) erasedAt!: Date;
}
export const ErasedIdentifierSchema = SchemaFactory.createForClass(ErasedIdentifier);

/** Who asked what and when, without personal data (the customer appears only as a keyed hash). */
@Schema({ collection: 'privacy_audit', versionKey: false })
export class PrivacyAudit {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) requestId!: string;
  @Prop({ type: String, required: true, enum: ['erasure', 'export'] }) kind!: 'erasure' | 'export';
  @Prop({ type: String, required: true, enum: ['requested', 'acknowledged', 'completed', 'served', 'timed-out'] }) action!: string;
  @Prop({ type: String, required: true }) customerPseudonym!: string;
  @Prop({ type: String }) service?: string;
  @Prop({ type: String, required: true }) identifierType!: string;
  @Prop({ type: Date, required: true }) at!: Date;
}
export const PrivacyAuditSchema = SchemaFactory.createForClass(PrivacyAudit);
