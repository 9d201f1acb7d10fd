import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One identifier and the customer owning it. _id is "type:value", so an identifier has one owner. */
@Schema({ collection: 'identifiers', versionKey: false })
export class IdentifierRecord {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) type!: string;
  @Prop({ required: true }) value!: string;
  @Prop({ required: true, index: true }) customerId!: string;
  @Prop({ required: true }) firstSeenAt!: Date;
  /** Why it belongs to this customer: the rule and the event that linked it. */
  @Prop({ type: Object, required: true }) evidence!: { rule: string; eventId: string };
}
export const IdentifierRecordSchema = SchemaFactory.createForClass(IdentifierRecord);

@Schema({ collection: 'customers', versionKey: false })
export class CustomerRecord {
  @Prop({ required: true }) _id!: string;
  /** Time of the first event seen for the customer (event time): decides merge survivors. */
  @Prop({ required: true }) createdAt!: Date;
  /** Set when merged into another customer: later events for this id resolve to it. */
  @Prop() mergedInto?: string;
  @Prop({ type: [String], default: [] }) mergedIds!: string[];
}
export const CustomerRecordSchema = SchemaFactory.createForClass(CustomerRecord);
