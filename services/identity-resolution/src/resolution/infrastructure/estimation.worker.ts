import { parentPort, workerData } from 'node:worker_threads';
import { MatchParameters, PreparedRecord } from '../../matching/domain';
import { estimateParameters } from '../application/estimate-parameters/estimate-parameters';

/** Input of one estimate, posted as workerData. */
export interface EstimationInput {
  readonly records: readonly PreparedRecord[];
  readonly previous: MatchParameters;
  readonly now: string;
}

export type EstimationOutput =
  { readonly ok: true; readonly parameters: MatchParameters } | { readonly ok: false; readonly error: string; readonly name: string };

// EM over every stored record takes seconds of CPU: here, in its own thread, it never holds up
// the event loop that answers lookups and consumes events.
if (parentPort !== null) {
  const input = workerData as EstimationInput;
  let output: EstimationOutput;
  try {
    output = { ok: true, parameters: estimateParameters(input.records, input.previous, new Date(input.now)) };
  } catch (error) {
    output = {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : 'Error',
    };
  }
  parentPort.postMessage(output);
}
