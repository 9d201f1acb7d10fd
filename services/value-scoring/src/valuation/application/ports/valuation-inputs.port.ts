import type { CostModel } from '../../domain/cost-model';
import type { ActiveModel, TierCutoffs } from '../../domain/customer-valuation';
import type { PeerGroupKeys, PeerLevel } from '../../domain/peer-spend';

/**
 * The value model the scorer values with, and what the last re-tiering walk left (tier cut-offs,
 * peer spend levels). Owned here and implemented by `models` (ModelRegistry), which fits and
 * walks, so valuation imports nothing of `models` while `models` re-scores through valuation.
 */
export abstract class ValueModels {
  abstract model(): ActiveModel;
  /** Cut-offs of the last walk, or the interim fixed thresholds before the first walk. */
  abstract tierCutoffs(): { cutoffs: TierCutoffs; fromWalk: boolean };
  /** The customer's peer level: their needs-and-breadth group if large enough, else breadth alone. */
  abstract peerLevel(keys: PeerGroupKeys): PeerLevel | undefined;
}

/** The cost model value is a margin of. Owned here and implemented by `costs` (CostModelRegistry). */
export abstract class CostModels {
  abstract model(): CostModel;
}
