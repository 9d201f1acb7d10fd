import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ModelVersion, ValuationState } from './model-version.schema';

const CURRENT = 'current';

@Injectable()
export class ModelVersionRepository {
  constructor(
    @InjectModel(ModelVersion.name) private readonly versions: Model<ModelVersion>,
    @InjectModel(ValuationState.name) private readonly states: Model<ValuationState>,
  ) {}

  async insert(version: ModelVersion): Promise<void> {
    await this.versions.create(version);
  }

  /** The newest fit is the current model: every instance converges on it by reading. */
  async latest(): Promise<ModelVersion | null> {
    return this.versions.findOne().sort({ fittedAt: -1, _id: -1 }).lean().exec();
  }

  async list(limit: number): Promise<ModelVersion[]> {
    return this.versions.find().sort({ fittedAt: -1, _id: -1 }).limit(limit).lean().exec();
  }

  async count(): Promise<number> {
    return this.versions.countDocuments().exec();
  }

  async state(): Promise<ValuationState | null> {
    return this.states.findById(CURRENT).lean().exec();
  }

  async saveState(state: Omit<ValuationState, '_id'>): Promise<void> {
    // Only the lock holder writes it, so a plain replace by _id is enough.
    await this.states.replaceOne({ _id: CURRENT }, { _id: CURRENT, ...state }, { upsert: true }).exec();
  }
}
