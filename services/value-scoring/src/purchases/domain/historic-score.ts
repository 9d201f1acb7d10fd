import { ValueTier } from '@o2o/contracts';

/**
 * Interim scoring until the fitted BG/NBD + Gamma-Gamma model has data: value is the net revenue
 * seen so far and tiers come from fixed revenue thresholds. Published with its own model version
 * so consumers can tell it from model-based scores.
 */
export const HISTORIC_MODEL_VERSION = 'historic-revenue-1';

export interface HistoricTierThresholds {
  A: number;
  B: number;
  C: number;
}

export const defaultHistoricThresholds: HistoricTierThresholds = { A: 1000, B: 250, C: 50 };

export function historicTier(revenue: number, thresholds: HistoricTierThresholds = defaultHistoricThresholds): ValueTier {
  if (revenue >= thresholds.A) return 'A';
  if (revenue >= thresholds.B) return 'B';
  if (revenue >= thresholds.C) return 'C';
  return 'D';
}
