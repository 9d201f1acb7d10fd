import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import type { ModelVersion, ValuationState } from '../domain/model-version';
import { ModelVersions } from '../application/ports/model-versions.port';
import { ModelVersionRecord, ValuationStateRecord } from './model-version.schema';

const CURRENT = 'current';

@Injectable()
export class ModelVersionRepository implements ModelVersions {
  constructor(
    @InjectModel(ModelVersionRecord.name) private readonly versions: Model<ModelVersionRecord>,
    @InjectModel(ValuationStateRecord.name) private readonly states: Model<ValuationStateRecord>,
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
