import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ _id: false, versionKey: false })
export class OrderLine {
  /** The event that brought the line: dedupes lines when summaries are folded together. */
  @Prop() eventId?: string;
  @Prop({ required: true }) orderId!: string;
  @Prop({ required: true, enum: ['purchase', 'refund'], default: 'purchase' }) kind!: 'purchase' | 'refund';
  /** Event time (never processing time), so imported history summarises like live history. */
  @Prop({ required: true }) at!: Date;
  /** Signed: negative for refunds. */
  @Prop({ required: true }) amount!: number;
  @Prop() channel?: string;
  @Prop({ type: [String], default: [] }) categories!: string[];
  /**
   * The customer id the resolved event carried and the identifiers it had ("type:value"): a merge
   * folds lines into the survivor, and a later split needs them to give each line back.
   */
  @Prop() origin?: string;
  @Prop({ type: [String], default: [] }) identifiers!: string[];
}
export const OrderLineSchema = SchemaFactory.createForClass(OrderLine);

/** The value state last computed for the customer; what the API answers and the topic carries. */
@Schema({ _id: false, versionKey: false })
export class CustomerScore {
  @Prop({ required: true }) actualValue!: number;
  @Prop({ required: true }) strategicValue!: number;
  @Prop({ required: true }) tier!: string;
  @Prop() probabilityAlive?: number;
  @Prop() expectedPurchases?: number;
  @Prop() expectedYearlySpend?: number;
  @Prop({ required: true }) modelVersion!: string;
  @Prop() peerGroup?: string;
  @Prop() peerLevel?: number;
  @Prop() peerCustomers?: number;
  @Prop({ type: [String], default: [] }) reasons!: string[];
  @Prop({ required: true }) scoredAt!: Date;
}
export const CustomerScoreSchema = SchemaFactory.createForClass(CustomerScore);

/** A customer's purchase history summary, kept live from resolved events; keyed by customer id. */
@Schema({ collection: 'purchase_summaries', versionKey: false })
export class PurchaseSummary {
  @Prop({ required: true }) _id!: string;
  /** Purchases and refunds in event time: the source every other history field is derived from. */
  @Prop({ type: [OrderLineSchema], default: [] }) orders!: OrderLine[];
  @Prop({ default: 0 }) purchases!: number;
  @Prop({ default: 0 }) revenue!: number;
  @Prop() firstSeenAt?: Date;
  @Prop() firstPurchaseAt?: Date;
  @Prop() lastPurchaseAt?: Date;
  @Prop({ type: [String], default: [] }) channels!: string[];
  @Prop({ type: [String], default: [] }) categories!: string[];
  /** Ids of events already applied (bounded): a redelivery changes nothing. */
  @Prop({ type: [String], default: [] }) appliedEvents!: string[];
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

  @Prop({ type: CustomerScoreSchema }) score?: CustomerScore;
  /** The revision the score was computed from: an unchanged revision needs no re-scoring. */
  @Prop() scoredRevision?: number;
  /**
   * Actual value as of the last re-scoring pass, written only by the (locked) job: the
   * value-sorted tier walk pages on (rankValue desc, _id asc) through an index, and live updates
   * of the score cannot reorder customers under the walk.
   */
  @Prop() rankValue?: number;
  /** Last published tier and value, to publish only material changes. */
  @Prop() publishedTier?: string;
  @Prop() publishedValue?: number;
  @Prop() publishedStrategicValue?: number;
}
export const PurchaseSummarySchema = SchemaFactory.createForClass(PurchaseSummary);
PurchaseSummarySchema.index({ rankValue: -1, _id: 1 });
