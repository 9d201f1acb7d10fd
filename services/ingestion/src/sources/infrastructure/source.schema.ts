import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { HydratedDocument } from 'mongoose';
import { channels, Channel } from '@o2o/contracts';

@Schema({ _id: false, versionKey: false })
export class WriteKeyHash {
  /** sha256 of the write key; the key itself is never stored. */
  @Prop({ type: String, required: true }) hash!: string;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  /** During a rotation the old key stays valid until then. */
  @Prop({ type: Date }) expiresAt?: Date;
}
const WriteKeyHashSchema = SchemaFactory.createForClass(WriteKeyHash);

/** A channel connection: its write keys, state and signature requirement. */
@Schema({ collection: 'sources', versionKey: false })
export class Source {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) name!: string;
  @Prop({ type: String, required: true, enum: channels }) channel!: Channel;
  @Prop({ type: Boolean, required: true, default: true }) enabled!: boolean;
  @Prop({ type: [WriteKeyHashSchema], default: [] }) writeKeys!: WriteKeyHash[];
  /** When true, requests must carry an HMAC-SHA256 of the body made with signingSecret. */
  @Prop({ type: Boolean, default: false }) requireSignature!: boolean;
  /** Needed in clear to verify signatures; only in this service's database, never logged or listed. */
  @Prop({ type: String }) signingSecret?: string;
  @Prop({ type: Date, required: true }) createdAt!: Date;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}
export type SourceDocument = HydratedDocument<Source>;
export const SourceSchema = SchemaFactory.createForClass(Source);
SourceSchema.index({ 'writeKeys.hash': 1 }, { unique: true, sparse: true });
