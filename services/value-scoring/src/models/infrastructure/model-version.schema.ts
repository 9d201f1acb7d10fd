import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { GammaGammaParams, PurchaseModelParams } from '../../scoring/domain';
import type { ModelVersion, ValuationState } from '../domain/model-version';

/** The persistence schema of a fitted parameter set (models/domain ModelVersion). */
@Schema({ collection: 'model_versions', versionKey: false })
export class ModelVersionRecord implements ModelVersion {
  /** e.g. "bgnbd-gg-20250101T020000Z-1a2b3c": sortable by fit time, unique per fit. */
  @Prop({ required: true }) _id!: string;
  @Prop({ type: Object, required: true }) purchases!: PurchaseModelParams;
  @Prop({ type: Object, required: true }) spend!: GammaGammaParams;
  @Prop({ type: Object, required: true }) logLikelihood!: { purchases: number; spend: number };
  @Prop({ required: true }) converged!: boolean;
  @Prop({ required: true }) fittedAt!: Date;
  /** First purchase day of the earliest customer fitted, and the calibration end (fit time). */
  @Prop({ type: Object, required: true }) dataWindow!: { from: Date; to: Date };
  /** Customers the purchase model was fitted on (a sample when the population exceeds FIT_MAX_CUSTOMERS). */
  @Prop({ required: true }) customers!: number;
  /** Of them, repeat buyers: the Gamma-Gamma fit's customers. */
  @Prop({ required: true }) repeatCustomers!: number;
  /** Customers with a purchase at fit time. */
  @Prop({ required: true }) population!: number;
  @Prop({ required: true }) timeUnitDays!: number;
  @Prop({ required: true }) fitSeconds!: number;
  @Prop({ required: true }) trigger!: string;
}
export const ModelVersionSchema = SchemaFactory.createForClass(ModelVersionRecord);
ModelVersionSchema.index({ fittedAt: -1 });

/** The persistence schema of the last walk's outcome (models/domain ValuationState; one document, _id "current"). */
@Schema({ collection: 'valuation_state', versionKey: false })
export class ValuationStateRecord implements ValuationState {
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) modelVersion!: string;
  @Prop({ required: true }) walkedAt!: Date;
  @Prop({ required: true }) totalValue!: number;
  @Prop({ required: true }) customers!: number;
  /** Lowest value placed in A, B and C by the walk. */
  @Prop({ type: Object, required: true }) cutoffs!: { A: number; B: number; C: number };
  @Prop({ type: [Object], default: [] }) peerLevels!: Array<{ key: string; level: number; customers: number }>;
  /** Customers whose published state changed in the walk. */
  @Prop({ required: true }) published!: number;
}
export const ValuationStateSchema = SchemaFactory.createForClass(ValuationStateRecord);
