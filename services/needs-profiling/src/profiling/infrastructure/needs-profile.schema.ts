import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { NeedsProfiledDataV1 } from '@o2o/contracts';
import type { NeedsProfile } from '../domain';

/**
 * One applied event, kept so that a split can replay each part's events into a fresh profile
 * (the domain folds events into joins and cannot take one customer's share back out).
 */
export interface JournalEntry {
  /** Event (Segment message) id. */
  id: string;
  /** Event time, normalised. */
  at: string;
  /** The customer the event carried when it arrived, before merged ids were mapped to survivors. */
  customerId: string;
  /** sha256 of each "type:value" identifier the event carried: enough to attribute it in a split without storing the identifiers. */
  identifierHashes: string[];
  /**
   * The resolved event minus identifiers and never-stored traits, as JSON text: properties and
   * traits have free-form keys that must not become MongoDB field names.
   */
  event: string;
}

/**
 * A needs profile document as the repository reads and writes it. It is stored differently
 * (`NeedsProfileDocument`: profile, publication and journal entries as JSON text); the mongoose
 * class below only names the collection.
 */
export interface StoredNeedsProfile {
  _id: string;
  /** Optimistic concurrency: every profile write is conditional on the version it read. */
  version: number;
  /** Absent on stubs of merged-away customers and on documents created but not yet written. */
  profile?: NeedsProfile;
  /** The last payload published on needs.profiles.v1: material changes are judged against it. */
  published?: NeedsProfiledDataV1;
  /** Newest applied events, bounded (NEEDS_JOURNAL_LIMIT). Not read on the hot path (still decoded by FerretDB on every read of the document). */
  journal?: JournalEntry[];
  /** Set once this customer was folded into another: its later events count there. */
  mergedInto?: string;
  /** The merged-away customer's tombstone is still to be published (survives a crash between write and send). */
  tombstonePending?: boolean;
  /** Ids of identity changes (splits) already applied to this document, bounded. */
  appliedChanges?: string[];
  /** Token of the last write, to tell which conditional updates of a bulk write matched. */
  writeId?: string;
  updatedAt?: Date;
}

@Schema({ collection: 'needs_profiles', versionKey: false, minimize: false, strict: false })
export class NeedsProfileRecord {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true, default: 0 }) version!: number;
}
export const NeedsProfileRecordSchema = SchemaFactory.createForClass(NeedsProfileRecord);
