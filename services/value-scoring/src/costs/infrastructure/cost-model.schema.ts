import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { SchemaTypes } from 'mongoose';
import type { SetCostModel } from '../domain/set-cost-model';

/** The cost model an operator set through the API (one document, `_id: 'current'`); absent: the configured defaults. */
@Schema({ collection: 'cost_model', versionKey: false })
export class StoredCostModel implements SetCostModel {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) perOrder!: number;
  @Prop({ required: true }) perReturn!: number;
  @Prop({ required: true }) perServiceCall!: number;
  /** Channel -> price of one contact. */
  @Prop({ type: SchemaTypes.Mixed, required: true }) perContact!: Record<string, number>;
  @Prop({ required: true }) perContactDefault!: number;
  @Prop({ required: true }) perCustomerYear!: number;
  /** 1 for the first model set through the API, +1 each time. */
  @Prop({ required: true }) version!: number;
  @Prop({ required: true }) updatedAt!: Date;
  /** The client that set it (the audit trail has the rest). */
  @Prop({ required: true }) updatedBy!: string;
}
export const StoredCostModelSchema = SchemaFactory.createForClass(StoredCostModel);
