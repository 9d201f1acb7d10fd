import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { GammaGammaParams, PurchaseModelParams } from '../../scoring/domain';

/** One fitted parameter set; never updated after insertion except for its peer levels. */
@Schema({ collection: 'model_versions', versionKey: false })
export class ModelVersion {
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
export const ModelVersionSchema = SchemaFactory.createForClass(ModelVersion);
ModelVersionSchema.index({ fittedAt: -1 });

/**
 * Outcome of the last value-sorted walk (one document, _id "current"): tier cut-offs that live
 * scoring places customers against, and the peer spend levels of strategic value.
 */
@Schema({ collection: 'valuation_state', versionKey: false })
export class ValuationState {
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
export const ValuationStateSchema = SchemaFactory.createForClass(ValuationState);
