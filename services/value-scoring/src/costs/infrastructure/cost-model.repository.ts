import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '@o2o/mongo';
import type { CostModel } from '../../valuation/domain/cost-model';
import { CostModelStore } from '../application/ports/cost-model.store';
import { StoredCostModel } from './cost-model.schema';

const CURRENT = 'current';

@Injectable()
export class CostModelRepository implements CostModelStore {
  constructor(@InjectModel(StoredCostModel.name) private readonly models: Model<StoredCostModel>) {}

  async current(): Promise<StoredCostModel | null> {
    return this.models.findById(CURRENT).lean<StoredCostModel>().exec();
  }

  /**
   * Replaces the model if it is still at `expectedVersion` (0: none set yet), so two operators
   * editing at once cannot silently overwrite each other. Returns the stored model, or null when
   * the version moved.
   */
  async replace(model: CostModel, expectedVersion: number, updatedBy: string, now: Date): Promise<StoredCostModel | null> {
    const next = { ...model, version: expectedVersion + 1, updatedAt: now, updatedBy };
    if (expectedVersion === 0) {
      try {
        await this.models.create({ _id: CURRENT, ...next });
        return { _id: CURRENT, ...next };
      } catch (error) {
        if (isDuplicateKeyError(error)) return null;
        throw error;
      }
    }
    const result = await this.models.updateOne({ _id: CURRENT, version: expectedVersion }, { $set: next }).exec();
    return result.matchedCount === 1 ? { _id: CURRENT, ...next } : null;
  }
}
