import type { BgNbdFit, GammaGammaFit, RecencyFrequency, SpendSummary } from '../../../scoring/domain';

/** What a fit is computed from: one entry per customer (the same object for identical triples). */
export interface ModelFitInput {
  readonly purchases: readonly RecencyFrequency[];
  readonly spend: readonly SpendSummary[];
}

/** Fits BG/NBD and Gamma-Gamma (models/infrastructure/model-fit.runner.ts: in a worker thread). */
export abstract class ModelFitter {
  abstract fit(input: ModelFitInput): Promise<{ bgNbd: BgNbdFit; gammaGamma: GammaGammaFit }>;
}
