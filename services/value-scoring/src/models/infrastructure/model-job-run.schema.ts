import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { ModelJobKind, ModelJobRun } from '../domain/model-job-run';

/** The persistence schema of a background model job (models/domain ModelJobRun). */
@Schema({ collection: 'model_job_runs', versionKey: false })
export class ModelJobRunRecord implements ModelJobRun {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true, enum: ['refit', 'rescore'] }) kind!: ModelJobKind;
  /** running until the job ends; then finished (see outcome) or failed (see error). */
  @Prop({ type: String, required: true, enum: ['running', 'finished', 'failed'] }) status!: 'running' | 'finished' | 'failed';
  /** fitted, already-fitted, insufficient-data, rescored, or busy (another instance held the model-job lock). */
  @Prop({ type: String }) outcome?: string;
  /** The outcome's figures (the fitted version, the re-scoring counts, what data was missing). */
  @Prop({ type: Object }) result?: Record<string, unknown>;
  @Prop({ type: String }) error?: string;
  /** The client that asked (the audit trail has the rest). */
  @Prop({ type: String, required: true }) requestedBy!: string;
  @Prop({ type: Date, required: true }) requestedAt!: Date;
  /** Renewed while the job runs: a running job whose heartbeat stopped died with its instance. */
  @Prop({ type: Date, required: true }) heartbeatAt!: Date;
  @Prop({ type: Date }) finishedAt?: Date;
}
export const ModelJobRunSchema = SchemaFactory.createForClass(ModelJobRunRecord);
ModelJobRunSchema.index({ requestedAt: -1 });
