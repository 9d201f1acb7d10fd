import { parentPort, workerData } from 'node:worker_threads';
import { BgNbdFit, fitBgNbd, fitGammaGamma, GammaGammaFit } from '../../scoring/domain';
import type { ModelFitInput } from '../application/ports/model-fitter.port';

/** The sufficient statistics of one fit, posted as workerData. */
export type { ModelFitInput };

export type ModelFitOutput =
  { readonly ok: true; readonly bgNbd: BgNbdFit; readonly gammaGamma: GammaGammaFit } | { readonly ok: false; readonly error: string };

/** Both fits, as the refit needs them (standard errors are not computed for a refit). */
export function fitModels(input: ModelFitInput): { bgNbd: BgNbdFit; gammaGamma: GammaGammaFit } {
  return { bgNbd: fitBgNbd(input.purchases, { standardErrors: false }), gammaGamma: fitGammaGamma(input.spend, { standardErrors: false }) };
}

// Seconds of numerical optimisation for large populations: here, in a thread of its own, they
// never hold up the event loop that consumes purchases and answers value lookups.
if (parentPort !== null) {
  let output: ModelFitOutput;
  try {
    output = { ok: true, ...fitModels(workerData as ModelFitInput) };
  } catch (error) {
    output = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort.postMessage(output);
}
