import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** Only names the collection: documents are stored as `NeedsProfileDocument` and handed out as `StoredNeedsProfile`. */
@Schema({ collection: 'needs_profiles', versionKey: false, minimize: false, strict: false })
export class NeedsProfileRecord {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true, default: 0 }) version!: number;
}
export const NeedsProfileRecordSchema = SchemaFactory.createForClass(NeedsProfileRecord);
