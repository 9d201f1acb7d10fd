import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import type { CostCounts, CustomerScore, OrderArchive, OrderLine, PurchaseSummary, StoredCause } from '../../shared-kernel/domain';

/**
 * The persistence schema of a customer's purchase summary (the domain type is
 * shared-kernel/domain PurchaseSummary, which this class mirrors field by field): in the database
 * the TEXT_FIELDS are JSON text (see toStored), and the repository reads either form back into the
 * domain type (fromStored).
 */
@Schema({ collection: 'purchase_summaries', versionKey: false })
export class PurchaseSummaryRecord implements PurchaseSummary {
  @Prop({ required: true }) _id!: string;
  /** Purchases and refunds in event time: the source every other history field is derived from. Stored as text. */
  @Prop({ type: SchemaTypes.Mixed }) orders!: OrderLine[];
  @Prop({ default: 0 }) purchases!: number;
  @Prop({ default: 0 }) revenue!: number;
  @Prop() firstSeenAt?: Date;
  @Prop() firstPurchaseAt?: Date;
  @Prop() lastPurchaseAt?: Date;
  /** Stored as text. */
  @Prop({ type: SchemaTypes.Mixed }) channels!: string[];
  /** Stored as text. */
  @Prop({ type: SchemaTypes.Mixed }) categories!: string[];
  /**
   * Ids of events already applied (bounded): a redelivery changes nothing. A real array: a split
   * filters on it and pushes to it (libs/mongo onceFilter and recordApplied).
   */
  @Prop({ type: [String], default: [] }) appliedEvents!: string[];
  /** Order lines folded away beyond ORDER_LINES_KEPT (bounded customers): what scoring needs of them. */
  @Prop({ type: SchemaTypes.Mixed }) archive?: OrderArchive;
  /** Returns, service calls and contacts counted from events: what the cost model prices. */
  @Prop({ type: SchemaTypes.Mixed }) costs?: CostCounts;
  /** Set when this customer was merged into another: its events now count there. */
  @Prop() mergedInto?: string;
  /** Bumped by every change of the order lines; scores are written only against the revision they read. */
  @Prop({ default: 0 }) revision!: number;
  /** Marks the batch write that last set this state: after a lost race, tells whose write stuck. */
  @Prop() writeId?: string;

  /** Model inputs derived from the order lines (see purchaseHistory); T is measured at scoring time. */
  @Prop() x?: number;
  @Prop() mx?: number;
  @Prop() orderCount?: number;
  @Prop() firstPurchaseDay?: Date;
  @Prop() lastPurchaseDay?: Date;

  /** From needs.profiles.v1: all this service keeps of a needs profile (peer grouping). */
  @Prop({ type: [String] }) archetypes?: string[];
  @Prop() needsUpdatedAt?: Date;

  /** Stored as text. */
  @Prop({ type: SchemaTypes.Mixed }) score?: CustomerScore;
  /** The revision the score was computed from: an unchanged revision needs no re-scoring. */
  @Prop() scoredRevision?: number;
  /**
   * Actual value as of the last re-scoring pass, written only by the (locked) job: the
   * value-sorted tier walk pages on (rankValue desc, _id asc) through an index, and live updates
   * of the score cannot reorder customers under the walk.
   */
  @Prop() rankValue?: number;
  /**
   * Room to grow (the score's strategic value) of the latest score, on every score write: the
   * most-growable ranking pages in (growthValue desc, _id asc) order, read by growthBand.
   */
  @Prop() growthValue?: number;
  /** The band of growthValue (growth-band.ts), absent without room to grow: what a most-growable page reads by equality. */
  @Prop() growthBand?: string;
  /** Last published tier and value, to publish only material changes. */
  @Prop() publishedTier?: string;
  @Prop() publishedValue?: number;
  @Prop() publishedStrategicValue?: number;
  /** Purchases and net revenue of the last published state: a change of either is always published. */
  @Prop() publishedPurchases?: number;
  @Prop() publishedRevenue?: number;
  /**
   * Set with a state whose event went out in the consumer's Kafka transaction, cleared once that
   * committed: still set when read, the transaction may have been aborted (a crash between this
   * write and the commit), so the state is published again.
   */
  @Prop() pendingPublish?: boolean;
  /** The pending state's cause (traceparent, causation and correlation ids), cleared with pendingPublish. */
  @Prop({ type: Object }) pendingCause?: StoredCause;
}
export const PurchaseSummarySchema = SchemaFactory.createForClass(PurchaseSummaryRecord);
PurchaseSummarySchema.index({ rankValue: -1, _id: 1 });
PurchaseSummarySchema.index({ growthValue: -1, _id: 1 });
PurchaseSummarySchema.index({ growthBand: 1 });

/**
 * Parts of a summary stored as JSON text: FerretDB (SQLite backend) decodes every nested value
 * of a document in Go on each read and write, and these are the bulk of a summary's values.
 * Measured on 2000 summaries: a find of 30 or 200 ids about half the time, a bulk of 50
 * conditional updates about 40 % less. Only parts no query filters, sorts, projects into or
 * updates by path go here; a summary is always read and written with them whole.
 */
export const TEXT_FIELDS = ['orders', 'channels', 'categories', 'score'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

/** A summary as read from the database: text fields as JSON text, or as documents when written before they were. */
export type StoredPurchaseSummary = Omit<PurchaseSummary, TextField> & { [F in TextField]?: PurchaseSummary[F] | string | null };

/** The stored form of (part of) a summary: a $set, an inserted document. Other fields pass as they are. */
export function toStored(fields: object): Record<string, unknown> {
  const stored: Record<string, unknown> = { ...fields };
  for (const field of TEXT_FIELDS) {
    const value = stored[field];
    if (value !== undefined && value !== null) stored[field] = JSON.stringify(value);
  }
  return stored;
}

/**
 * The summary as the service works with it, from either stored form (a document written by an
 * earlier version has the text fields as documents; one write converts them). The defaults
 * cover FerretDB's non-atomic upsert: a document created by $setOnInsert can be read for a
 * moment with its _id alone, and reading it as the empty summary it is about to be is right.
 */
export function fromStored(doc: StoredPurchaseSummary): PurchaseSummary {
  const { orders, channels, categories, score, ...rest } = doc;
  const summary: PurchaseSummary = {
    ...rest,
    orders: (parsed(orders) ?? []).map(reviveLine),
    channels: parsed(channels) ?? [],
    categories: parsed(categories) ?? [],
    appliedEvents: doc.appliedEvents ?? [],
    purchases: doc.purchases ?? 0,
    revenue: doc.revenue ?? 0,
    revision: doc.revision ?? 0,
  };
  const scored = parsed(score);
  if (scored) summary.score = { ...scored, scoredAt: new Date(scored.scoredAt) };
  return summary;
}

/** JSON text parsed to the field's type; a document (earlier form) as it is. */
function parsed<T>(value: T | string | null | undefined): T | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** JSON has no dates: event times come back as ISO text. */
function reviveLine(line: OrderLine): OrderLine {
  return { ...line, at: new Date(line.at) };
}
