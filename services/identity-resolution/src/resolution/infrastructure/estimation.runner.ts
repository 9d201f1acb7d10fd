import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable } from '@nestjs/common';
import { MatchParameters, PreparedRecord } from '../../matching/domain';
import { estimateParameters, NotEnoughRecordsError } from '../application/estimate-parameters/estimate-parameters';
import { ParameterEstimator } from '../application/train-matching/train-matching.ports';
import type { EstimationInput, EstimationOutput } from './estimation.worker';

/**
 * Runs a parameter estimate in a worker thread of its own (estimation.worker), so that the
 * seconds of EM never block the service's event loop. Where the compiled worker is not at hand
 * (unit tests run the TypeScript sources), the estimate runs inline.
 */
@Injectable()
export class EstimationRunner implements ParameterEstimator {
  private readonly workerFile = join(__dirname, 'estimation.worker.js');

  async estimate(records: readonly PreparedRecord[], previous: MatchParameters, now = new Date()): Promise<MatchParameters> {
    if (!existsSync(this.workerFile)) return estimateParameters(records, previous, now);
    const input: EstimationInput = { records, previous, now: now.toISOString() };
    const output = await new Promise<EstimationOutput>((resolve, reject) => {
      const worker = new Worker(this.workerFile, { workerData: input });
      worker.once('message', (message: EstimationOutput) => resolve(message));
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (code !== 0) reject(new Error(`estimation worker exited with ${code}`));
      });
    });
    if (output.ok) return output.parameters;
    if (output.name === 'NotEnoughRecordsError') throw new NotEnoughRecordsError(records.length);
    throw new Error(`estimation failed: ${output.error}`);
  }
}
