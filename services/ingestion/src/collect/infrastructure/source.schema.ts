import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';
import { channels, Channel } from '@o2o/contracts';

@Schema({ _id: false })
export class WriteKeyHash {
  /** sha256 of the write key; the key itself is never stored. */
  @Prop({ required: true }) hash!: string;
  @Prop({ required: true }) createdAt!: Date;
  /** During a rotation the old key stays valid until then. */
  @Prop() expiresAt?: Date;
}
const WriteKeyHashSchema = SchemaFactory.createForClass(WriteKeyHash);

@Schema({ collection: 'sources', timestamps: true })
export class Source {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) name!: string;
  @Prop({ type: String, required: true, enum: channels }) channel!: Channel;
  @Prop({ required: true, default: true }) enabled!: boolean;
  @Prop({ type: [WriteKeyHashSchema], default: [] }) writeKeys!: WriteKeyHash[];
}
export type SourceDocument = HydratedDocument<Source>;
export const SourceSchema = SchemaFactory.createForClass(Source);
SourceSchema.index({ 'writeKeys.hash': 1 }, { unique: true, sparse: true });
