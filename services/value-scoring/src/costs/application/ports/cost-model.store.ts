import type { CostModel } from '../../../valuation/domain/cost-model';
import type { SetCostModel } from '../../domain/set-cost-model';

/** Where the cost model set through the API is kept (costs/infrastructure/cost-model.repository.ts in MongoDB). */
export abstract class CostModelStore {
  /** The model set through the API; null while the configured defaults apply. */
  abstract current(): Promise<SetCostModel | null>;
  /**
   * Replaces the model if it is still at `expectedVersion` (0: none set yet), so two operators
   * editing at once cannot silently overwrite each other. The stored model, or null when the
   * version moved.
   */
  abstract replace(model: CostModel, expectedVersion: number, updatedBy: string, now: Date): Promise<SetCostModel | null>;
}
