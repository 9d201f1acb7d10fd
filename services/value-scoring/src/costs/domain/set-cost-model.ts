import type { CostModel } from '../../valuation/domain/cost-model';

/** A cost model an operator set through the API, with its version (1 for the first, +1 each time) and who set it when. */
export interface SetCostModel extends CostModel {
  version: number;
  updatedAt: Date;
  /** The client that set it (the audit trail has the rest). */
  updatedBy: string;
}
