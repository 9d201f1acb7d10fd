import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ _id: false, versionKey: false })
export class OrderLine {
  @Prop({ required: true }) orderId!: string;
  @Prop({ required: true }) at!: Date;
  @Prop({ required: true }) amount!: number;
}
const OrderLineSchema = SchemaFactory.createForClass(OrderLine);

/** A customer's purchase history summary, kept live from resolved events; keyed by customer id. */
@Schema({ collection: 'purchase_summaries', versionKey: false })
export class PurchaseSummary {
  @Prop({ required: true }) _id!: string;
  /** Purchases and refunds (negative amounts) in event time; folding merges needs the lines. */
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
  /** Last published tier and value, to publish only material changes. */
  @Prop() publishedTier?: string;
  @Prop() publishedValue?: number;
}
export const PurchaseSummarySchema = SchemaFactory.createForClass(PurchaseSummary);
