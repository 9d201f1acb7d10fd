import type { GammaGammaParams, PurchaseModelParams } from '../../scoring/domain';

/** One fitted parameter set; never updated after it is stored. */
export interface ModelVersion {
  /** e.g. "bgnbd-gg-20250101T020000Z-1a2b3c": sortable by fit time, unique per fit. */
  _id: string;
  purchases: PurchaseModelParams;
  spend: GammaGammaParams;
  logLikelihood: { purchases: number; spend: number };
  converged: boolean;
  fittedAt: Date;
  /** First purchase day of the earliest customer fitted, and the calibration end (fit time). */
  dataWindow: { from: Date; to: Date };
  /** Customers the purchase model was fitted on (a sample when the population exceeds FIT_MAX_CUSTOMERS). */
  customers: number;
  /** Of them, repeat buyers: the Gamma-Gamma fit's customers. */
  repeatCustomers: number;
  /** Customers with a purchase at fit time. */
  population: number;
  timeUnitDays: number;
  fitSeconds: number;
  trigger: string;
}

/**
 * Outcome of the last value-sorted walk (one, _id "current"): tier cut-offs that live scoring
 * places customers against, and the peer spend levels of strategic value.
 */
export interface ValuationState {
  _id: string;
  modelVersion: string;
  walkedAt: Date;
  totalValue: number;
  customers: number;
  /** Lowest value placed in A, B and C by the walk. */
  cutoffs: { A: number; B: number; C: number };
  peerLevels: Array<{ key: string; level: number; customers: number }>;
  /** Customers whose published state changed in the walk. */
  published: number;
}
